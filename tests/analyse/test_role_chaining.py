"""Assume-role chains with AWS's same-account semantics (issue 12 §3).

A trust that names a principal (its reference or ARN) admits it without any identity-policy grant; a trust
of the account root admits only principals whose own policy allows sts:AssumeRole on the role (or `*`).
"""

from __future__ import annotations

from pathlib import Path

from nhilint.model import Severity
from tests.helpers import scan_tree, triples

RULE = "NHI-PRIV-006"
CI = "aws:aws_iam_role.ci"


def _ci(actions: str, resource: str = '"*"') -> str:
    return f"""\
resource "aws_iam_role" "ci" {{
  name = "ci"
  assume_role_policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ec2.amazonaws.com" }} }}]
  }})
}}

resource "aws_iam_role_policy" "ci" {{
  role   = aws_iam_role.ci.id
  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = {actions}, Resource = {resource} }}] }})
}}
"""


def _admin(name: str, principal: str) -> str:
    return f"""
resource "aws_iam_role" "{name}" {{
  name = "{name}"
  assume_role_policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ AWS = {principal} }} }}]
  }})
}}

resource "aws_iam_role_policy_attachment" "{name}" {{
  role       = aws_iam_role.{name}.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}}
"""


def test_trust_naming_the_principal_needs_no_grant(tmp_path: Path) -> None:
    text = _ci('["s3:GetObject"]') + _admin("admin", "aws_iam_role.ci.arn")
    report = scan_tree(tmp_path, {"main.tf": text})
    trust_line = text.splitlines().index('resource "aws_iam_role" "admin" {') + 4  # its Statement line
    assert triples(report, RULE) == [(RULE, "main.tf", trust_line, CI)]
    (finding,) = [f for f in report.findings if f.rule_id == RULE]
    assert "ci → AssumeRole → admin (AdministratorAccess)" in finding.message
    assert finding.severity == Severity.CRITICAL
    assert finding.evidence.startswith(f"trust names {CI}")


def test_trust_naming_the_principal_by_arn_needs_no_grant(tmp_path: Path) -> None:
    text = _ci('["s3:GetObject"]') + _admin("admin", '"arn:aws:iam::123456789012:role/ci"')
    report = scan_tree(tmp_path, {"main.tf": text})
    assert [f.identity for f in report.findings if f.rule_id == RULE] == [CI]


def test_account_root_trust_needs_the_principals_own_grant(tmp_path: Path) -> None:
    root = '"arn:aws:iam::123456789012:root"'
    without = _ci('["s3:GetObject"]') + _admin("ops", root)
    assert triples(scan_tree(tmp_path / "a", {"main.tf": without}), RULE) == []
    granted = _ci('["sts:AssumeRole"]', "aws_iam_role.ops.arn") + _admin("ops", root)
    report = scan_tree(tmp_path / "b", {"main.tf": granted})
    (finding,) = [f for f in report.findings if f.rule_id == RULE]
    assert "ci → AssumeRole → ops (AdministratorAccess)" in finding.message


def test_chain_through_a_named_trust_is_reported_from_the_start(tmp_path: Path) -> None:
    """ci is named by hop's trust; hop may assume admin (hop's own grant): ci → hop → admin."""
    hop = """
resource "aws_iam_role" "hop" {
  name = "hop"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = aws_iam_role.ci.arn } }]
  })
}

resource "aws_iam_role_policy" "hop" {
  role   = aws_iam_role.hop.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:ListBucket", Resource = "*" }] })
}
"""
    text = _ci('["s3:GetObject"]') + hop + _admin("admin", "aws_iam_role.hop.arn")
    report = scan_tree(tmp_path, {"main.tf": text})
    messages = [f.message for f in report.findings if f.rule_id == RULE and f.identity == CI]
    assert len(messages) == 1
    assert "ci → AssumeRole → hop → AssumeRole → admin (AdministratorAccess)" in messages[0]


def test_a_chain_longer_than_the_bound_is_reported_as_unknown(tmp_path: Path) -> None:
    """Fail closed: a search stopped by MAX_CHAIN_HOPS says so, never a silent pass."""
    from nhilint.analyse.privesc import MAX_CHAIN_HOPS

    names = [f"r{i}" for i in range(1, MAX_CHAIN_HOPS + 2)]  # ci → r1 → … → r11 (admin), one hop too many
    text = _ci('["s3:GetObject"]')
    previous = "aws_iam_role.ci.arn"
    for name in names[:-1]:
        text += f"""
resource "aws_iam_role" "{name}" {{
  name = "{name}"
  assume_role_policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ AWS = {previous} }} }}]
  }})
}}
"""
        previous = f"aws_iam_role.{name}.arn"
    text += _admin(names[-1], previous)
    report = scan_tree(tmp_path, {"main.tf": text})
    (finding,) = [f for f in report.findings if f.rule_id == RULE and f.identity == CI]
    assert finding.unknown
    assert "stopped at its bound" in finding.message
