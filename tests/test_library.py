"""The library does what the CLI does: a scan, its steps (baseline, new-only) and the inventory, through
nhilint.api, give the same documents as `nhilint scan` / `nhilint inventory`; and a Report never changes."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from nhilint import api, baseline, newonly
from nhilint.config import load_config
from nhilint.report.inventory import render_table
from nhilint.report.json_report import render_inventory, render_scan
from tests.helpers import write_tree
from tests.test_baseline import ROLE, USER
from tests.test_cli import run
from tests.test_newonly import DEPLOY, LEGACY, PINNED, history

TODAY = date(2026, 11, 22)
OPTIONS = api.ScanOptions(today=TODAY)
CLI_TODAY = ["--today", TODAY.isoformat(), "--no-cache"]


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "infra", {"main.tf": ROLE})
    return tmp_path


def test_scan_with_a_baseline(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["baseline", "create", "infra", *CLI_TODAY], capsys)[0] == 0
    write_tree(estate / "infra", {"users.tf": USER})  # new findings, not in the baseline
    (estate / "infra" / "main.tf").write_text(ROLE.replace('"s3:*"', '"s3:GetObject"'))  # one entry goes stale
    code, out, _ = run(["scan", "infra", "--baseline", ".nhilint-baseline.json", "-f", "json", *CLI_TODAY], capsys)

    report = api.scan([Path("infra")], load_config(estate), options=OPTIONS)
    report = api.with_baseline(report, baseline.load(estate / ".nhilint-baseline.json"))
    assert render_scan(report) == out
    assert report.stale_baseline and report.baselined and report.findings
    assert code == (1 if report.failing() else 0) == 1


def test_scan_new_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")
    history(tmp_path, {"roles.tf": PINNED + LEGACY}, {"roles.tf": DEPLOY.replace("SUBJECT", "repo:*") + LEGACY})
    monkeypatch.chdir(tmp_path)
    _, out, _ = run(["scan", ".", "--new-only", "--base", "main", "-f", "json", *CLI_TODAY], capsys)

    report = newonly.compare_with_base(api.scan([Path(".")], load_config(tmp_path), options=OPTIONS), "main")
    assert render_scan(report) == out
    assert [f.rule_id for f in report.findings] == ["NHI-TRUST-003"] and report.changes


def test_inventory(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listed = api.inventory([Path("infra")], load_config(estate), options=OPTIONS)
    assert listed.findings == () and listed.inventory.identities
    assert run(["inventory", "infra", "-f", "json", *CLI_TODAY], capsys)[1] == render_inventory(listed)
    assert run(["inventory", "infra", *CLI_TODAY], capsys)[1] == render_table(listed)


def test_a_report_is_immutable_and_steps_return_new_ones(estate: Path) -> None:
    report = api.scan([Path("infra")], load_config(estate), options=OPTIONS)
    findings = report.findings
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.findings = ()  # type: ignore[misc]
    assert isinstance(findings, tuple) and isinstance(report.suppressed, tuple)
    entries = [baseline.BaselineEntry.of(f) for f in findings]
    known = api.with_baseline(report, entries)
    assert known is not report and known.findings == () and known.baselined == findings
    assert report.findings is findings and report.baselined is None  # the original is as it was
    assert known.analysis is report.analysis  # one analysis per run, carried along
