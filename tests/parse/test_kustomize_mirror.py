"""An overlay is rendered from a slim mirror (resource files of skimmed objects cut to their metadata) only where
that reads the same as the real tree: same findings and inventory, pointing at the real files and lines; the
real tree otherwise, and whenever the slim render fails."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from nhilint.api import Report, scan
from nhilint.extract.manifests.objects import reads_body
from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.parse import kustomize, kustomize_mirror
from nhilint.parse.kustomize_mirror import WRAPPER, plan
from nhilint.parse.kustomize_stub import stub
from nhilint.report.json_report import render_scan
from tests.helpers import config_for, triples, write_tree

KUBECTL = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
SCHEMA = "".join(f"                field{n}:\n                  type: string\n" for n in range(40))


def _crd(plural: str, group: str) -> str:
    return f"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.{group}
  labels:
    app.kubernetes.io/part-of: platform
  annotations:
    controller-gen.kubebuilder.io/version: v0.14.0
spec:
  group: {group}
  names: {{kind: {plural.title()[:-1]}, plural: {plural}}}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
{SCHEMA}"""


OPERATOR = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: platform-operator
  namespace: platform-system
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: platform-operator
  namespace: platform-system
spec:
  selector:
    matchLabels: {app: platform-operator}
  template:
    metadata:
      labels: {app: platform-operator}
    spec:
      serviceAccountName: platform-operator
      containers:
        - name: operator
          image: registry.example.com/platform-operator:1.4.2
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: platform-operator-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: platform-operator
    namespace: platform-system
"""
DASHBOARD = """apiVersion: v1
kind: ConfigMap
metadata:
  name: grafana-dashboard-payments
  namespace: monitoring
  labels: {grafana_dashboard: "1"}
data:
  payments.json: |-
    {"title": "payments", "panels": []}
"""
NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: platform-system\n  labels: {team: platform}\n"
SA_PATCH = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: platform-operator
  namespace: platform-system
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/prod-platform-operator
"""
PLATFORM = {
    "platform/kustomization.yaml": "resources:\n  - crds/monitoring.yaml\n  - crds/db.yaml\n"
    "  - dashboards/payments.yaml\n  - operator/namespace.yaml\n  - operator/operator.yaml\n",
    "platform/crds/monitoring.yaml": _crd("alertmanagers", "monitoring.example.io")
    + "---\n"
    + _crd("probes", "monitoring.example.io"),
    "platform/crds/db.yaml": _crd("clusters", "db.example.io"),
    "platform/dashboards/payments.yaml": DASHBOARD,
    "platform/operator/namespace.yaml": NAMESPACE,
    "platform/operator/operator.yaml": OPERATOR,
    "overlays/prod/kustomization.yaml": "namePrefix: prod-\ncommonLabels:\n  env: prod\n"
    "resources:\n  - ../../platform\npatches:\n  - path: operator-patch.yaml\n",
    "overlays/prod/operator-patch.yaml": SA_PATCH,
}
PROD = "overlays/prod/kustomization.yaml"


def _plan(tmp_path: Path, files: dict[str, str], limits: Limits = DEFAULT_LIMITS) -> kustomize_mirror.Plan | None:
    write_tree(tmp_path, files)
    return plan(tmp_path / PROD, tmp_path, reads_body, limits, {})


def _scan(root: Path, monkeypatch: pytest.MonkeyPatch, slim: bool) -> tuple[Report, list[Any]]:
    """The report, and what each slim render gave (None: it was not used)."""
    given: list[Any] = []

    def planned(*args: Any) -> kustomize_mirror.Plan | None:
        found = plan(*args) if slim else None
        given.append(found)
        return found

    monkeypatch.setattr(kustomize, "plan", planned)
    return scan([root], config_for(root), root), given


