"""Baselines: known findings stop failing, new ones still fail, and stale entries are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint.baseline import BaselineEntry, split
from nhilint.model import Finding, Location, Severity
from tests.helpers import write_tree
from tests.test_cli import run, schema

ROLE = """
resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "ci" {
  role   = aws_iam_role.ci.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::ci-artifacts/*" }] })
}
"""
USER = 'resource "aws_iam_user" "bot" {\n  name = "bot"\n}\n'
TODAY = ["--today", "2026-11-22"]


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An estate under ./infra of the current directory, so paths and ids carry `infra/`."""
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "infra", {"main.tf": ROLE, "users.tf": USER})
    return tmp_path


def create(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code, _, err = run(["baseline", "create", "infra", *TODAY, *extra], capsys)
    return code, err


def test_create_writes_a_sorted_stable_file(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert create(capsys) == (0, "nhilint: wrote 7 baseline entries to .nhilint-baseline.json\n")
    text = (estate / ".nhilint-baseline.json").read_text()
    document = json.loads(text)
    assert set(document) == {"version", "tool", "findings"}
    assert [(e["file"], e["line"], e["rule_id"], e["identity"]) for e in document["findings"]] == [
        ("infra/main.tf", 1, "NHI-EXP-004", "aws:infra/aws_iam_role.ci"),
        ("infra/main.tf", 1, "NHI-OWN-001", "aws:infra/aws_iam_role.ci"),
        ("infra/main.tf", 1, "NHI-RET-001", "aws:infra/aws_iam_role.ci"),
        ("infra/main.tf", 8, "NHI-PRIV-001", "aws:infra/aws_iam_role.ci"),
        ("infra/users.tf", 1, "NHI-EXP-004", "aws:infra/aws_iam_user.bot"),
        ("infra/users.tf", 1, "NHI-OWN-001", "aws:infra/aws_iam_user.bot"),
        ("infra/users.tf", 1, "NHI-RET-001", "aws:infra/aws_iam_user.bot"),
    ]
    assert list(document["findings"][0]) == ["fingerprint", "rule_id", "identity", "file", "line", "message"]
    assert create(capsys, "-o", "again.json")[0] == 0
    assert (estate / "again.json").read_text() == text


def test_only_new_findings_fail(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    create(capsys)
    scan = ["scan", "infra", "--baseline", ".nhilint-baseline.json", *TODAY]
    assert run(scan, capsys)[:2] == (
        0,
        "nhilint: 0 findings (no findings) in 2 files, 2 identities, 0 credentials, 1 grant; 7 baselined\n",
    )
    (estate / "infra" / "main.tf").unlink()
    key = 'resource "aws_iam_access_key" "bot" {\n  user = aws_iam_user.bot.name\n}\n'
    write_tree(estate / "infra", {"roles.tf": "# moved\n\n" + ROLE, "keys.tf": key})
    code, out, _ = run(scan, capsys)
    assert code == 1
    assert out == (
        "aws:infra/aws_iam_access_key.bot (access key, no owner)\n"
        "  infra/keys.tf:1: NHI-CRED-001 high access key aws_iam_access_key.bot of user aws_iam_user.bot is a "
        "long-lived static key that is never rotated\n"
        "nhilint: 1 finding (1 high) in 3 files, 2 identities, 1 credential, 1 grant; 7 baselined\n"
    )


def test_stale_entries_are_listed_with_why(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    create(capsys)
    fixed = ROLE.replace('  name               = "ci"\n', '  name = "ci"\n  tags = { retire-on = "app:ci" }\n')
    suppressed = fixed.replace(
        'resource "aws_iam_role_policy"',
        '# nhilint:ignore NHI-PRIV-001 -- reviewed in SEC-1\nresource "aws_iam_role_policy"',
    )
    write_tree(estate / "infra", {"main.tf": suppressed})
    (estate / "infra" / "users.tf").unlink()
    scan = ["scan", "infra", "--baseline", ".nhilint-baseline.json", *TODAY]
    code, out, _ = run(scan, capsys)
    assert code == 0
    assert out == (
        "stale baseline entries (remove them, or re-create the baseline):\n"
        "  infra/main.tf:1: NHI-RET-001 [aws:infra/aws_iam_role.ci] finding no longer reported\n"
        "  infra/main.tf:8: NHI-PRIV-001 [aws:infra/aws_iam_role.ci] suppressed inline\n"
        "  infra/users.tf:1: NHI-EXP-004 [aws:infra/aws_iam_user.bot] identity no longer exists\n"
        "  infra/users.tf:1: NHI-OWN-001 [aws:infra/aws_iam_user.bot] identity no longer exists\n"
        "  infra/users.tf:1: NHI-RET-001 [aws:infra/aws_iam_user.bot] identity no longer exists\n"
        "nhilint: 0 findings (no findings) in 1 file, 1 identity, 0 credentials, 1 grant; 1 suppressed; "
        "2 baselined; 5 stale baseline entries\n"
    )
    code, out, _ = run([*scan, "--format", "json"], capsys)
    document = json.loads(out)
    schema("scan.schema.json").validate(document)
    assert document["summary"]["stale_baseline"] == 5 and document["summary"]["baselined"] == 2
    assert [(s["rule_id"], s["reason"]) for s in document["stale_baseline"]] == [
        ("NHI-RET-001", "finding no longer reported"),
        ("NHI-PRIV-001", "suppressed inline"),
        ("NHI-EXP-004", "identity no longer exists"),
        ("NHI-OWN-001", "identity no longer exists"),
        ("NHI-RET-001", "identity no longer exists"),
    ]
    assert "changes" not in document


def test_entries_for_files_not_scanned_are_out_of_scope(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    create(capsys)
    code, out, _ = run(["scan", "infra/users.tf", "--baseline", ".nhilint-baseline.json", *TODAY], capsys)
    assert (code, out) == (
        0,
        "nhilint: 0 findings (no findings) in 1 file, 2 identities, 0 credentials, 1 grant; 3 baselined\n",
    )


def test_a_bad_baseline_is_a_usage_error(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (estate / "bad.json").write_text("{not json")
    code, _, err = run(["scan", "infra", "--baseline", "bad.json"], capsys)
    assert code == 2 and "baseline bad.json: not JSON" in err
    (estate / "bad.json").write_text('{"version": "9", "findings": []}')
    code, _, err = run(["scan", "infra", "--baseline", "bad.json"], capsys)
    assert code == 2 and "not an nhilint baseline" in err
    code, _, err = run(["scan", "infra", "--baseline", "missing.json"], capsys)
    assert code == 2 and "baseline missing.json: cannot read" in err


def test_each_entry_matches_one_finding() -> None:
    twin = Finding("NHI-PRIV-001", Severity.HIGH, "m", Location("a.tf", 1, 2), "aws:aws_iam_role.r", evidence="e")
    moved = Finding("NHI-PRIV-001", Severity.HIGH, "m", Location("b.tf", 9, 9), "aws:aws_iam_role.r", evidence="e")
    new, known, unmatched = split([twin, moved], [BaselineEntry.of(twin)])
    assert (new, known, unmatched) == ([moved], [twin], [])
    new, known, unmatched = split([], [BaselineEntry.of(twin), BaselineEntry.of(moved)])
    assert (new, known, len(unmatched)) == ([], [], 2)
