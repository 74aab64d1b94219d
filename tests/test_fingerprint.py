"""Fingerprints: what a finding is about, not where it is written."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from nhilint.fingerprint import fingerprint, normalise_evidence, subject
from nhilint.model import Finding, Location, Severity
from tests.helpers import scan_tree, write_tree
from tests.test_cli import run

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
FINDING = Finding(
    "NHI-PRIV-001",
    Severity.HIGH,
    "role ci is granted s3:*",
    Location("main.tf", 3, 9),
    "aws:aws_iam_role.ci",
    "aws_iam_role.ci",
    "role",
    "aws",
    "inline policy ci: s3:*",
)


def by_rule(root: Path, files: dict[str, str]) -> dict[tuple[str, str | None], str]:
    return {(f.rule_id, f.identity): fingerprint(f) for f in scan_tree(root, files).findings}


def test_survives_line_moves_file_moves_and_unrelated_edits(tmp_path: Path) -> None:
    before = by_rule(tmp_path / "a", {"main.tf": ROLE})
    moved = by_rule(
        tmp_path / "b",
        {
            "main.tf": "# unrelated\n" * 7,
            "roles.tf": ROLE,
            "other.tf": 'resource "aws_iam_user" "u" {\n  name = "u"\n}\n',
        },
    )
    assert len(before) == 4
    assert {key: moved[key] for key in before} == before


def test_recipe() -> None:
    assert fingerprint(FINDING) == fingerprint(
        replace(FINDING, location=Location("other.tf", 40, 41), message="reworded", severity=Severity.LOW)
    )
    assert fingerprint(FINDING) == fingerprint(replace(FINDING, evidence="inline  policy ci:\n s3:*"))
    for changed in (
        replace(FINDING, rule_id="NHI-PRIV-002"),
        replace(FINDING, identity="aws:envs/dev/aws_iam_role.ci"),
        replace(FINDING, evidence="inline policy ci: iam:*"),
    ):
        assert fingerprint(changed) != fingerprint(FINDING)
    assert len(fingerprint(FINDING)) == 32


def test_subject_and_evidence_normalisation() -> None:
    assert subject(FINDING) == "aws:aws_iam_role.ci"
    assert subject(replace(FINDING, identity=None)) == "aws_iam_role.ci"
    assert subject(replace(FINDING, identity=None, address=None)) == "file:main.tf"
    assert (
        normalise_evidence("var.x on line 12 is not evaluated (main.tf:12)")
        == "var.x on line ? is not evaluated (main.tf)"
    )


def test_json_and_sarif_carry_the_same_fingerprint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": ROLE})
    _, out, _ = run(["scan", str(tmp_path), "--format", "json"], capsys)
    from_json = {(f["rule_id"], f["identity"]): f["fingerprint"] for f in json.loads(out)["findings"]}
    _, out, _ = run(["scan", str(tmp_path), "--format", "sarif"], capsys)
    results = json.loads(out)["runs"][0]["results"]
    from_sarif = {(r["ruleId"], r["properties"]["identity"]): r["partialFingerprints"]["nhilint/v1"] for r in results}
    assert from_json == from_sarif and len(from_json) == 4
