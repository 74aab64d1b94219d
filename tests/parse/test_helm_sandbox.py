"""Helm charts: rendered by `helm template` offline and sandboxed, or reported as not rendered.

helm is not installed on the machines that run these tests (and its releases are fetched from GitHub), so a
fake `helm` first on PATH stands in for it: it records its arguments, environment and HOME, then prints
what `helm template` prints for the chart below (or, per its `mode` file, fails, sleeps or floods)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from nhilint.model import Location
from nhilint.model_inputs import ParseError, Unresolved
from nhilint.parse import helm, sandbox
from tests.helpers import scan_tree, triples

CHART = {
    "charts/payments/Chart.yaml": "apiVersion: v2\nname: payments\nversion: 1.2.0\n",
    "charts/payments/values.yaml": "serviceAccount:\n  create: true\n",
    "charts/payments/templates/serviceaccount.yaml": """
        {{- if .Values.serviceAccount.create }}
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: {{ include "payments.fullname" . }}
        {{- end }}
        """,
    "charts/payments/templates/deployment.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ include "payments.fullname" . }}
        spec:
          template:
            spec:
              serviceAccountName: {{ include "payments.fullname" . }}
              containers:
                - name: api
                  image: "ghcr.io/acme/payments:{{ .Chart.AppVersion }}"
        """,
}
OUTPUT = """---
# Source: payments/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: release-name-payments
---
# Source: payments/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-name-payments
spec:
  template:
    spec:
      serviceAccountName: release-name-payments
      containers:
        - name: api
          image: "ghcr.io/acme/payments:1.2.0"
"""
SA_ID = "kubernetes:ServiceAccount/default/release-name-payments"


@pytest.fixture
def fake_helm(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir, records = tmp_path_factory.mktemp("bin"), tmp_path_factory.mktemp("records")
    (records / "output").write_text(OUTPUT, encoding="utf-8")
    script = bin_dir / "helm"
    script.write_text(
        f"""#!/bin/sh
echo "$@" >> {records}/calls
env > {records}/env
ls -A "$HOME" > {records}/home
pwd > {records}/cwd
mode=$(cat {records}/mode 2>/dev/null)
if [ "$mode" = sleep ]; then exec sleep 30; fi
if [ "$mode" = flood ]; then exec yes "# padding"; fi
if [ "$mode" = fail ]; then echo 'Error: template: x.yaml:3: function "nope" not defined' >&2; exit 1; fi
cat {records}/output
""",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return records


def test_chart_rendered_objects_point_at_their_templates(tmp_path: Path, fake_helm: Path) -> None:
    report = scan_tree(tmp_path, CHART)
    inventory = report.inventory
    assert str(inventory.identities[SA_ID].location) == "charts/payments/templates/serviceaccount.yaml:1"
    assert [(u.identity, u.workload, u.location.path) for u in inventory.usages] == [
        (SA_ID, "Deployment/default/release-name-payments", "charts/payments/templates/deployment.yaml")
    ]
    assert inventory.errors == []  # the templates' "render it first" errors are withdrawn
    assert inventory.unresolved == []
    calls = (fake_helm / "calls").read_text().split()
    assert calls[:2] == ["template", helm.RELEASE] and calls[-2:] == ["--namespace", "default"]
    assert Path(calls[2]) == (tmp_path / "charts/payments").resolve()


def test_helm_gets_a_minimal_environment(tmp_path: Path, fake_helm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "cluster.yaml"))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "from-the-user-environment")
    monkeypatch.setenv("HELM_REPOSITORY_CONFIG", "/home/someone/.config/helm/repositories.yaml")
    scan_tree(tmp_path, CHART)
    env = dict(line.split("=", 1) for line in (fake_helm / "env").read_text().splitlines() if "=" in line)
    home = env["HOME"]
    assert "AWS_SECRET_ACCESS_KEY" not in env
    assert env["KUBECONFIG"] != os.environ["KUBECONFIG"] and not Path(env["KUBECONFIG"]).is_relative_to(home)
    assert home != os.environ["HOME"] and not Path(home).exists()
    assert (fake_helm / "home").read_text() == ""
    assert all(env[name].startswith(home + os.sep) for name in helm.HELM_DIRECTORIES)
    assert env["HTTPS_PROXY"] == env["https_proxy"] == sandbox.NOWHERE
    expected = helm.helm_environment(sandbox.environment(home, env["KUBECONFIG"]), Path(home))
    assert {k: v for k, v in env.items() if k not in ("PWD", "SHLVL", "_", "OLDPWD")} == expected


