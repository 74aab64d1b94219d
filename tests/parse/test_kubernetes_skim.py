"""Skimming objects nobody reads past their metadata changes nothing a user sees: the same objects at the same
lines, the same limits hit at the same lines, the same repeated keys with the same resolution."""

from __future__ import annotations

import pytest

from nhilint.limits import Limits
from nhilint.parse.kubernetes import parse_text

CRD_HEAD = (
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.io\n"
)


def _bomb(levels: int = 7) -> str:
    lines = ["  a: &a [x, x, x, x, x, x, x, x, x, x]"]
    names = "abcdefghijklmnop"
    for i in range(1, levels + 1):
        lines.append(f"  {names[i]}: &{names[i]} [{', '.join([f'*{names[i - 1]}'] * 8)}]")
    return "\n".join(lines) + "\n"


CASES = {
    "repeated keys in the spec": CRD_HEAD + "spec:\n  group: a\n  group: b\n  rules: [x]\n  rules: [y]\n",
    "repeated rules in a nested mapping": CRD_HEAD
    + "spec:\n  versions:\n  - name: v1\n    rules: [get]\n    rules: [list]\n",
    "repeated top-level key": CRD_HEAD + "spec: {a: 1}\nspec: {b: 2}\n",
    "an alias bomb in the spec": CRD_HEAD + "spec:\n" + _bomb(),
    "aliases and merge keys": CRD_HEAD
    + "spec:\n  base: &base {x: 1, y: [1, 2]}\n  one:\n    <<: *base\n    z: 3\n  two: *base\n",
    "deep nesting": CRD_HEAD + "spec:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(60)) + "  " * 61 + "v\n",
    "tags": CRD_HEAD + "spec:\n  a: !Ref Name\n  b: !Sub [x, {y: !GetAtt A.B}]\n  c: !If {x: 1, x: 2}\n",
    "a mapping as a key": CRD_HEAD + "spec:\n  ? {a: 1}\n  : b\n",
    "a metadata alias to the spec": "apiVersion: v1\nkind: Widget\nmetadata: &m\n  name: w\nspec: *m\n",
    "many documents": "---\n".join(CRD_HEAD.replace("widgets", f"w{i}") + f"spec: {{n: {i}}}\n" for i in range(5)),
    "a List of objects": "apiVersion: v1\nkind: List\nitems:\n- " + CRD_HEAD.replace("\n", "\n  ") + "spec: {}\n",
    "a ServiceAccount and a CRD": "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n"
    + "secrets: [{name: s}]\n---\n"
    + CRD_HEAD
    + "spec: {x: 1, x: 2}\n",
}
LIMITS = Limits(max_nodes=2_000, max_aliases=20, max_depth=40)


@pytest.mark.parametrize("case", list(CASES))
def test_skimmed_like_built(case: str) -> None:
    text = CASES[case]
    full = parse_text(text, "m.yaml", limits=LIMITS)
    skimmed = parse_text(text, "m.yaml", limits=LIMITS, reads=lambda api_version, kind: kind == "ServiceAccount")
    assert skimmed.errors == full.errors
    assert [(o.kind, o.location, o.body.get("metadata")) for o in skimmed.objects] == [
        (o.kind, o.location, o.body.get("metadata")) for o in full.objects
    ]
    for built, skim in zip(full.objects, skimmed.objects, strict=True):
        if skim.kind == "ServiceAccount":
            assert skim.body == built.body
        else:
            assert all(skim.body[key] == built.body[key] for key in skim.body)


def test_the_spec_of_an_unread_kind_is_not_built() -> None:
    manifest = parse_text(CASES["repeated keys in the spec"], "m.yaml", reads=lambda api_version, kind: False)
    [crd] = manifest.objects
    assert set(crd.body) == {"apiVersion", "kind", "metadata"}
    assert [e.reason for e in manifest.errors] == [
        "spec.group is written again (first on line 6); the last value is used, as kubectl does",
        "spec.rules is written again (first on line 8); the union of the values is evaluated (the broader grant)",
    ]
