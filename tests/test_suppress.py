"""Inline suppressions: reason required, keyed to the block, `until` expiry, and reported when broken."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import scan_tree, triples

ROLE = """
{comment}
resource "aws_iam_role" "legacy" {{
  name               = "legacy"
  assume_role_policy = "{{}}"
  tags               = {{ owner = "team-a", review-by = "2027-01-01" }}
}}
"""


def test_suppression_silences_only_the_named_rule_on_that_block(tmp_path: Path) -> None:
    other = 'resource "aws_iam_role" "other" {\n  name = "o"\n  assume_role_policy = "{}"\n}\n'
    comment = "# nhilint:ignore NHI-RET-001 -- retired with app"
    report = scan_tree(tmp_path, {"main.tf": ROLE.format(comment=comment) + other})
    assert triples(report, "NHI-RET") == [("NHI-RET-001", "main.tf", 7, "aws:aws_iam_role.other")]
    assert [(s.finding.rule_id, s.finding.identity, s.reason) for s in report.suppressed] == [
        ("NHI-RET-001", "aws:aws_iam_role.legacy", "retired with app")
    ]


def test_suppression_inside_the_block(tmp_path: Path) -> None:
    text = ROLE.format(comment="").replace(
        'name               = "legacy"', 'name = "legacy" # nhilint:ignore NHI-RET-001 -- batch job'
    )
    report = scan_tree(tmp_path, {"main.tf": text})
    assert triples(report, "NHI-RET") == []


def test_expired_suppression_stops_working_and_is_reported(tmp_path: Path) -> None:
    comment = "# nhilint:ignore NHI-RET-001 -- temporary until 2026-01-01"
    report = scan_tree(tmp_path, {"main.tf": ROLE.format(comment=comment)})
    assert triples(report, "NHI-RET") == [("NHI-RET-001", "main.tf", 2, "aws:aws_iam_role.legacy")]
    assert triples(report, "NHI-SUPP") == [("NHI-SUPP-001", "main.tf", 1, None)]


def test_suppression_without_reason_does_not_suppress(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": ROLE.format(comment="# nhilint:ignore NHI-RET-001")})
    assert [t[0] for t in triples(report)] == ["NHI-SUPP-001", "NHI-RET-001"]
