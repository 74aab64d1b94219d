"""One organisation of git repositories and one audit of it, shared by the audit tests (an audit starts worker
processes: seconds, not milliseconds)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from nhilint.cli import main
from tests.audit.org import Org, build_org

TODAY = "2024-06-01"


@dataclass(frozen=True)
class Audited:
    org: Org
    out: Path
    cache: Path
    exit_code: int

    def document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.out / "audit.json").read_text(encoding="utf-8"))
        return loaded


def run_audit(*args: str) -> int:
    return main(["audit", "--today", TODAY, "--no-progress", *args])


@pytest.fixture(scope="session")
def hermetic_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """What tests/conftest.py does per test, for the session-scoped audit."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path_factory.mktemp("audit-home")))
        patch.setenv("NHILINT_CACHE_DIR", "off")
        patch.delenv("GITHUB_ACTIONS", raising=False)
        yield


@pytest.fixture(scope="session")
def org(hermetic_session: None, tmp_path_factory: pytest.TempPathFactory) -> Org:
    return build_org(tmp_path_factory.mktemp("org"))


@pytest.fixture(scope="session")
def audited(org: Org, tmp_path_factory: pytest.TempPathFactory) -> Audited:
    """The organisation audited through file:// URLs with two local workers and a cache."""
    out = tmp_path_factory.mktemp("audit-out")
    cache = tmp_path_factory.mktemp("audit-cache") / "cache"
    code = run_audit(*org.urls, "--out", str(out), "--workers", "2", "--cache-dir", str(cache))
    return Audited(org, out, cache, code)


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The document without what differs between equal audits: timings, cache hits and run options."""
    copy = json.loads(json.dumps(document))
    copy.pop("options")
    copy["summary"].pop("cached")
    for repository in copy["repositories"]:
        repository.pop("seconds")
        repository.pop("cached")
    return copy
