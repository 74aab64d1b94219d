"""Renderers open no connection, not even to the local machine (nhilint.parse.sandbox).

The Google Cloud SDK's `kubectl` (the kubectl-dispatcher) asks the API server for its version before any
command, `kubectl kustomize` included, to choose which kubectl to run. Given no kubeconfig it asked
client-go's default server, http://localhost:8080, five times in 5 s: proxies do not apply to localhost, and
the earlier sandbox test listened only where the user's kubeconfig pointed, which nhilint already removes.
These tests listen on the default server too:

- a fake renderer that resolves its server as client-go does (and connects there) runs on every machine,
  with and without a network namespace: nhilint's kubeconfig alone must leave it nothing to connect to;
- a fake renderer that connects whatever its configuration says is stopped by the network namespace;
- the real `kubectl`, when installed, renders an overlay while 127.0.0.1:8080 and the user's cluster listen.
  CI (.ci/run) does not install kubectl, so there the fakes stand alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from nhilint.parse import sandbox
from tests.helpers import scan_tree, write_tree
from tests.parse.test_helm_sandbox import CHART

CLIENT_GO_DEFAULT_PORT = 8080  # client-go's server when a kubeconfig names none: http://localhost:8080
SA = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: payments\n"
OVERLAY = {
    "deploy/base/kustomization.yaml": "resources:\n  - serviceaccount.yaml\n",
    "deploy/base/serviceaccount.yaml": SA,
    "deploy/overlays/prod/kustomization.yaml": """
        resources:
          - ../../base
        namespace: payments-prod
        patches:
          - target: {kind: ServiceAccount, name: payments}
            patch: |-
              - op: add
                path: /metadata/labels
                value: {team: payments}
        """,
}
PRINTED = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: rendered\n"


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it accepts."""

    def __init__(self, port: int = 0) -> None:
        self.server = socket.create_server(("127.0.0.1", port))
        self.port: int = self.server.getsockname()[1]
        self.received: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.received.append(conn.recv(256) or b"<connected>")
                except OSError:
                    self.received.append(b"<connected>")

    def close(self) -> None:
        with contextlib.suppress(OSError):  # shutdown wakes the accepting thread, which lets go of the port
            self.server.shutdown(socket.SHUT_RDWR)
        self.server.close()


@pytest.fixture
def default_server() -> Iterator[Listener]:
    """Stands in for client-go's default server (a fake renderer is told its port)."""
    listener = Listener()
    yield listener
    listener.close()


@pytest.fixture
def user_cluster(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Listener]:
    """The user's cluster, named by their KUBECONFIG, ~/.kube/config and proxy settings."""
    listener = Listener()
    home = tmp_path_factory.mktemp("user-home")
    kubeconfig = f"""apiVersion: v1
kind: Config
clusters: [{{name: prod, cluster: {{server: "http://127.0.0.1:{listener.port}"}}}}]
contexts: [{{name: prod, context: {{cluster: prod, user: admin}}}}]
current-context: prod
users: [{{name: admin, user: {{token: cluster-admin-token}}}}]
"""
    write_tree(home, {".kube/config": kubeconfig})
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KUBECONFIG", str(home / ".kube/config"))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{listener.port}")
    yield listener
    listener.close()