def _same(root: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    full, _ = _scan(root, monkeypatch, slim=False)
    slim, given = _scan(root, monkeypatch, slim=True)
    assert any(given)  # the slim render was used
    assert render_scan(slim) == render_scan(full)
    assert slim.inventory == full.inventory
    return slim


def test_the_plan_stubs_files_of_skimmed_objects_only(tmp_path: Path) -> None:
    found = _plan(tmp_path, PLATFORM)
    assert found is not None
    root = tmp_path.resolve()
    stubbed = {str(p.relative_to(root)) for p, cut in found.files.items() if cut is not None}
    copied = {str(p.relative_to(root)) for p, cut in found.files.items() if cut is None}
    assert stubbed == {"platform/crds/monitoring.yaml", "platform/crds/db.yaml", "platform/operator/namespace.yaml"}
    assert copied == {  # read objects, kustomizations and patches as written
        "platform/kustomization.yaml",
        "platform/dashboards/payments.yaml",
        "platform/operator/operator.yaml",
        "overlays/prod/kustomization.yaml",
        "overlays/prod/operator-patch.yaml",
    }
    assert found.directory == root / "overlays/prod"


def test_a_stub_keeps_each_documents_metadata_as_written() -> None:
    text = (
        "---\n"
        + _crd("probes", "monitoring.example.io")
        + "---\n---\n"
        + "apiVersion: v1\nkind: Namespace\nmetadata: {name: edge,\n  labels: {enabled: yes}}\nspec: {}\n"
    )
    cut = stub(text, reads_body, DEFAULT_LIMITS)
    assert cut is not None
    assert cut.kinds == {"CustomResourceDefinition", "Namespace"}
    assert cut.text == (
        'apiVersion: "apiextensions.k8s.io/v1"\nkind: "CustomResourceDefinition"\nmetadata:\n'
        "  name: probes.monitoring.example.io\n  labels:\n    app.kubernetes.io/part-of: platform\n"
        "  annotations:\n    controller-gen.kubebuilder.io/version: v0.14.0\n"
        "---\n"
        'apiVersion: "v1"\nkind: "Namespace"\nmetadata:\n'
        "          {name: edge,\n  labels: {enabled: yes}}\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        NAMESPACE + "---\n" + SA_PATCH,  # a read object beside a skimmed one
        "apiVersion: v1\nkind: Namespace\nmetadata: &m\n  name: a\n",  # an anchor
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n",  # a key written twice
        "apiVersion: v1\nkind: Namespace\nspec: {}\n",  # no metadata
        "apiVersion: v1\nkind: Namespace\nmetadata: a\n",  # metadata that is not a mapping
        "apiVersion: v1\nkind: NamespaceList\nitems: []\n",  # a List
        "- apiVersion: v1\n  kind: Namespace\n",  # a sequence document
        "%YAML 1.1\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",  # a directive
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\nspec: [\n",  # a syntax error
        "",  # nothing to stub
    ],
)
def test_a_file_kustomize_might_read_differently_is_copied_as_written(text: str) -> None:
    assert stub(text, reads_body, DEFAULT_LIMITS) is None


def test_a_document_over_the_limits_is_copied_as_written() -> None:
    assert stub(_crd("probes", "monitoring.example.io"), reads_body, Limits(max_nodes=50)) is None


CRD_TARGET = "  - target: {group: apiextensions.k8s.io, version: v1, kind: CustomResourceDefinition, name: probes.x}\n"
FULL = {
    "a patch targeting a CRD": {
        PROD: "resources: [../../platform]\npatches:\n"
        + CRD_TARGET
        + "    patch: '[{op: remove, path: /spec/versions/0/schema}]'\n"
    },
    "a JSON 6902 patch of a CRD": {
        PROD: "resources: [../../platform]\npatchesJson6902:\n" + CRD_TARGET + "    path: crd-patch.yaml\n",
        "overlays/prod/crd-patch.yaml": "- op: remove\n  path: /spec/versions/0/schema\n",
    },
    "a strategic merge patch of a skimmed kind": {
        PROD: "resources: [../../platform]\npatchesStrategicMerge:\n  - ns-patch.yaml\n",
        "overlays/prod/ns-patch.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: platform-system\n",
    },
    "an inline strategic merge patch of a CRD": {
        PROD: "resources: [../../platform]\npatches:\n  - patch: |-\n"
        "      apiVersion: apiextensions.k8s.io/v1\n      kind: CustomResourceDefinition\n"
        "      metadata: {name: probes.monitoring.example.io}\n",
    },
    "a label selector": {
        PROD: "resources: [../../platform]\npatches:\n  - path: operator-patch.yaml\n"
        "    target: {kind: ServiceAccount, labelSelector: team=platform}\n",
    },
    "a target without a kind": {
        PROD: "resources: [../../platform]\npatches:\n  - path: operator-patch.yaml\n"
        "    target: {name: platform-operator}\n"
    },
    "a target kind held by a stub": {
        PROD: "resources: [../../platform]\npatches:\n  - path: operator-patch.yaml\n"
        "    target: {kind: CustomResourceDefinition}\n",
    },
    "replacements": {
        PROD: "resources: [../../platform]\nreplacements:\n  - source: {kind: Namespace, name: platform-system}\n"
        "    targets: [{select: {kind: ServiceAccount}, fieldPaths: [metadata.annotations.ns]}]\n",
    },
    "vars": {PROD: "resources: [../../platform]\nvars:\n  - name: NS\n    objref: {kind: Namespace, name: x}\n"},
    "crds": {PROD: "resources: [../../platform]\ncrds: [../../platform/crds/db.yaml]\n"},
    "a transformer plugin": {PROD: "resources: [../../platform]\ntransformers: [../../platform/crds/db.yaml]\n"},
    "a key not known here": {PROD: "resources: [../../platform]\nnewFeature: true\n"},
    "a base with replacements": {
        "platform/kustomization.yaml": PLATFORM["platform/kustomization.yaml"]
        + "replacements:\n  - path: replacement.yaml\n",
        "platform/replacement.yaml": "source: {kind: Namespace, name: platform-system}\ntargets: []\n",
    },
}


@pytest.mark.parametrize("case", list(FULL))
def test_the_real_tree_is_rendered_when_the_mirror_might_differ(case: str, tmp_path: Path) -> None:
    assert _plan(tmp_path, {**PLATFORM, **FULL[case]}) is None


def test_the_real_tree_is_rendered_over_the_limits_or_through_a_link(tmp_path: Path) -> None:
    assert _plan(tmp_path, PLATFORM, Limits(max_file_bytes=4096)) is None
    (tmp_path / "platform/crds/db.yaml").unlink()
    (tmp_path / "platform/crds/db.yaml").symlink_to("monitoring.yaml")
    assert plan(tmp_path / PROD, tmp_path, reads_body, DEFAULT_LIMITS, {}) is None


@pytest.mark.parametrize(("behavior", "slim"), [("merge", False), ("replace", False), ("create", True)])
def test_a_generator_merging_into_a_stubbed_kind_renders_the_real_tree(
    behavior: str, slim: bool, tmp_path: Path
) -> None:
    write_tree(tmp_path, PLATFORM)
    (tmp_path / PROD).write_text(
        "resources: [../../platform]\nconfigMapGenerator:\n  - name: grafana-dashboard-payments\n"
        f"    namespace: monitoring\n    behavior: {behavior}\n    literals: [a=b]\n"
    )
    found = plan(tmp_path / PROD, tmp_path, lambda _, kind: kind == "ServiceAccount", DEFAULT_LIMITS, {})
    assert (found is not None) == slim  # ConfigMaps skimmed here: the dashboard is a stub


def test_a_scan_root_named_through_a_link_is_mirrored(tmp_path: Path) -> None:
    write_tree(tmp_path / "repo", PLATFORM)
    (tmp_path / "checkout").symlink_to("repo")
    root = tmp_path / "checkout"
    found = plan(root / PROD, root, reads_body, DEFAULT_LIMITS, {})
    assert found is not None
    assert found.directory == (tmp_path / "repo/overlays/prod").resolve()


def test_nothing_to_stub_renders_the_real_tree(tmp_path: Path) -> None:
    files = {k: v for k, v in PLATFORM.items() if "crds" not in k and "namespace" not in k}
    files["platform/kustomization.yaml"] = "resources:\n  - dashboards/payments.yaml\n  - operator/operator.yaml\n"
    assert _plan(tmp_path, files) is None


def test_a_wrapper_name_taken_in_the_scan_root_renders_the_real_tree(tmp_path: Path) -> None:
    assert _plan(tmp_path, {**PLATFORM, f"{WRAPPER}/notes.txt": "kept\n"}) is None


@KUBECTL
def test_slim_and_full_renders_read_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, PLATFORM)
    report = _same(tmp_path, monkeypatch)
    identity = report.inventory.identities["kubernetes:ServiceAccount/platform-system/prod-platform-operator"]
    assert identity.location.path == "platform/operator/operator.yaml"  # the real file and lines
    assert (identity.location.start_line, identity.location.end_line) == (1, 5)
    assert [(u.workload, u.location.path, u.location.start_line) for u in report.inventory.usages] == [
        ("Deployment/platform-system/platform-operator", "platform/operator/operator.yaml", 7),
        ("Deployment/platform-system/prod-platform-operator", "platform/operator/operator.yaml", 7),
    ]
    assert "kustomization overlays/prod/kustomization.yaml" in [r.what for r in report.inventory.rendered]
    prod = "kubernetes:ServiceAccount/platform-system/prod-platform-operator"
    assert [t for t in triples(report) if t[3] == prod] == [
        ("NHI-EXP-004", "platform/operator/operator.yaml", 1, prod),
        ("NHI-OWN-001", "platform/operator/operator.yaml", 1, prod),
        ("NHI-PRIV-004", "platform/operator/operator.yaml", 24, prod),  # the ClusterRoleBinding, prefixed
    ]


