"""NHI-PRIV-006 reports one finding per problem (issue 12): methods enabled by one statement are one finding."""

from __future__ import annotations

from pathlib import Path

from nhilint.model import Severity
from tests.helpers import scan_tree, triples

RULE = "NHI-PRIV-006"
ROLE = "aws:aws_iam_role.ci"


def _role(statements: str) -> str:
    return f"""\
resource "aws_iam_role" "ci" {{
  name = "ci"
  assume_role_policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ec2.amazonaws.com" }} }}]
  }})
}}

resource "aws_iam_role_policy" "ci" {{
  role = aws_iam_role.ci.id
  policy = jsonencode({{
    Statement = [
{statements}
    ]
  }})
}}
"""


def test_iam_star_on_star_is_one_admin_equivalent_finding(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": _role('      { Effect = "Allow", Action = "iam:*", Resource = "*" },')})
    assert triples(report, RULE) == [(RULE, "main.tf", 12, ROLE)]
    (finding,) = [f for f in report.findings if f.rule_id == RULE]
    assert finding.severity == Severity.CRITICAL
    assert "holds admin-equivalent permissions (main.tf:12)" in finding.message
    assert finding.evidence.startswith("methods: AddUserToGroup, AttachPolicy, CreateAccessKey,")
    assert "PutPolicy" in finding.evidence


def test_methods_of_distinct_statements_stay_distinct(tmp_path: Path) -> None:
    statements = """\
      { Effect = "Allow", Action = "ssm:SendCommand", Resource = "*" },
      { Effect = "Allow", Action = "glue:UpdateDevEndpoint", Resource = "*" },"""
    report = scan_tree(tmp_path, {"main.tf": _role(statements)})
    assert triples(report, RULE) == [(RULE, "main.tf", 12, ROLE), (RULE, "main.tf", 13, ROLE)]


def test_a_method_whose_actions_contain_another_is_folded_into_it(tmp_path: Path) -> None:
    """`codebuild:StartBuild` alone (an existing project) and PassRole + CreateProject + StartBuild: removing
    StartBuild fixes both, so they are one finding, at the first statement."""
    statements = """\
      { Effect = "Allow", Action = "iam:PassRole", Resource = "*" },
      { Effect = "Allow", Action = ["codebuild:CreateProject", "codebuild:StartBuild"], Resource = "*" },"""
    report = scan_tree(tmp_path, {"main.tf": _role(statements)})
    assert triples(report, RULE) == [(RULE, "main.tf", 12, ROLE)]
    (finding,) = [f for f in report.findings if f.rule_id == RULE]
    assert "in 2 ways" in finding.message
    assert finding.evidence.startswith("methods: CodeBuildStartBuild, PassRole:CodeBuild;")


def test_inventory_grants_name_the_methods_they_supply(tmp_path: Path) -> None:
    """The inventory's per-grant `privesc` field (issue 12 §6): filled from the escalation analysis."""
    import json

    from nhilint.report.json_report import render_inventory

    statements = """\
      { Effect = "Allow", Action = ["iam:PassRole", "ec2:RunInstances"], Resource = "*" },
      { Effect = "Allow", Action = "s3:GetObject", Resource = "*" },"""
    report = scan_tree(tmp_path, {"main.tf": _role(statements)})
    document = json.loads(render_inventory(report))
    (identity,) = [i for i in document["identities"] if i["id"] == ROLE]
    assert [(g["line"], g["privesc"]) for g in identity["grants"]] == [(12, ["PassRole:EC2"]), (13, [])]
