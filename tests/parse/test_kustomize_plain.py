"""A plain kustomization (local files, namespace, name prefix/suffix, labels, annotations) is applied by nhilint
itself, as kustomize would; kubectl renders only what needs kustomize, and never a base an overlay includes."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from nhilint.model import Location
from nhilint.parse.kubernetes import ManifestFile, parse_file
from nhilint.parse.kustomize_plain import apply, is_plain
from tests.helpers import scan_tree, write_tree

OBJECTS = """
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: orig
  labels: {owner: team-shop}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: plain
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: orig}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: orig}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: ServiceAccount, name: app, namespace: orig}
- {kind: ServiceAccount, name: default, namespace: other}
- {kind: ServiceAccount, name: plain}
- {kind: ServiceAccount, name: external, namespace: elsewhere}
- {kind: User, name: bob}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: viewer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: viewer}
subjects:
- {kind: ServiceAccount, name: app, namespace: orig}
- {kind: ServiceAccount, name: default, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: viewer}
rules: [{apiGroups: [""], resources: [pods], verbs: [list]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: plain
      containers: [{name: web, image: shop/web:1}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: default
          containers: [{name: report, image: shop/report:1}]
---
apiVersion: v1
kind: Secret
metadata:
  name: app-token
  annotations: {kubernetes.io/service-account.name: app}
type: kubernetes.io/service-account-token
---
apiVersion: v1
kind: Namespace
metadata: {name: orig}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.io}
spec: {group: example.io, names: {kind: Widget, plural: widgets}, scope: Namespaced, versions: []}
"""

KUSTOMIZATIONS = {
    "namespace, prefix, suffix, labels": """
        resources:
        - objects.yaml
        namespace: shop-prod
        namePrefix: prod-
        nameSuffix: -v2
        commonLabels: {team: shop}
        commonAnnotations: {contact: shop-oncall}
        """,
    "labels with templates": """
        resources: [objects.yaml]
        labels:
        - pairs: {tier: backend}
          includeTemplates: true
        - pairs: {env: prod}
        """,
    "namespace only": "resources: [objects.yaml]\nnamespace: payments\n",
    "plain list": "resources: [./objects.yaml]\n",
}


def _facts(documents: list[Any]) -> list[tuple[Any, ...]]:
    """What nhilint reads of each object: identity, labels and annotations, references."""
    out = []
    for doc in documents:
        meta = doc.get("metadata") or {}
        spec = doc.get("spec") or {}
        template = spec.get("template") or (spec.get("jobTemplate") or {}).get("spec", {}).get("template") or {}
        out.append(
            (
                doc["kind"],
                meta.get("namespace"),
                meta.get("name"),
                dict(meta.get("labels") or {}),
                dict(meta.get("annotations") or {}),
                dict((template.get("metadata") or {}).get("labels") or {}),
                dict((template.get("metadata") or {}).get("annotations") or {}),
                (template.get("spec") or {}).get("serviceAccountName"),
                (doc.get("roleRef") or {}).get("name"),
                [tuple(sorted(s.items())) for s in doc.get("subjects") or []],
                dict((spec.get("selector") or {}).get("matchLabels") or {}),
            )
        )
    return sorted(out, key=repr)


def _applied(root: Path) -> list[Any]:
    def read(file: Path) -> ManifestFile:
        return parse_file(file, file.relative_to(root.resolve()).as_posix())

    assert is_plain(root / "kustomization.yaml")
    return [o.body for o in apply(root / "kustomization.yaml", read).objects]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("case", list(KUSTOMIZATIONS))
def test_applied_as_kubectl_renders_it(case: str, tmp_path: Path) -> None:
    write_tree(tmp_path, {"objects.yaml": OBJECTS, "kustomization.yaml": KUSTOMIZATIONS[case]})
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(tmp_path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    expected = _facts([d for d in yaml.safe_load_all(rendered) if d])
    assert _facts(_applied(tmp_path.resolve())) == expected


def test_applied_without_kubectl_at_the_lines_of_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", os.fspath(tmp_path / "no-bin"))
    files = {
        "base/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  labels: {owner: team-shop}\n",
        "base/kustomization.yaml": "resources: [sa.yaml]\n",
        "prod/kustomization.yaml": "resources: [../base]\nnamespace: shop-prod\nnamePrefix: prod-\n",
    }
    report = scan_tree(tmp_path, files)
    assert report.inventory.unresolved == []
    ids = {
        i: (x.location, x.lifecycle.owner.value if x.lifecycle.owner else None)
        for i, x in report.inventory.identities.items()
    }
    assert ids == {
        "kubernetes:ServiceAccount/default/web": (Location("base/sa.yaml", 1, 5), "team-shop"),
        "kubernetes:ServiceAccount/shop-prod/prod-web": (Location("base/sa.yaml", 1, 5), "team-shop"),
    }


@pytest.mark.parametrize(
    "text",
    [
        "resources: [sa.yaml]\npatches:\n  - path: patch.yaml\n",
        "resources: [sa.yaml]\nconfigMapGenerator:\n  - name: settings\n    literals: [mode=fast]\n",
        "resources: [sa.yaml]\nlabels:\n  - pairs: {a: b}\n    fields: [{path: spec/x}]\n",
        "kind: Component\nresources: [sa.yaml]\n",
        "resources: [sa.yaml]\nreplacements: []\n",
    ],
)
def test_anything_else_is_not_plain(text: str, tmp_path: Path) -> None:
    write_tree(tmp_path, {"sa.yaml": "kind: ServiceAccount\n", "kustomization.yaml": text})
    assert not is_plain(tmp_path / "kustomization.yaml")


def test_a_base_an_overlay_renders_is_not_rendered_on_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    script = bin_dir / "kubectl"
    script.write_text(
        f'#!/bin/sh\necho "$@" >> {calls}\n'
        "printf 'apiVersion: v1\\nkind: ServiceAccount\\nmetadata:\\n  name: rendered\\n'\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    patch = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  annotations: {a: b}\n"
    files = {
        "repo/base/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n",
        "repo/base/kustomization.yaml": "resources: [sa.yaml]\npatches:\n  - path: sa.yaml\n",
        "repo/prod/kustomization.yaml": "resources: [../base]\npatches:\n  - path: patch.yaml\n",
        "repo/prod/patch.yaml": patch,
        "repo/staging/kustomization.yaml": "resources: [../base]\npatches:\n  - path: patch.yaml\n",
        "repo/staging/patch.yaml": patch,
    }
    report = scan_tree(tmp_path, {k: textwrap.dedent(v) for k, v in files.items()})
    assert report.inventory.unresolved == []
    rendered = sorted(Path(line.split()[-1]).name for line in calls.read_text().splitlines())
    assert rendered == ["wrapper", "wrapper"]  # prod and staging, each once; never base on its own
