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
# What scan reports as NHI-SUPP-001 (a rule id that does not exist, a date that is not one) the listing calls
# invalid, and none of them suppresses anything.
ODD = """
# nhilint:ignore NHI-NOPE-999 -- x
resource "aws_iam_user" "a" {
  name = "a"
  tags = { owner = "team-a", expires = "2027-01-01", retire-on = "app:a" }
}

# nhilint:ignore NHI-OWN-001 -- platform owns it until 2027-02-30
resource "aws_iam_user" "b" {
  name = "b"
  tags = { expires = "2027-01-01", retire-on = "app:b" }
}

# nhilint:ignore NHI-OWN-001 -- platform owns it until 20270101
resource "aws_iam_user" "c" {
  name = "c"
  tags = { expires = "2027-01-01", retire-on = "app:c" }
}
"""
TODAY = ["--today", "2026-11-22"]


def test_lists_every_suppression_with_its_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": SOURCES})
    code, out, _ = run(["suppressions", str(tmp_path), *TODAY], capsys)
    assert code == 0
    assert out == (
        "main.tf:1: NHI-RET-001 active until 2027-01-01, matches 1 finding -- retired with the app\n"
        "main.tf:8: NHI-PRIV-001 expired on 2026-01-01, suppresses nothing (it would match 1 finding) -- vendor agent\n"
        "main.tf:14: NHI-OWN-001 active, unused -- owned by the platform team\n"
        "main.tf:21: NHI-EXP-004 invalid (suppression without a reason; add `-- why this is acceptable`), "
        "suppresses nothing (it would match 1 finding)\n"
        "nhilint: 4 suppressions (2 active, 1 expired, 1 invalid; 1 unused)\n"
    )


def test_the_listing_judges_as_scan_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": ODD})
    code, out, _ = run(["suppressions", str(tmp_path), *TODAY], capsys)
    assert code == 0
    assert out == (
        "main.tf:1: NHI-NOPE-999 invalid (suppression names unknown rule NHI-NOPE-999; `nhilint rules` lists "
        "them), suppresses nothing, unused\n"
        "main.tf:7: NHI-OWN-001 invalid (suppression date 2027-02-30 is not a valid date), suppresses nothing "
        "(it would match 1 finding)\n"
        "main.tf:13: NHI-OWN-001 invalid (suppression date 20270101 is not YYYY-MM-DD), suppresses nothing "
        "(it would match 1 finding)\n"
        "nhilint: 3 suppressions (0 active, 0 expired, 3 invalid; 1 unused)\n"
    )
    document = json.loads(run(["scan", str(tmp_path), *TODAY, "--format", "json"], capsys)[1])
    assert document["suppressed"] == []
    assert [(f["rule_id"], f["line"], f["message"]) for f in document["findings"] if f["rule_id"] != "NHI-RET-001"] == [
        ("NHI-SUPP-001", 1, "suppression names unknown rule NHI-NOPE-999; `nhilint rules` lists them"),
        ("NHI-SUPP-001", 7, "suppression date 2027-02-30 is not a valid date"),
        ("NHI-OWN-001", 8, "user aws_iam_user.b has no owner"),
        ("NHI-SUPP-001", 13, "suppression date 20270101 is not YYYY-MM-DD"),
        ("NHI-OWN-001", 14, "user aws_iam_user.c has no owner"),
    ]


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
        "suppresses": 1,
        "used": True,
    }
    assert [(s["status"], s["identity"], s["matches"], s["suppresses"]) for s in document["suppressions"][1:]] == [
        ("expired", None, 1, 0),
        ("active", "aws:aws_iam_role.b", 0, 0),
        ("invalid", "aws:aws_iam_role.c", 1, 0),
    ]
    assert document["suppressions"][1]["problem"] == (
        "suppression of NHI-PRIV-001 expired on 2026-01-01 and no longer applies"
    )


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
