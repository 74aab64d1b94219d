"""Run checkov offline in a separate process, from its own environment, and return its JSON results.

Why a separate process and environment: checkov depends on `bc-python-hcl2`, a fork that installs the same
top-level `hcl2` package as nhilint's `python-hcl2>=7.1,<8` and overwrites its files, which breaks
nhilint's Terraform parser (`hcl2.parser.parser` disappears); it also pins `packaging<24` and an old boto3.
So checkov never shares nhilint's interpreter. It is found, in this order:

1. `NHILINT_CHECKOV`: a Python interpreter that can import checkov, or a `checkov` script;
2. `checkov` on PATH (pipx, brew, a CI image), run through the interpreter in its shebang;
3. a virtual environment nhilint manages (`NHILINT_CHECKOV_VENV`, default `~/.cache/nhilint/checkov-venv`),
   created from a package index (about 300 MB and 45 s) only when the user opts in with
   `NHILINT_CHECKOV_INSTALL=1`: nhilint does not reach the network on its own. Without checkov, `--checkov`
   is a usage error that says how to provide it.

Offline: checkov calls PyPI for a version check and its platform for policy metadata unless told not to.
nhilint sets `CKV_SKIP_PACKAGE_UPDATE_CHECK`, `BC_SKIP_MAPPING`, `--skip-download`, `--skip-results-upload`,
`--download-external-modules false`, removes every `BC_*`, `CKV_*`, `CHECKOV_*` and `PRISMA_*` variable
(no API key, no user overrides of our flags), and gives checkov an empty HOME and working directory (no
`~/.bridgecrew/credentials`, no `~/.checkov.yaml`). Then, as a guard, the interpreter that runs checkov has
its socket connect and name lookup refused for anything but the loopback, and each refusal is reported.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHECKOV_REQUIREMENT = "checkov>=3.2,<4"
FRAMEWORKS = ("terraform", "terraform_json", "cloudformation", "kubernetes")
OFFLINE_ENV = {
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",  # no PyPI version check when checkov is imported
    "BC_SKIP_MAPPING": "TRUE",  # no policy-metadata download
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",  # no package scanning (not read by 3.3; kept for other 3.x)
    "ANSI_COLORS_DISABLED": "1",
    "LOG_LEVEL": "ERROR",
}
_CLEARED_PREFIXES = ("BC_", "CKV_", "CHECKOV_", "PRISMA_")
REFUSED_MARKER = "nhilint-offline-guard: refused "

# Runs inside checkov's interpreter: refuse the network, then run checkov with our arguments.
BOOTSTRAP = f"""
import socket, sys, warnings
_LOCAL = (None, "localhost", "127.0.0.1", "::1")
def _refuse(what):
    sys.stderr.write({REFUSED_MARKER!r} + repr(what) + "\\n")
    raise OSError("nhilint runs checkov offline: network access refused")
