"""Files of objects nobody reads, read from the parser's events: either exactly what composing and skimming
gives (values, lines of every mapping and key, documents, their lines) or declined, never something else."""

from __future__ import annotations

from typing import Any

import pytest

from nhilint.extract.manifests.objects import reads_body
from nhilint.limits import Limits
from nhilint.parse import kubernetes, manifest_skim
from nhilint.parse.kubernetes import parse_text, rbac_broader
from nhilint.parse.manifest_skim import MIN_CHARS, skim_stream, worth_trying
from nhilint.parse.yamlmarks import Stream, load_all_located
from tests.helpers import with_marks

LIMITS = Limits(max_nodes=400, max_aliases=20, max_depth=12, max_documents=6)
CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ledgers.payments.example.com
  labels: {app.kubernetes.io/part-of: payments, replicas: 3, enabled: true, nothing: null, "quoted": 'x'}
  annotations:
    controller-gen.kubebuilder.io/version: v0.16.1
    description: |
      Ledgers of the day's payments,
      one per region.
  finalizers: [a, 'b', "c"]
spec:
  group: payments.example.com
  names: {kind: Ledger, plural: ledgers}
  versions:
  - name: v1
    served: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [region]
            properties:
              region: {type: string, description: "where: the region"}
"""


def _full(text: str, limits: Limits) -> Stream:
    skim = kubernetes._skim(reads_body)
    return load_all_located(text, limits, rbac_broader, skim)


def _seen(stream: Stream) -> Any:
    return [(with_marks(d.value), d.line, d.duplicates) for d in stream.documents], stream.problems


# Read from the events, and equal to composing.
TAKEN = {
    "one CRD": CRD,
    "several CRDs, a leading and a trailing separator": "---\n" + CRD + "---\n" + CRD.replace("ledgers", "audits"),
    "empty documents and comments": "# generated\n---\n---\n" + CRD + "...\n---\n# end\n",
    "kind after the spec": CRD.replace("kind: CustomResourceDefinition\n", "") + "kind: CustomResourceDefinition\n",
    "quoted top-level keys": CRD.replace("apiVersion:", '"apiVersion":').replace("kind: Cus", "'kind': Cus"),
    "a flow document": '{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",'
    ' "metadata": {"name": "x", "labels": {"a": "1"}}, "spec": {"group": "g", "x": [1, [2, {"y": 3}]]}}\n',
    "a scalar document": CRD + "---\njust text\n",
    "no metadata": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {a: [1, 2]}\n",
}
# Declined: the usual reader reports or builds these.
DECLINED = {
    "a key written twice in the spec": CRD + "  group: again\n",
    "a key written twice in the metadata": CRD.replace("  finalizers:", "  name: again\n  finalizers:"),
    "an anchor and an alias": CRD.replace("group: payments.example.com", "group: &g payments") + "  copy: *g\n",
    "a tag": CRD.replace("type: object\n        properties", "type: !custom object\n        properties"),
    "a short-form tag": CRD.replace("served: true", "served: !Ref Served"),
    "a merge key": CRD + "  <<: {extra: 1}\n",
    "a number as key": CRD + "  1: one\n",
    "a boolean as key": CRD + "  yes: sure\n",
    "a null as key": CRD + "  ~: nothing\n",
    "a collection as key": CRD + "  ? [a, b]\n  : pair\n",
    "a read kind": CRD + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ledger}\n",
    "a List": "apiVersion: v1\nkind: List\nitems: []\n",
    "no kind": CRD.replace("kind: CustomResourceDefinition\n", ""),
    "a kind that is not a scalar": CRD.replace("kind: CustomResourceDefinition", "kind: [CustomResourceDefinition]"),
    "a sequence document": CRD + "---\n- a\n- b\n",
    "too many nodes": CRD + "  many: [" + ", ".join(["x"] * 400) + "]\n",
    "nested too deeply": CRD + "  deep: " + "[" * 12 + "]" * 12 + "\n",
    "too many documents": "---\n".join([CRD] * 7),
    "a syntax error after a good document": CRD + "---\n" + CRD + "  broken: [unclosed\n",
}


@pytest.mark.parametrize("case", list(TAKEN))
def test_events_give_what_composing_gives(case: str) -> None:
    text = TAKEN[case]
    stream = skim_stream(text, LIMITS, reads_body)
    assert stream is not None
    assert _seen(stream) == _seen(_full(text, LIMITS))


@pytest.mark.parametrize("case", list(DECLINED))
def test_what_events_do_not_handle_is_declined(case: str) -> None:
    assert skim_stream(DECLINED[case], LIMITS, reads_body) is None


def test_bounds_are_declined_exactly_where_composing_reports_them() -> None:
    """At the node and depth limits the events are read; one past them, declined (and reported as before)."""
    base = len([n for n in _nodes(CRD)])
    at_limit = CRD + "  many: [" + ", ".join(["x"] * (LIMITS.max_nodes - base - 2)) + "]\n"
    assert skim_stream(at_limit, LIMITS, reads_body) is not None and not _full(at_limit, LIMITS).problems
    over = at_limit.replace("[x,", "[x, x,", 1)
    assert skim_stream(over, LIMITS, reads_body) is None and _full(over, LIMITS).problems
    deep = CRD + "  deep: " + "[" * (LIMITS.max_depth - 1) + "]" * (LIMITS.max_depth - 1) + "\n"
    assert skim_stream(deep, LIMITS, reads_body) is not None and not _full(deep, LIMITS).problems
    deeper = deep.replace("deep: [", "deep: [[", 1).replace("]\n", "]]\n", 1)
    assert skim_stream(deeper, LIMITS, reads_body) is None and _full(deeper, LIMITS).problems


def _nodes(text: str) -> list[object]:
    import yaml

    def walk(node: yaml.Node) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode):
            return [node]
        items = node.value if isinstance(node, yaml.SequenceNode) else [part for pair in node.value for part in pair]
        return [node, *(n for item in items for n in walk(item))]

    return [n for document in yaml.compose_all(text, Loader=yaml.SafeLoader) for n in walk(document)]


def test_which_files_are_tried() -> None:
    large = CRD + "  padding: '" + "x" * MIN_CHARS + "'\n"
    assert worth_trying(large, reads_body)
    assert not worth_trying(CRD, reads_body)  # small
    assert not worth_trying(large + "---\napiVersion: v1\nkind: Secret\n", reads_body)  # an object read
    assert not worth_trying(large.replace("kind: Cus", "kind: RoleList\nx: Cus"), reads_body)
    assert not worth_trying("  " + large.replace("\n", "\n  "), reads_body)  # no top-level kind line


def test_a_large_file_parses_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "---\n".join(CRD.replace("ledgers", f"l{n}") + "  padding: '" + "x" * 4000 + "'\n" for n in range(9))
    assert worth_trying(text, reads_body)
    fast = parse_text(text, "crds.yaml", reads=reads_body)
    monkeypatch.setattr(manifest_skim, "worth_trying", lambda text, reads: False)
    usual = parse_text(text, "crds.yaml", reads=reads_body)
    assert [(o.kind, o.location, with_marks(o.body)) for o in fast.objects] == [
        (o.kind, o.location, with_marks(o.body)) for o in usual.objects
    ]
    assert (fast.errors, fast.lines) == (usual.errors, usual.lines)
    assert len(fast.objects) == 9
