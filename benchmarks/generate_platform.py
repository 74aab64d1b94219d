"""Add a platform layer to a generated Kubernetes tree: what makes real clusters' repositories slow to read.

    python benchmarks/generate.py OUT_DIR --format kubernetes --files 600 --platform

Layout added under OUT/platform/::

    crds/<group>-<kind>.yaml          large CustomResourceDefinitions (deep openAPIV3Schema, thousands of
                                      lines each), as operators ship them
    dashboards/<name>.yaml            Grafana dashboards: ConfigMaps holding a large JSON document as a string
    operator/*.yaml                   the operator's ServiceAccount, ClusterRole and binding, Deployment
    kustomization.yaml                a plain list of every local manifest of platform/ (as kube-prometheus
                                      ships): nothing to render, nhilint reads it as the files it names
OUT/overlays/<env>/kustomization.yaml an overlay of platform/ with a patch and a name prefix: needs kubectl

Nothing here is an identity except the operator's ServiceAccount, so the figures show what reading the rest
costs.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from generate_k8s import ManifestDumper

GROUPS = ("monitoring.example.io", "networking.example.io", "storage.example.io", "db.example.io")
KINDS = ("Alertmanager", "Prometheus", "ThanosRuler", "Gateway", "Route", "Volume", "Snapshot", "Cluster", "Backup")
TYPES = ("string", "integer", "boolean")


def _dump(documents: list[dict[str, Any]]) -> str:
    import yaml

    return yaml.dump_all(documents, Dumper=ManifestDumper, sort_keys=False, width=10_000, explicit_start=True)


def _schema(rng: random.Random, depth: int, width: int) -> dict[str, Any]:
    """An openAPIV3Schema object: nested properties with descriptions, as controller-gen writes them."""
    properties: dict[str, Any] = {}
    for index in range(width):
        name = f"{rng.choice(('field', 'spec', 'config', 'policy', 'selector', 'template'))}{index}"
        description = f"{name} configures the {rng.choice(KINDS).lower()} behaviour. " * rng.randint(1, 3)
        if depth > 0 and rng.random() < 0.35:
            child = _schema(rng, depth - 1, max(2, width - 2))
            properties[name] = {"description": description.strip(), "type": "object", **child}
        elif rng.random() < 0.2:
            properties[name] = {
                "description": description.strip(),
                "type": "array",
                "items": {"type": rng.choice(TYPES)},
            }
        else:
            properties[name] = {"description": description.strip(), "type": rng.choice(TYPES)}
    return {"properties": properties, "required": sorted(properties)[:2]}


def crd(rng: random.Random, group: str, kind: str) -> dict[str, Any]:
    plural = kind.lower() + "s"
    schema = {"type": "object", **_schema(rng, 5, 9)}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}", "annotations": {"controller-gen.kubebuilder.io/version": "v0.14.0"}},
        "spec": {
            "group": group,
            "names": {"kind": kind, "listKind": f"{kind}List", "plural": plural, "singular": kind.lower()},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": version,
                    "served": True,
                    "storage": version == "v1",
                    "schema": {"openAPIV3Schema": schema},
                }
                for version in ("v1alpha1", "v1")
            ],
        },
    }


def dashboard(rng: random.Random, name: str) -> dict[str, Any]:
    panels = [
        {
            "id": index,
            "title": f"{name} panel {index}",
            "type": rng.choice(("timeseries", "stat", "table", "heatmap")),
            "gridPos": {"h": 8, "w": 12, "x": (index % 2) * 12, "y": index * 8},
            "targets": [
                {"expr": f'sum(rate(http_requests_total{{job="{name}",code=~"5.."}}[5m])) by (pod)', "refId": "A"}
            ],
            "fieldConfig": {"defaults": {"unit": "reqps", "thresholds": {"steps": [{"color": "green"}]}}},
        }
        for index in range(rng.randint(40, 90))
    ]
    text = json.dumps({"title": name, "uid": name, "panels": panels, "schemaVersion": 39}, indent=2)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"grafana-dashboard-{name}",
            "namespace": "monitoring",
            "labels": {"grafana_dashboard": "1"},
        },
        "data": {f"{name}.json": text},
    }


def operator() -> list[dict[str, Any]]:
    meta = {"name": "platform-operator", "namespace": "platform-system"}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "platform-system"}},
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {**meta, "labels": {"owner": "team-platform"}},
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "platform-operator"},
            "rules": [{"apiGroups": [g], "resources": ["*"], "verbs": ["*"]} for g in GROUPS],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "platform-operator"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "platform-operator"},
            "subjects": [{"kind": "ServiceAccount", **meta}],
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta,
            "spec": {
                "selector": {"matchLabels": {"app": "platform-operator"}},
                "template": {
                    "metadata": {"labels": {"app": "platform-operator"}},
                    "spec": {
                        "serviceAccountName": "platform-operator",
                        "containers": [{"name": "manager", "image": "registry.example.com/platform/operator:1.4.2"}],
                    },
                },
            },
        },
    ]


def add_platform(out: Path, seed: int, crds: int = 36, dashboards: int = 24, envs: tuple[str, ...] = ()) -> int:
    """Write the platform layer; returns the number of files written."""
    rng = random.Random(seed * 7919)
    base = out / "platform"
    files: list[str] = []
    for index in range(crds):
        group, kind = GROUPS[index % len(GROUPS)], f"{KINDS[index % len(KINDS)]}{index}"
        rel = f"crds/{group.split('.')[0]}-{kind.lower()}.yaml"
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(_dump([crd(rng, group, kind)]), encoding="utf-8")
        files.append(rel)
    for index in range(dashboards):
        rel = f"dashboards/service-{index}.yaml"
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(_dump([dashboard(rng, f"service-{index}")]), encoding="utf-8")
        files.append(rel)
    (base / "operator").mkdir(parents=True, exist_ok=True)
    (base / "operator/operator.yaml").write_text(_dump(operator()), encoding="utf-8")
    files.append("operator/operator.yaml")
    listing = "".join(f"- ./{rel}\n" for rel in files)
    (base / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n" + listing, encoding="utf-8"
    )
    for env in envs:
        overlay = out / "overlays" / env
        overlay.mkdir(parents=True, exist_ok=True)
        (overlay / "kustomization.yaml").write_text(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            f"namePrefix: {env}-\nresources:\n- ../../platform\npatches:\n- path: operator-patch.yaml\n",
            encoding="utf-8",
        )
        (overlay / "operator-patch.yaml").write_text(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: platform-operator\n"
            f"  namespace: platform-system\n  annotations:\n    eks.amazonaws.com/role-arn: "
            f"arn:aws:iam::111122223333:role/{env}-platform-operator\n",
            encoding="utf-8",
        )
    return len(files) + 1 + 2 * len(envs)