_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
def _check(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in _LOCAL:
        _refuse(address)
def connect(self, address):
    _check(self, address)
    return _connect(self, address)
def connect_ex(self, address):
    _check(self, address)
    return _connect_ex(self, address)
def getaddrinfo(host, *args, **kwargs):
    if host not in _LOCAL:
        _refuse(host)
    return _getaddrinfo(host, *args, **kwargs)
socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
warnings.simplefilter("ignore")
from checkov.main import Checkov
sys.exit(Checkov(argv=sys.argv[1:]).run())
"""


class CheckovError(Exception):
    """checkov could not be found, installed or run; the message says what to do."""


@dataclass(slots=True)
class CheckovRun:
    """checkov's reports (one per framework), the network accesses it tried, and how long it took."""

    reports: list[dict[str, Any]]
    refused: list[str] = field(default_factory=list)
    seconds: float = 0.0
    command: list[str] = field(default_factory=list)


Notify = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def managed_venv() -> Path:
    configured = os.environ.get("NHILINT_CHECKOV_VENV")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nhilint" / "checkov-venv"


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _shebang_python(script: Path) -> str | None:
    """The interpreter a `checkov` console script runs with, if it is a Python script."""
    try:
        with script.open("rb") as handle:
            first = handle.readline(4096).decode("utf-8", "replace").strip()
    except OSError:
        return None
    match = re.match(r"#!\s*(\S+)(?:\s+(\S+))?", first)
    if not match:
        return None
    program, argument = match.groups()
    if Path(program).name == "env" and argument and "python" in argument:
        return shutil.which(argument)
    return program if "python" in Path(program).name else None


def _guarded(python: str) -> list[str]:
    return [python, "-c", BOOTSTRAP]


def locate(install: bool | None = None, notify: Notify = _quiet) -> list[str]:
    """The command prefix that runs checkov (arguments are appended), installing it if needed and allowed."""
    configured = os.environ.get("NHILINT_CHECKOV")
    if configured:
        path = Path(configured)
        if "python" in path.name:
            return _guarded(configured)
        python = _shebang_python(path)
        return _guarded(python) if python else [configured]
    on_path = shutil.which("checkov")
    if on_path:
        python = _shebang_python(Path(on_path))
        return _guarded(python) if python else [on_path]
    venv = managed_venv()
    marker = venv / "nhilint-requirement.txt"
    if marker.is_file() and marker.read_text(encoding="utf-8").strip() == CHECKOV_REQUIREMENT:
        return _guarded(str(venv_python(venv)))
    if install is None:
        install = os.environ.get("NHILINT_CHECKOV_INSTALL", "0").lower() in ("1", "true", "yes", "on")
    if not install:
        raise CheckovError(
            "checkov not found: install it apart from nhilint (e.g. `pipx install checkov`), set "
            "NHILINT_CHECKOV to its Python or script, or set NHILINT_CHECKOV_INSTALL=1 to let "
            "nhilint create its own checkov environment from the package index"
        )
    return _guarded(str(provision(venv, notify)))


def provision(venv: Path, notify: Notify = _quiet) -> Path:
    """Create `venv` with checkov in it (never in nhilint's own environment: the hcl2 packages clash)."""
    notify(f"nhilint: installing {CHECKOV_REQUIREMENT} into {venv} (first use only, about a minute)")
    staging = venv.with_name(f"{venv.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    steps = [
        [sys.executable, "-m", "venv", str(staging)],
        [
            str(venv_python(staging)),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            CHECKOV_REQUIREMENT,
        ],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise CheckovError(f"could not install checkov ({' '.join(step[:4])}): {done.stderr.strip()[-600:]}")
    (staging / "nhilint-requirement.txt").write_text(CHECKOV_REQUIREMENT + "\n", encoding="utf-8")
    shutil.rmtree(venv, ignore_errors=True)
    staging.rename(venv)  # only bin/python is used, and a venv's interpreter finds its prefix wherever it is
    return venv_python(venv)


def arguments(directories: list[Path], checks: list[str], var_files: list[Path]) -> list[str]:
    args: list[str] = []
    for directory in directories:
        args += ["--directory", str(directory.resolve())]
    args += [
        "--framework",
        *FRAMEWORKS,
        "--check",
        ",".join(checks),
        "--output",
        "json",
        "--compact",
        "--soft-fail",
        "--skip-download",
        "--skip-results-upload",
        "--download-external-modules",
        "false",
    ]
    for var_file in var_files:
        args += ["--var-file", str(var_file.resolve())]
    return args


def offline_environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED_PREFIXES)}
    env.update(OFFLINE_ENV)
    env["PYTHONUSERBASE"] = env.get("PYTHONUSERBASE") or site.getuserbase()  # a --user install still imports
    env["HOME"] = env["USERPROFILE"] = str(home)
    return env


def run(
    directories: list[Path],
    checks: list[str],
    var_files: list[Path] | None = None,
    notify: Notify = _quiet,
    timeout: float | None = None,
) -> CheckovRun:
    """Run checkov once over `directories` with only `checks`; parse its JSON output."""
    command = locate(notify=notify) + arguments(directories, checks, list(var_files or []))
    limit = timeout or float(os.environ.get("NHILINT_CHECKOV_TIMEOUT", "900"))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nhilint-checkov-") as scratch:
        try:
            done = subprocess.run(
                command,
                cwd=scratch,
                env=offline_environment(Path(scratch)),
                capture_output=True,
                text=True,
                timeout=limit,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CheckovError(f"checkov did not finish within {limit:.0f} s (NHILINT_CHECKOV_TIMEOUT)") from None
        except OSError as exc:
            raise CheckovError(f"could not run checkov ({command[0]}): {exc}") from None
    refused = [line[len(REFUSED_MARKER) :] for line in done.stderr.splitlines() if line.startswith(REFUSED_MARKER)]
    if done.returncode != 0:
        raise CheckovError(f"checkov failed (exit {done.returncode}): {done.stderr.strip()[-800:]}")
    return CheckovRun(parse_reports(done.stdout), refused, time.perf_counter() - started, command)


def parse_reports(stdout: str) -> list[dict[str, Any]]:
    """checkov's `-o json`: one report object, a list of them (one per framework), or a bare summary."""
    start = min((i for i in (stdout.find("{"), stdout.find("[")) if i >= 0), default=-1)
    if start < 0:
        raise CheckovError(f"checkov printed no JSON: {stdout.strip()[:300]!r}")
    try:
        document = json.loads(stdout[start:])
    except json.JSONDecodeError as exc:
        raise CheckovError(f"checkov printed invalid JSON: {exc}") from None
    reports = document if isinstance(document, list) else [document]
    return [r for r in reports if isinstance(r, dict) and isinstance(r.get("results"), dict)]
