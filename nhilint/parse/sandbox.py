"""The sandbox every renderer (`kubectl kustomize`, `helm template`) runs in: no network, nothing of the user's.

Two layers, because the first alone was once not enough:

1. What the renderer is told. It gets PATH and nothing else from the user's environment; HOME is a fresh
   empty directory, proxies point at a closed port, git may only use local files, and KUBECONFIG names
   nhilint's own kubeconfig (`OFFLINE_KUBECONFIG`): its current context does not exist, so no client can be
   built from it. Without a KUBECONFIG, client-go falls back to `http://localhost:8080`, and a kubectl that
   asks the server something before running any command connects there: the Google Cloud SDK's `kubectl`
   (the "kubectl-dispatcher") asks `GET /version` to choose which kubectl to run, retrying for 5 s, even
   for `kubectl kustomize`. Go never proxies localhost, so proxy settings cannot stop it. With this
   kubeconfig it opens no socket at all and runs its built-in kubectl.
2. Where the renderer runs. When the system allows it without asking anyone (`unshare -n`, with a user
   namespace `-r` when not root), the renderer runs in a new network namespace: only a loopback interface
   that is down, so even a renderer that ignores its configuration cannot connect anywhere, the local
   machine included. Where it is not available (macOS, Windows, containers without namespaces) layer 1
   stands alone.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens, a connection fails at once
OFFLINE_CONTEXT = "nhilint-offline"
# No clusters, no users, no contexts, and a current context that names none: client-go refuses to build a
# client ("context was not found"), where an empty file would mean the default http://localhost:8080.
OFFLINE_KUBECONFIG = (
    f"apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\ncurrent-context: {OFFLINE_CONTEXT}\n"
)
PROBE_SECONDS = 10


@dataclass(frozen=True, slots=True)
class Sandbox:
    """A renderer's throw-away directory: its fresh HOME (empty), nhilint's kubeconfig beside it, and the
    environment naming both."""

    directory: Path
    home: Path
    kubeconfig: Path
    env: dict[str, str]


@contextmanager
def sandbox(prefix: str) -> Iterator[Sandbox]:
    """A throw-away directory holding the renderer's HOME and kubeconfig, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        directory = Path(scratch)
        home, kubeconfig = directory / "home", directory / "kubeconfig"
        home.mkdir()
        kubeconfig.write_text(OFFLINE_KUBECONFIG, encoding="utf-8")
        kubeconfig.chmod(0o400)
        yield Sandbox(directory, home, kubeconfig, environment(str(home), str(kubeconfig)))


def environment(home: str, kubeconfig: str) -> dict[str, str]:
    """All that a renderer gets from the user's environment is PATH: no kubeconfig, no cloud credentials, no
    proxy settings of the user; HTTP(S) goes to a closed port, git to local files only, kubectl and helm
    to a kubeconfig without a usable context."""
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": home,
        "USERPROFILE": home,
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "KUBECONFIG": kubeconfig,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ALLOW_PROTOCOL": "file",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "NO_PROXY": "",
        "no_proxy": "",
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = env[name.lower()] = NOWHERE
    for name in ("SYSTEMROOT", "TEMP", "TMP"):  # Windows cannot start a process without them
        if os.name == "nt" and name in os.environ:
            env[name] = os.environ[name]
    return env


def offline(command: list[str]) -> list[str]:
    """The command, run in a new network namespace when this system allows it."""
    prefix = network_namespace()
    return [*prefix, *command] if prefix else command


@functools.cache
def network_namespace() -> tuple[str, ...]:
    """How to start a process without network here (`unshare -n`, `unshare -rn`), or () when nothing works.
    Tried once per process: a system that refuses namespaces refuses them every time."""
    unshare = shutil.which("unshare")
    if unshare is None or os.name == "nt":
        return ()
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    for flags in (["-n"], ["-rn"]) if root else (["-rn"],):  # root keeps its file access without -r
        prefix = (unshare, *flags, "--")
        try:
            done = subprocess.run(
                [*prefix, "true"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=PROBE_SECONDS,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return prefix
    return ()
