"""Which values of a Kubernetes Secret are secrets (`nhilint.extract.manifests.secret_values`), and the usage a
custom resource's `spec.serviceAccountName` records."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from nhilint.extract.manifests.secret_values import MAX_VALUE, secret_keys
from nhilint.model import Location
from tests.helpers import scan_tree


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("values", "encoded", "secret_type", "expected"),
    [
        ({"grafana.ini": "[date_formats]\ndefault_timezone = UTC\n"}, False, "Opaque", []),
        ({"username": "orders", "password": "hunter2hunter2"}, False, None, ["password"]),
        ({"username": _b64("orders"), "password": _b64("toor")}, True, None, ["password"]),
        ({"config.env": _b64("LOG_LEVEL=info\nAPI_TOKEN=q7Zr2Lm9Xw4Tb1Kd\n")}, True, None, ["config.env"]),
        ({"config.env": _b64("LOG_LEVEL=info\nAPI_TOKEN=${API_TOKEN}\n")}, True, None, []),
        ({"tls.crt": "cert", "tls.key": "key"}, False, "kubernetes.io/tls", ["tls.key"]),  # the type says
        ({"password": "REPLACE_ME", "token": "<your-token>", "api-key": "xxxx"}, False, None, []),
        ({"id_rsa.pub": "ssh-ed25519 AAAAC3Nz", "signing.pub.key": "AAAAC3NzaC1lZDI1NTE5"}, False, None, []),
        ({"blob": "not base64!"}, True, None, ["blob"]),  # unreadable: fail closed
        # A file that starts with `<` is judged (only a whole one-line `<...>` is a placeholder).
        (
            {
                "s3.conf": _b64(
                    "<source>\n  @type tail\n</source>\n"
                    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
                )
            },
            True,
            None,
            ["s3.conf"],
        ),
        ({"fluent.conf": "<match **>\n  aws_key_id AKIAQ3EGRJ7NV5K2ZPXW\n</match>\n"}, False, None, ["fluent.conf"]),
        ({"password": "<path:kv/data/orders#password>", "api-key": "<orders-api-key>"}, False, None, []),
        ({"password": "<orders>Tr0ub4dor-3x"}, False, None, ["password"]),
        ({"blob": "x" * (MAX_VALUE + 1)}, False, None, ["blob"]),  # too large to judge: fail closed
    ],
)
def test_secret_keys(values: dict[str, str], encoded: bool, secret_type: str | None, expected: list[str]) -> None:
    assert secret_keys(values, encoded, secret_type) == expected


def test_a_custom_resource_runs_as_the_service_account_it_names(tmp_path: Path) -> None:
    manifest = """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: prometheus-k8s, namespace: monitoring}
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s, namespace: monitoring}
spec:
  serviceAccountName: prometheus-k8s
---
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: nightly, namespace: monitoring}
spec:
  serviceAccountName: missing
"""
    report = scan_tree(tmp_path, {"monitoring.yaml": manifest})
    usages = [(u.identity, u.workload, u.kind, u.location) for u in report.inventory.usages]
    assert usages == [
        (
            "kubernetes:ServiceAccount/monitoring/prometheus-k8s",
            "Prometheus/monitoring/k8s",
            "Prometheus",
            Location("monitoring.yaml", 5, 9),
        )
    ]