def test_without_helm_the_chart_is_one_note_not_one_error_per_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chart is unread, so it is reported, once: an info note on its Chart.yaml (as an overlay without
    kubectl is), not a high parse error on each template that fails the build."""
    monkeypatch.setattr("shutil.which", lambda name, *args, **kwargs: None)
    report = scan_tree(tmp_path, CHART)
    assert report.inventory.unresolved == [
        Unresolved(
            "Helm chart charts/payments",
            "not rendered: helm is not installed (nhilint runs it offline if it is)",
            Location("charts/payments/Chart.yaml", 1, 1),
        )
    ]
    assert triples(report, "NHI-PARSE") == [("NHI-PARSE-002", "charts/payments/Chart.yaml", 1, None)]
    assert report.inventory.errors == []
    assert report.failing() == []  # the default fail_on (low) passes: as without kubectl, a note


def test_a_chart_helm_fails_on_is_one_note_too(tmp_path: Path, fake_helm: Path) -> None:
    (fake_helm / "mode").write_text("fail")
    report = scan_tree(tmp_path, CHART)
    assert triples(report, "NHI-PARSE") == [("NHI-PARSE-002", "charts/payments/Chart.yaml", 1, None)]
    assert report.inventory.errors == []


def test_other_parse_errors_and_templates_outside_a_chart_stay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the charts' "render it first" errors are covered by the chart's note: a broken plain YAML file in
    a chart, or a template with no chart around it, is still a parse error."""
    monkeypatch.setattr("shutil.which", lambda name, *args, **kwargs: None)
    files = {
        **CHART,
        "charts/payments/templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: [unclosed\n",
        "deploy/templates/serviceaccount.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n"
        "  name: {{ .Values.name }}\n",
    }
    report = scan_tree(tmp_path, files)
    assert triples(report, "NHI-PARSE") == [
        ("NHI-PARSE-002", "charts/payments/Chart.yaml", 1, None),
        ("NHI-PARSE-001", "charts/payments/templates/configmap.yaml", 4, None),  # the YAML ends unclosed
        ("NHI-PARSE-001", "deploy/templates/serviceaccount.yaml", 4, None),
    ]


def test_remote_dependency_is_refused_before_helm_runs(tmp_path: Path, fake_helm: Path) -> None:
    chart = dict(CHART)
    chart["charts/payments/Chart.yaml"] += (
        "dependencies:\n  - name: redis\n    version: 19.x\n    repository: https://charts.bitnami.com/bitnami\n"
    )
    report = scan_tree(tmp_path, chart)
    assert [u.reason for u in report.inventory.unresolved] == [
        "not rendered: dependency redis comes from https://charts.bitnami.com/bitnami; vendor it under charts/ "
        "(helm dependency build)"
    ]
    assert not (fake_helm / "calls").exists()


def test_vendored_dependency_and_subchart_render_with_the_parent(tmp_path: Path, fake_helm: Path) -> None:
    chart = dict(CHART)
    chart["charts/payments/Chart.yaml"] += (
        "dependencies:\n  - name: redis\n    version: 19.x\n    repository: https://charts.bitnami.com/bitnami\n"
    )
    chart["charts/payments/charts/redis/Chart.yaml"] = "apiVersion: v2\nname: redis\nversion: 19.0.0\n"
    scan_tree(tmp_path, chart)
    assert len((fake_helm / "calls").read_text().splitlines()) == 1  # the parent only


def test_link_out_of_the_root_is_refused(tmp_path: Path, fake_helm: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secrets.yaml").write_text("password: hunter2\n", encoding="utf-8")
    root = tmp_path / "repo"
    root.mkdir()
    files = {k: v for k, v in CHART.items()}
    from tests.helpers import write_tree

    write_tree(root, files)
    (root / "charts/payments/files").mkdir()
    (root / "charts/payments/files/secrets.yaml").symlink_to(outside / "secrets.yaml")
    assert helm.refusal(root / "charts/payments", root) == "files/secrets.yaml leaves the scan root"


def test_failure_time_and_output_are_bounded(tmp_path: Path, fake_helm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (fake_helm / "mode").write_text("fail")
    reasons = [u.reason for u in scan_tree(tmp_path / "a", CHART).inventory.unresolved]
    assert reasons == ['not rendered: helm template failed: Error: template: x.yaml:3: function "nope" not defined']
    (fake_helm / "mode").write_text("sleep")
    monkeypatch.setattr(helm, "TIMEOUT_SECONDS", 0.5)
    reasons = [u.reason for u in scan_tree(tmp_path / "b", CHART).inventory.unresolved]
    assert reasons == ["not rendered: helm template took longer than 0.5 s"]
    (fake_helm / "mode").write_text("flood")
    report = scan_tree(tmp_path / "c", {".nhilint.yaml": "limits:\n  max_file_bytes: 4096\n", **CHART})
    assert [e for e in report.inventory.errors if e.path.endswith("Chart.yaml")] == [
        ParseError(
            "charts/payments/Chart.yaml", 1, "helm template output is larger than max_file_bytes (4096)", "limit"
        )
    ]
