"""Suppression governance: `nhilint suppressions` and the auditor's `--no-inline-suppressions`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import write_tree
from tests.test_cli import run, schema

SOURCES = """
# nhilint:ignore NHI-RET-001 -- retired with the app until 2027-01-01
resource "aws_iam_role" "a" {
  name               = "a"
  assume_role_policy = "{}"
  tags               = { owner = "team-a", expires = "2027-01-01" }
}

# nhilint:ignore NHI-PRIV-001 -- vendor agent until 2026-01-01
resource "aws_iam_role_policy" "a" {
  role   = aws_iam_role.a.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::ci-artifacts/*" }] })
}

# nhilint:ignore NHI-OWN-001 -- owned by the platform team
resource "aws_iam_role" "b" {
  name               = "b"
  assume_role_policy = "{}"
  tags               = { owner = "team-b", expires = "2027-01-01", retire-on = "app:b" }
}

# nhilint:ignore NHI-EXP-004
resource "aws_iam_role" "c" {
  name               = "c"
  assume_role_policy = "{}"
  tags               = { owner = "team-c", retire-on = "app:c" }
}
"""
TODAY = ["--today", "2026-11-22"]


def test_lists_every_suppression_with_its_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": SOURCES})
    code, out, _ = run(["suppressions", str(tmp_path), *TODAY], capsys)
    assert code == 0
    assert out == (
        "main.tf:1: NHI-RET-001 active until 2027-01-01, matches 1 finding -- retired with the app\n"
        "main.tf:8: NHI-PRIV-001 expired on 2026-01-01, matches 1 finding -- vendor agent\n"
        "main.tf:14: NHI-OWN-001 active, unused -- owned by the platform team\n"
        "main.tf:21: NHI-EXP-004 invalid (suppression without a reason; add `-- why this is acceptable`), "
        "matches 1 finding\n"
        "nhilint: 4 suppressions (2 active, 1 expired, 1 invalid; 1 unused)\n"
    )


def test_json_listing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": SOURCES})
    code, out, _ = run(["suppressions", str(tmp_path), *TODAY, "--format", "json"], capsys)
    document = json.loads(out)
    assert code == 0
    assert document["summary"] == {"suppressions": 4, "active": 2, "expired": 1, "invalid": 1, "unused": 1}
    assert document["suppressions"][0] == {
        "file": "main.tf",
        "line": 1,
        "block_line": 2,
        "identity": "aws:aws_iam_role.a",
        "rule_ids": ["NHI-RET-001"],
        "reason": "retired with the app",
        "until": "2027-01-01",
        "status": "active",
        "expired": False,
        "problem": None,
        "matches": 1,
        "used": True,
    }
    assert [(s["status"], s["identity"], s["used"]) for s in document["suppressions"][1:]] == [
        ("expired", None, True),
        ("active", "aws:aws_iam_role.b", False),
        ("invalid", "aws:aws_iam_role.c", True),
    ]


def test_no_inline_suppressions_silences_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": SOURCES})
    args = ["scan", str(tmp_path), *TODAY, "--format", "json"]
    document = json.loads(run(args, capsys)[1])
    assert [s["rule_id"] for s in document["suppressed"]] == ["NHI-RET-001"]
    assert "NHI-RET-001" not in [f["rule_id"] for f in document["findings"]]
    document = json.loads(run([*args, "--no-inline-suppressions"], capsys)[1])
    schema("scan.schema.json").validate(document)
    assert document["suppressed"] == []
    assert [(f["rule_id"], f["line"]) for f in document["findings"]] == [
        ("NHI-RET-001", 2),
        ("NHI-SUPP-001", 8),
        ("NHI-PRIV-001", 11),
        ("NHI-SUPP-001", 21),
        ("NHI-EXP-004", 22),
    ]
