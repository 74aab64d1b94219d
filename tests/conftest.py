"""Hermetic tests: no network, no home directory config, a frozen today (see tests/helpers.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("NHILINT_CACHE_DIR", "off")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)  # `scan` defaults to --format auto: github under Actions
    monkeypatch.delenv("NHILINT_DEBUG", raising=False)