@KUBECTL
def test_slim_and_full_renders_read_the_same_with_a_namespace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, PLATFORM)
    (tmp_path / PROD).write_text(
        "namespace: payments\nnameSuffix: -v2\ncommonAnnotations: {owner: platform-team}\n"
        "resources:\n  - ../../platform\npatchesStrategicMerge:\n  - operator-patch.yaml\n"
    )
    report = _same(tmp_path, monkeypatch)
    assert "kubernetes:ServiceAccount/payments/platform-operator-v2" in report.inventory.identities


@pytest.fixture
def failing_slim_kubectl(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `kubectl` that fails on the mirror and prints one ServiceAccount for the real tree."""
    bin_dir = tmp_path_factory.mktemp("bin")
    calls = bin_dir / "calls"
    script = bin_dir / "kubectl"
    script.write_text(
        f"""#!/bin/sh
echo "$@" >> {calls}
case "$2" in *{WRAPPER}*) echo "error: boom" >&2; exit 1;; esac
printf 'apiVersion: v1\\nkind: ServiceAccount\\nmetadata:\\n  name: rendered\\n'
""",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return calls


def test_a_slim_render_that_fails_renders_the_real_tree(tmp_path: Path, failing_slim_kubectl: Path) -> None:
    write_tree(tmp_path, PLATFORM)
    kubectl = shutil.which("kubectl")
    assert kubectl is not None
    rendered = kustomize.render(kubectl, tmp_path / PROD, tmp_path, reads=reads_body)
    assert isinstance(rendered, kustomize.Rendered)
    assert rendered.text == "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: rendered\n"
    assert rendered.origin_base.name == "wrapper"  # the real tree's wrapper, in the sandbox
    first, second = failing_slim_kubectl.read_text().splitlines()
    assert f"mirror/{WRAPPER}" in first and "mirror" not in second


def test_the_mirror_reads_only_regular_files_it_opens_without_following_links(tmp_path: Path) -> None:
    """A file swapped for a link or a pipe after the mirror was planned is never read (nor blocks the scan)."""
    from nhilint.parse import kustomize_mirror

    outside = tmp_path / "outside.yaml"
    outside.write_text("kind: Secret\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(outside)
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    for path in (link, pipe):
        with pytest.raises(kustomize_mirror._Full):
            kustomize_mirror._regular_bytes(path, 1 << 20)
    with pytest.raises(kustomize_mirror._Full):
        kustomize_mirror._regular_bytes(outside, 4)  # over the limit
    assert kustomize_mirror._regular_bytes(outside, 1 << 20) == b"kind: Secret\n"


def _deep_crd(depth: int, lines: int) -> str:
    """A CustomResourceDefinition written as compact JSON, nested `depth` deep, with a `lines`-line string."""
    import json

    body: Any = {"description": "a\n" * lines}
    for level in range(depth):
        body = {f"p{level}": body}
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "deeps.example.io"},
        "spec": {"group": "example.io", "schema": body},
    }
    return json.dumps(crd, separators=(",", ":")) + "\n"


def test_what_a_stub_hides_is_counted_at_what_kustomize_may_print() -> None:
    """kustomize re-indents JSON: a 7 KB document nested 150 deep prints about 0.6 MB. The slim render must not
    pass under `max_file_bytes` what the real render prints over it."""
    from nhilint.parse.kustomize_stub import printed_size, stub

    text = _deep_crd(150, 2000)
    cut = stub(text, reads_body, DEFAULT_LIMITS)
    assert cut is not None and len(text) < 10_000
    assert cut.printed > 600_000
    assert printed_size("plain", 0) < printed_size("plain", 10) < printed_size('"quoted"\n\\', 10)
    assert printed_size("é", 0) >= 6  # `\u00e9`


@KUBECTL
def test_the_printed_estimate_covers_kubectls_output(tmp_path: Path) -> None:
    import subprocess

    from nhilint.parse.kustomize_stub import stub

    text = _deep_crd(150, 2000)
    write_tree(tmp_path, {"base/kustomization.yaml": "resources:\n  - crd.json\n", "base/crd.json": text})
    printed = subprocess.run(
        ["kubectl", "kustomize", str(tmp_path / "base")], capture_output=True, text=True, check=True
    ).stdout
    cut = stub(text, reads_body, DEFAULT_LIMITS)
    assert cut is not None and cut.printed >= len(printed) > 500_000
