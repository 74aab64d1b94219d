"""Garbage in: a mutated file never raises out of scan(), shows up as NHI-PARSE-* when it does not parse,
and costs no other file a finding.

Each example scans a clean tree (one format, its own directory) next to a `dirty/` neighbour twice: once with
the neighbour as rendered, once mutated. The clean files' findings must be identical in both scans (comparing
against the pristine neighbour rather than none keeps Terraform's per-root id prefix the same). The dirty
model lives in its own namespace and names, so nothing in it can legitimately change a clean finding.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nhilint.api import Report, scan
from nhilint.discover import NotText, kind_of
from nhilint.model import Finding
from tests.fuzz import render
from tests.fuzz.layout import CANONICAL, Layout, layouts
from tests.fuzz.model import AwsIdentity, CloudModel, K8sModel, cloud_models, k8s_models
from tests.fuzz.mutate import mutated, parses
from tests.helpers import config_for, write_tree

pytestmark = pytest.mark.fuzz

Renderer = Callable[[Layout, str], dict[str, str]]


def _lab(model: CloudModel) -> CloudModel:
    """The same shapes under other names (`lab_*`), so the dirty tree shares no name with the clean one."""

    def rename(identity: AwsIdentity) -> AwsIdentity:
        return replace(identity, label=f"lab_{identity.label}", name=f"lab-{identity.name}")

    return replace(
        model,
        identities=tuple(map(rename, model.identities)),
        modules=tuple(replace(m, identities=tuple(map(rename, m.identities))) for m in model.modules),
        gcp=tuple(replace(a, label=f"lab_{a.label}", account_id=f"lab-{a.account_id}") for a in model.gcp),
    )


def _lab_k8s(model: K8sModel) -> K8sModel:
    return replace(
        model,
        roles=tuple(replace(r, name=f"lab-{r.name}") for r in model.roles),
        bindings=tuple(
            replace(b, name=f"lab-{b.name}", role_name=f"lab-{b.role_name}")
            if any(r.name == b.role_name for r in model.roles)
            else replace(b, name=f"lab-{b.name}")
            for b in model.bindings
        ),
    )


def _scan(clean: dict[str, str], dirty_path: str, dirty: bytes) -> tuple[Report, list[Finding]]:
    with tempfile.TemporaryDirectory(prefix="nhilint-garbage-") as directory:
        root = Path(directory)
        write_tree(root, clean)
        target = root / dirty_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(dirty)
        report = scan([root], config_for(root), root)
    return report, [f for f in report.findings if not f.location.path.startswith("dirty/")]


@dataclass(frozen=True)
class Outcome:
    """What a mutated neighbour did to a scan."""

    before: list[Finding]  # the clean files' findings beside the neighbour as rendered
    after: list[Finding]  # ... beside the mutated neighbour
    problems: list[Finding]  # NHI-PARSE-* findings on the mutated file
    read: bool  # the mutated file is in the inventory's files (read, or reported)
    looks_like_code: bool  # discovery takes it for infrastructure code
    parses: bool  # its format's parser accepts it


def check_garbage(clean: dict[str, str], dirty_files: dict[str, str], choose: int, data: st.DataObject) -> Outcome:
    paths = sorted(dirty_files)
    path = paths[choose % len(paths)]
    text = dirty_files[path]
    garbage = data.draw(mutated(text, path), label="mutated")
    _, before = _scan(clean, f"dirty/{path}", text.encode())
    report, after = _scan(clean, f"dirty/{path}", garbage)
    problems = [f for f in report.findings if f.rule_id.startswith("NHI-PARSE") and f.location.path == f"dirty/{path}"]
    with tempfile.TemporaryDirectory() as directory:  # classified as infrastructure code, as discovery sees it
        probe = Path(directory) / path.rsplit("/", 1)[-1]
        probe.write_bytes(garbage)
        try:
            looks_like_code = kind_of(probe) is not None
        except NotText:  # binary and unclassified: reported, not skipped
            looks_like_code = True
    read = f"dirty/{path}" in report.inventory.files
    return Outcome(before, after, problems, read, looks_like_code, parses(garbage, path))


def assert_contained(outcome: Outcome) -> None:
    """The clean files keep their findings; infrastructure code that does not parse is an NHI-PARSE finding,
    and infrastructure code is never dropped without a word (read, or reported)."""
    assert outcome.after == outcome.before
    if outcome.looks_like_code:
        assert outcome.read or outcome.problems, "infrastructure code neither read nor reported"
        if not outcome.parses:
            assert outcome.problems, "a file that does not parse produced no NHI-PARSE finding"


@given(cloud_models(max_identities=2), cloud_models(max_identities=2), layouts, st.integers(0, 9), st.data())
def test_terraform_garbage(
    clean: CloudModel, dirty: CloudModel, layout: Layout, choose: int, data: st.DataObject
) -> None:
    files = {f"clean/{p}": t for p, t in render.terraform(clean, CANONICAL).items()}
    outcome = check_garbage(files, render.terraform(_lab(dirty), layout), choose, data)
    assert outcome.looks_like_code  # a .tf file always is
    assert_contained(outcome)


@given(cloud_models(max_identities=2), cloud_models(max_identities=2), layouts, st.booleans(), st.data())
def test_cloudformation_garbage(
    clean: CloudModel, dirty: CloudModel, layout: Layout, as_json: bool, data: st.DataObject
) -> None:
    files, _ = render.cloudformation(clean, CANONICAL, directory="clean/")
    dirty_files, _ = render.cloudformation(_lab(dirty), layout, as_json, directory="")
    assert_contained(check_garbage(files, dirty_files, 0, data))


@given(
    k8s_models(max_accounts=2),
    k8s_models(max_accounts=2, namespaces=("sandbox", "lab")),
    layouts,
    st.integers(0, 9),
    st.data(),
)
def test_kubernetes_garbage(clean: K8sModel, dirty: K8sModel, layout: Layout, choose: int, data: st.DataObject) -> None:
    outcome = check_garbage(
        render.kubernetes(clean, CANONICAL, "clean/"), render.kubernetes(_lab_k8s(dirty), layout, ""), choose, data
    )
    assert_contained(outcome)


@given(
    cloud_models(max_identities=2),
    st.sampled_from(("main.tf", "template.yaml", "manifests.yaml")),
    st.binary(max_size=600),
)
def test_random_bytes_beside_clean_code(clean: CloudModel, name: str, noise: bytes) -> None:
    """Pure noise (behind a header that makes discovery take it for a template or a manifest)."""
    header = {
        "main.tf": b"",
        "template.yaml": b'AWSTemplateFormatVersion: "2010-09-09"\n',
        "manifests.yaml": b"apiVersion: v1\nkind: ServiceAccount\n",
    }[name]
    files = {f"clean/{p}": t for p, t in render.terraform(clean, CANONICAL).items()}
    _, before = _scan(files, f"dirty/{name}", header)
    report, after = _scan(files, f"dirty/{name}", header + noise)
    assert after == before
    if not parses(header + noise, name):
        assert any(f.rule_id.startswith("NHI-PARSE") for f in report.findings if f.location.path == f"dirty/{name}")