@pytest.fixture(params=["namespace", "no namespace"])
def isolation(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with the network namespace (when this system has it) and without (layer 1 alone)."""
    if request.param == "namespace" and not sandbox.network_namespace():
        pytest.skip("no network namespace without privileges here (unshare -rn fails)")
    if request.param == "no namespace":
        monkeypatch.setattr(sandbox, "network_namespace", lambda: ())
    return str(request.param)


def _install(bin_dir: Path, name: str, body: str) -> None:
    script = bin_dir / name
    script.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


CLIENT_GO = '''
"""A renderer that, like the kubectl-dispatcher, asks its API server for /version before it renders."""
import os, socket, sys
from urllib.parse import urlsplit
import yaml

RECORDS, DEFAULT = {records!r}, "http://127.0.0.1:{port}"  # DEFAULT stands for http://localhost:8080
path = os.environ.get("KUBECONFIG") or os.path.join(os.environ.get("HOME", "/"), ".kube", "config")
try:
    with open(path, encoding="utf-8") as file:
        config = yaml.safe_load(file) or {{}}
except OSError:
    config = {{}}
contexts = {{c["name"]: c.get("context") or {{}} for c in config.get("contexts") or []}}
clusters = {{c["name"]: c.get("cluster") or {{}} for c in config.get("clusters") or []}}
current = config.get("current-context")
if not current:
    server = DEFAULT  # no context at all: client-go's default server
elif current not in contexts:
    server = None  # "context was not found for specified context": no client, no request
else:
    server = clusters.get(contexts[current].get("cluster"), {{}}).get("server") or DEFAULT
if server:
    with open(os.path.join(RECORDS, "attempts"), "a") as log:
        log.write(server + "\\n")
    address = urlsplit(server)
    try:
        with socket.create_connection((address.hostname, address.port), timeout=2) as conn:
            conn.sendall(b"GET /version HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n")
    except OSError:
        pass
sys.stdout.write({printed!r}.replace("rendered", "rendered-by-" + os.path.basename(sys.argv[0])))
'''

ANY_CONFIG = '''
"""A renderer that connects to the local machine whatever it is told."""
import os, socket, sys
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
    outcome = "connected"
except OSError as error:
    outcome = type(error).__name__
with open({records!r} + "/outcome", "a") as log:
    log.write(outcome + "\\n")
sys.stdout.write({printed!r}.replace("rendered", "rendered-by-" + os.path.basename(sys.argv[0])))
'''


def _fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: str, port: int) -> Path:
    """`kubectl` and `helm` first on PATH, both running `template`; returns the directory of their records."""
    bin_dir, records = tmp_path / "bin", tmp_path / "records"
    bin_dir.mkdir()
    records.mkdir()
    for name in ("kubectl", "helm"):
        _install(bin_dir, name, template.format(records=str(records), port=port, printed=PRINTED))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return records


def _scan_both(root: Path) -> list[str]:
    """Scan an overlay (kubectl) and a chart (helm); the identities the fake renderers printed."""
    report = scan_tree(root, {**OVERLAY, **CHART})
    return sorted(i for i in report.inventory.identities if "/rendered-by-" in i)


def test_the_client_go_fake_does_connect_without_nhilint_s_kubeconfig(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_server: Listener
) -> None:
    """The fake is sensitive: given what kubectl got before (no KUBECONFIG, an empty HOME) it connects."""
    records = _fake(tmp_path, monkeypatch, CLIENT_GO, default_server.port)
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(home)}
    subprocess.run(["kubectl", "kustomize", "."], env=env, cwd=home, check=True, capture_output=True)
    assert (records / "attempts").read_text() == f"http://127.0.0.1:{default_server.port}\n"
    assert default_server.received and default_server.received[0].startswith(b"GET /version")


def test_a_renderer_that_resolves_its_server_like_client_go_attempts_no_connection(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    default_server: Listener,
    user_cluster: Listener,
    isolation: str,
) -> None:
    records = _fake(tmp_path, monkeypatch, CLIENT_GO, default_server.port)
    rendered = _scan_both(tmp_path / "repo")
    assert rendered == [
        "kubernetes:ServiceAccount/default/rendered-by-helm",
        "kubernetes:ServiceAccount/default/rendered-by-kubectl",
    ]
    assert not (records / "attempts").exists()  # no server to ask: not even a refused attempt
    assert default_server.received == [] and user_cluster.received == []


def test_the_network_namespace_stops_a_renderer_that_ignores_its_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_server: Listener
) -> None:
    if not sandbox.network_namespace():
        pytest.skip("no network namespace without privileges here (unshare -rn fails)")
    records = _fake(tmp_path, monkeypatch, ANY_CONFIG, default_server.port)
    assert len(_scan_both(tmp_path / "repo")) == 2
    outcomes = (records / "outcome").read_text().split()
    assert len(outcomes) == 2 and "connected" not in outcomes  # kubectl and helm: the network is unreachable
    assert default_server.received == []


def test_the_sandbox_kubeconfig_names_no_cluster() -> None:
    """No server, so no port to listen on: the listeners watch client-go's default and the user's cluster."""
    with sandbox.sandbox("nhilint-test-") as box:
        config = yaml.safe_load(box.kubeconfig.read_text(encoding="utf-8"))
        assert box.env["KUBECONFIG"] == str(box.kubeconfig)
        assert not box.kubeconfig.is_relative_to(box.home) and list(box.home.iterdir()) == []
        assert not os.access(box.kubeconfig, os.W_OK) or os.geteuid() == 0
    assert config["current-context"] == sandbox.OFFLINE_CONTEXT
    assert config["clusters"] == config["contexts"] == config["users"] == []
    assert not box.directory.exists()


NO_KUBECTL = "kubectl is not installed (CI's .ci/run does not install it)"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason=NO_KUBECTL)
def test_real_kubectl_connects_nowhere(tmp_path: Path, user_cluster: Listener, isolation: str) -> None:
    try:
        default = Listener(CLIENT_GO_DEFAULT_PORT)
    except OSError:
        pytest.skip("127.0.0.1:8080 is taken: client-go's default server cannot be watched")
    try:
        report = scan_tree(tmp_path, OVERLAY)
    finally:
        default.close()
    identity = report.inventory.identities["kubernetes:ServiceAccount/payments-prod/payments"]
    assert str(identity.location) == "deploy/base/serviceaccount.yaml:1"
    assert report.inventory.unresolved == []
    assert default.received == [] and user_cluster.received == []
