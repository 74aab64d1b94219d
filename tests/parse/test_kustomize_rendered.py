"""Every overlay says how it was read: NHI-PARSE-010 once per overlay kubectl rendered, NHI-PARSE-002 with the
reason for one it could not render; a base that an overlay includes gets neither (it is read through it)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from nhilint.result import Report
from tests.helpers import scan_tree

SA = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ledger-sync\n"
PATCH = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ledger-sync\n  annotations: {team: finance}\n"
FILES = {
    "deploy/base/serviceaccount.yaml": SA,
    "deploy/base/kustomization.yaml": "resources: [serviceaccount.yaml]\npatches:\n  - path: serviceaccount.yaml\n",
    "deploy/prod/kustomization.yaml": "resources: [../base]\npatches:\n  - path: patch.yaml\n",
    "deploy/prod/patch.yaml": PATCH,
    "deploy/staging/kustomization.yaml": "resources: [../base]\npatches:\n  - path: patch.yaml\n",
    "deploy/staging/patch.yaml": PATCH,
}


def _kubectl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, present: bool) -> Path:
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir()
    if present:
        script = bin_dir / "kubectl"
        script.write_text(f'#!/bin/sh\necho "$@" >> {calls}\nprintf "{SA.replace(chr(10), chr(92) + "n")}"\n')
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir) if not present else f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return calls


def _where(report: Report, rule_id: str) -> list[tuple[str, int]]:
    return sorted((f.location.path, f.location.start_line) for f in report.findings if f.rule_id == rule_id)


def test_each_rendered_overlay_says_so_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _kubectl(tmp_path, monkeypatch, present=True)
    report = scan_tree(tmp_path / "repo", FILES)
    assert _where(report, "NHI-PARSE-010") == [
        ("deploy/prod/kustomization.yaml", 1),
        ("deploy/staging/kustomization.yaml", 1),
    ]
    assert _where(report, "NHI-PARSE-002") == []
    assert len(calls.read_text().splitlines()) == 2  # once per overlay, never for the base


def test_an_overlay_kubectl_cannot_render_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _kubectl(tmp_path, monkeypatch, present=False)
    report = scan_tree(tmp_path / "repo", FILES)
    assert _where(report, "NHI-PARSE-010") == []
    not_rendered = [f for f in report.findings if f.rule_id == "NHI-PARSE-002"]
    assert {f.location.path for f in not_rendered} >= {
        "deploy/prod/kustomization.yaml",
        "deploy/staging/kustomization.yaml",
    }
    assert all("kubectl not found" in f.message for f in not_rendered)
