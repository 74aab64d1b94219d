"""`kubectl kustomize` runs sandboxed: minimal environment, refusals before it runs, bounded time and output,
and no connection from nhilint or kubectl (a local listener stands in for the user's cluster)."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nhilint.api import Report, scan
from nhilint.model import Location
from nhilint.model_inputs import ParseError, Unresolved
from nhilint.parse import kustomize, sandbox
from tests.extract.test_k8s_manifests import KUSTOMIZE
from tests.helpers import config_for, scan_tree, write_tree

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SA = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n"
# A kustomization kubectl must render (a plain list of files is applied by nhilint itself, without kubectl).
PATCHED = "resources:\n  - sa.yaml\npatches:\n  - path: sa.yaml\n"


@pytest.fixture
def fake_kubectl(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `kubectl` first on PATH that records its environment and HOME, then prints one ServiceAccount
    (or, per its `mode` file, sleeps or floods its output). Returns the directory of its records."""
    bin_dir, records = tmp_path_factory.mktemp("bin"), tmp_path_factory.mktemp("records")
    script = bin_dir / "kubectl"
    script.write_text(
        f"""#!/bin/sh
echo "$@" >> {records}/calls
env > {records}/env
cat "$KUBECONFIG" > {records}/kubeconfig
ls -A "$HOME" > {records}/home
pwd > {records}/cwd
mode=$(cat {records}/mode 2>/dev/null)
if [ "$mode" = sleep ]; then exec sleep 30; fi
if [ "$mode" = flood ]; then exec yes "# padding"; fi
printf 'apiVersion: v1\\nkind: ServiceAccount\\nmetadata:\\n  name: rendered\\n'
""",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return records


def test_kubectl_gets_a_minimal_environment(
    tmp_path: Path, fake_kubectl: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "cluster.yaml"))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "from-the-user-environment")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp.example:3128")
    monkeypatch.setenv("NO_PROXY", "*")
    report = scan_tree(tmp_path, {"kustomization.yaml": PATCHED, "sa.yaml": SA})
    assert "kubernetes:ServiceAccount/default/rendered" in report.inventory.identities
    env = dict(line.split("=", 1) for line in (fake_kubectl / "env").read_text().splitlines() if "=" in line)
    home = env["HOME"]
    assert "AWS_SECRET_ACCESS_KEY" not in env
    assert env["KUBECONFIG"] != os.environ["KUBECONFIG"] and not Path(env["KUBECONFIG"]).exists()
    assert (fake_kubectl / "kubeconfig").read_text() == sandbox.OFFLINE_KUBECONFIG  # no usable context
    assert home != os.environ["HOME"] and not Path(home).exists()  # a fresh directory, removed afterwards
    assert (fake_kubectl / "home").read_text() == ""  # and empty while kubectl ran
    assert (fake_kubectl / "cwd").read_text().strip() == home
    assert {
        k: env[k] for k in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
    } == dict.fromkeys(
        ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"), sandbox.NOWHERE
    )
    assert env["NO_PROXY"] == env["no_proxy"] == ""
    assert env["PATH"] == os.environ["PATH"]
    user_keys = {k for k in env if k not in sandbox.environment(home, env["KUBECONFIG"])}
    assert user_keys <= {"PWD", "SHLVL", "_", "OLDPWD"}  # what the shell itself sets


REFUSED = {
    "openapi": (
        {"kustomization.yaml": "resources: [sa.yaml]\nopenapi:\n  path: https://schemas.example/v1.json\n"},
        "openapi schemas are not loaded (kustomize may fetch them over HTTP) (kustomization.yaml)",
    ),
    "helmCharts": (
        {"kustomization.yaml": "helmCharts:\n  - name: ingress-nginx\n    repo: https://charts.example\n"},
        "helmCharts are not inflated (Helm would download the chart and run its templates) (kustomization.yaml)",
    ),
    "helmChartInflationGenerator": (
        {"kustomization.yaml": "helmChartInflationGenerator:\n  - chartName: redis\n"},
        "helmChartInflationGenerator is not run (Helm would download the chart and run its templates) "
        "(kustomization.yaml)",
    ),
    "inline Helm generator": (
        {
            "kustomization.yaml": "generators:\n  - |\n    apiVersion: builtin\n    kind: HelmChartInflationGenerator\n"
            "    metadata: {name: redis}\n"
        },
        "helmCharts are not inflated (Helm would download the chart and run its templates) "
        "(kustomization.yaml, inline generators)",
    ),
    "https resource": (
        {"kustomization.yaml": "resources:\n  - https://raw.example/sa.yaml\n"},
        "remote resource https://raw.example/sa.yaml is not fetched (kustomization.yaml, resources)",
    ),
    "git@ base": (
        {"kustomization.yaml": "bases:\n  - git@github.com:acme/base.git\n"},
        "remote resource git@github.com:acme/base.git is not fetched (kustomization.yaml, bases)",
    ),
    "github shorthand component": (
        {"kustomization.yaml": "components:\n  - github.com/acme/components/tls?ref=v1\n"},
        "remote resource github.com/acme/components/tls?ref=v1 is not fetched (kustomization.yaml, components)",
    ),
    "remote generator": (
        {"kustomization.yaml": "generators:\n  - https://gen.example/g.yaml\n"},
        "remote resource https://gen.example/g.yaml is not fetched (kustomization.yaml, generators)",
    ),
    "remote transformer": (
        {"kustomization.yaml": "transformers:\n  - https://gen.example/t.yaml\n"},
        "remote resource https://gen.example/t.yaml is not fetched (kustomization.yaml, transformers)",
    ),
    "credentials are not shown": (
        {"kustomization.yaml": "resources:\n  - https://ci:hunter2-token@git.example/acme/base\n"},
        "remote resource https://git.example/acme/base is not fetched (kustomization.yaml, resources)",
    ),
    "remote base of a local base": (
        {
            "overlay/kustomization.yaml": "resources:\n  - ../base\n",
            "base/kustomization.yaml": "resources:\n  - sa.yaml\n  - https://github.com/acme/rbac\n",
            "base/sa.yaml": SA,
        },
        "remote resource https://github.com/acme/rbac is not fetched (base/kustomization.yaml, resources)",
    ),
    "missing entry kustomize would try as a URL": (
        {"kustomization.yaml": "resources:\n  - git.example/acme/base\n"},
        "git.example/acme/base does not exist (it is not fetched as a remote resource) (kustomization.yaml, resources)",
    ),
    "path out of the root": (
        {"kustomization.yaml": "resources:\n  - ../../../../../../../../etc\n"},
        "etc leaves the scan root (kustomization.yaml, resources)",
    ),
    "generator file out of the root": (
        {
            "kustomization.yaml": "secretGenerator:\n  - name: s\n    files:\n"
            "      - key=../../../../../../../etc/shadow\n"
        },
        "shadow leaves the scan root (kustomization.yaml, secretGenerator)",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_before_kubectl_runs(case: str, tmp_path: Path, fake_kubectl: Path) -> None:
    files, reason = REFUSED[case]
    report = scan_tree(tmp_path, {"sa.yaml": SA, **files})
    names = sorted(n for n in files if n.endswith("kustomization.yaml"))  # a base is refused on its own too
    noted = [(u.reason, u.location) for u in report.inventory.unresolved]
    noted += [(e.reason, Location(e.path, e.line, e.line)) for e in report.inventory.errors if e.kind == "outside-root"]
    assert noted == [(f"overlay not rendered: {reason}", Location(name, 1, 1)) for name in names]
    rule = "NHI-PARSE-006" if "leaves the scan root" in reason else "NHI-PARSE-002"  # leaving is a safety event
    assert [
        (f.rule_id, f.location.path) for f in report.findings if f.rule_id in ("NHI-PARSE-002", "NHI-PARSE-006")
    ] == [(rule, name) for name in names]
    assert not (fake_kubectl / "calls").exists()
    assert "hunter2" not in " ".join(f.message for f in report.findings)


def test_a_link_out_of_the_root_is_refused(tmp_path: Path, fake_kubectl: Path) -> None:
    root = tmp_path / "repo"
    write_tree(tmp_path, {"elsewhere/sa.yaml": SA, "repo/kustomization.yaml": "resources:\n  - shared.yaml\n"})
    (root / "shared.yaml").symlink_to("../elsewhere/sa.yaml")
    report = scan([root], config_for(root), root)
    assert report.inventory.unresolved == []
    assert [(f.rule_id, f.location.path, f.message) for f in report.findings if f.rule_id.startswith("NHI-PARSE")] == [
        (
            "NHI-PARSE-006",
            "kustomization.yaml",
            "not followed: kustomization.yaml: overlay not rendered: shared.yaml leaves the scan root "
            "(kustomization.yaml, resources)",
        ),
        (
            "NHI-PARSE-006",
            "shared.yaml",
            "not followed: shared.yaml: symlink to ../elsewhere/sa.yaml leaves the scan root",
        ),
    ]
    assert not (fake_kubectl / "calls").exists()


def test_output_over_the_limit_is_a_limit_finding(tmp_path: Path, fake_kubectl: Path) -> None:
    (fake_kubectl / "mode").write_text("flood")
    report = scan_tree(
        tmp_path,
        {
            ".nhilint.yaml": "limits:\n  max_file_bytes: 4096\n",
            "kustomization.yaml": PATCHED,
            "sa.yaml": SA,
        },
    )
    assert [e for e in report.inventory.errors if e.path == "kustomization.yaml"] == [
        ParseError("kustomization.yaml", 1, "kubectl kustomize output is larger than max_file_bytes (4096)", "limit")
    ]
    assert [(f.rule_id, f.location.path) for f in report.findings if f.rule_id.startswith("NHI-PARSE")] == [
        ("NHI-PARSE-004", "kustomization.yaml")
    ]


def test_time_is_bounded(tmp_path: Path, fake_kubectl: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (fake_kubectl / "mode").write_text("sleep")
    monkeypatch.setattr(kustomize, "TIMEOUT_SECONDS", 0.5)
    report = scan_tree(tmp_path, {"kustomization.yaml": PATCHED, "sa.yaml": SA})
    assert report.inventory.unresolved == [
        Unresolved(
            "kustomization kustomization.yaml",
            "overlay not rendered: kubectl kustomize took longer than 0.5 s",
            Location("kustomization.yaml", 1, 1),
        )
    ]
    assert len((fake_kubectl / "calls").read_text().splitlines()) == 1  # not retried after a timeout


# -- no connection: nhilint's own sockets are guarded; kubectl is pointed at a listener that must stay silent --


@pytest.fixture
def socket_guard(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every connection attempt from this process is recorded; one to anything but loopback fails the test."""
    attempts: list[Any] = []

    def guard(address: Any) -> None:
        attempts.append(address)
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost"):
            pytest.fail(f"connection attempt to {address}")
        raise OSError("connections are refused in this test")

    def connect(self: socket.socket, address: Any) -> None:
        guard(address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        guard(address)
        return 1

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        guard(address)
        raise AssertionError("unreachable")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return attempts


@pytest.fixture
def cluster(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """A local listener that poses as the user's cluster (KUBECONFIG and ~/.kube/config) and HTTP proxy; yields
    what it received. client-go's default server (localhost:8080), where a kubectl without a kubeconfig
    connects, is watched by tests/parse/test_renderer_offline.py."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    received: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                received.append(conn.recv(256) or b"<connected>")

    threading.Thread(target=serve, daemon=True).start()
    kubeconfig = f"""apiVersion: v1
kind: Config
clusters: [{{name: prod, cluster: {{server: "http://127.0.0.1:{port}"}}}}]
contexts: [{{name: prod, context: {{cluster: prod, user: admin}}}}]
current-context: prod
users: [{{name: admin, user: {{token: cluster-admin-token}}}}]
"""
    home = tmp_path_factory.mktemp("user-home")
    write_tree(home, {".kube/config": kubeconfig})
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KUBECONFIG", str(home / ".kube/config"))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{port}")
    try:
        yield received
    finally:
        server.close()


def _whole_scan(root: Path) -> Report:
    return scan([root], config_for(root), root)


def test_the_fixture_tree_opens_no_connection(socket_guard: list[Any]) -> None:
    report = _whole_scan(FIXTURES)
    assert report.inventory.identities
    assert socket_guard == []


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_with_real_kubectl_opens_no_connection(
    tmp_path: Path, socket_guard: list[Any], cluster: list[bytes]
) -> None:
    write_tree(tmp_path, KUSTOMIZE)
    report = _whole_scan(tmp_path)
    assert "kubernetes:ServiceAccount/shop-prod/prod-web" in report.inventory.identities
    assert report.inventory.unresolved == []
    assert socket_guard == [] and cluster == []


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_openapi_url_is_refused_not_fetched(tmp_path: Path, socket_guard: list[Any], cluster: list[bytes]) -> None:
    write_tree(
        tmp_path,
        {
            "sa.yaml": SA,
            "kustomization.yaml": f"resources: [sa.yaml]\nopenapi:\n  path: {os.environ['HTTP_PROXY']}/openapi/v2\n",
        },
    )
    report = _whole_scan(tmp_path)
    [note] = report.inventory.unresolved
    assert note.reason.startswith("overlay not rendered: openapi schemas are not loaded")
    assert socket_guard == [] and cluster == []
