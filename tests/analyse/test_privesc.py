"""Privilege-escalation paths: method table, precision filters, role following and memoisation."""

from __future__ import annotations

from pathlib import Path

from nhilint.analyse.analysis import Analysis
from nhilint.analyse.effective import action_meta
from nhilint.analyse.privesc import Privesc, all_escalations
from nhilint.analyse.privesc_methods import METHODS, TARGETS
from nhilint.model import Severity
from tests.helpers import scan_tree


def _role(name: str, statements: str, trust: str = '"{}"') -> str:
    return f"""
resource "aws_iam_role" "{name}" {{
  name               = "{name}"
  assume_role_policy = {trust}
}}

resource "aws_iam_role_policy" "{name}" {{
  role   = aws_iam_role.{name}.id
  policy = jsonencode({{ Statement = {statements} }})
}}
"""


def _trust(principal: str) -> str:
    return f'jsonencode({{ Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {principal} }}] }})'


ADMIN = """
resource "aws_iam_role_policy_attachment" "{name}" {{
  role       = aws_iam_role.{name}.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}}
"""


def _findings(tmp_path: Path, text: str) -> list[tuple[str | None, Severity, str]]:
    report = scan_tree(tmp_path, {"main.tf": text})
    return [(f.identity, f.severity, f.message) for f in report.findings if f.rule_id == "NHI-PRIV-006"]


def test_every_action_of_the_method_table_is_in_the_catalog() -> None:
    actions = {a for m in METHODS for need in m.needs for a in need} | {
        f"{k.split(':')[0]}:{k.split(':')[1]}" for k in TARGETS
    }
    assert [a for a in sorted(actions) if action_meta(a) is None] == []
    assert len({m.name for m in METHODS}) == len(METHODS)
    assert all(m.passes_to for m in METHODS if m.follow == "pass")


def test_conditions_lower_or_remove(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        _role(
            "tagged",
            """[
    { Effect = "Allow", Action = "iam:PutRolePolicy", Resource = "*",
      Condition = { StringEquals = { "aws:ResourceTag/team" = "ops" } } },
  ]""",
        )
        + _role(
            "sourced",
            """[
    { Effect = "Allow", Action = "iam:CreatePolicyVersion", Resource = "*",
      Condition = { ArnEquals = { "aws:SourceArn" = "arn:aws:events:eu-west-1:123456789012:rule/x" } } },
  ]""",
        )
        + _role(
            "denied_mfa",
            """[
    { Effect = "Allow", Action = "iam:AttachRolePolicy", Resource = "*" },
    { Effect = "Deny", Action = "iam:*", Resource = "*",
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "false" } } },
  ]""",
        ),
    )
    assert [(i, s) for i, s, _ in found] == [
        ("aws:aws_iam_role.tagged", Severity.MEDIUM),
        ("aws:aws_iam_role.denied_mfa", Severity.MEDIUM),
    ]
    assert all(m.endswith("(only under conditions)") for _, _, m in found)


def test_passed_to_service_matching_the_method_keeps_the_finding(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        _role(
            "fn_deployer",
            """[
    { Effect = "Allow", Action = ["lambda:CreateFunction", "lambda:CreateEventSourceMapping"], Resource = "*" },
    { Effect = "Allow", Action = "iam:PassRole", Resource = "*",
      Condition = { StringLike = { "iam:PassedToService" = "lambda.*" } } },
  ]""",
        ),
    )
    assert [(i, s) for i, s, _ in found] == [("aws:aws_iam_role.fn_deployer", Severity.HIGH)]
    assert "lambda:CreateEventSourceMapping" in found[0][2]


def test_pass_role_on_any_role_names_the_admin_it_reaches(tmp_path: Path) -> None:
    launcher = '[{ Effect = "Allow", Action = ["iam:PassRole", "ec2:RunInstances"], Resource = "*" }]'
    text = _role("launcher", launcher) + (
        _role(
            "node",
            '[{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]',
            _trust('{ Service = "ec2.amazonaws.com" }'),
        )
        + _role(
            "boss",
            '[{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]',
            _trust('{ Service = "ec2.amazonaws.com" }'),
        )
        + ADMIN.format(name="boss")
        + _role(
            "lambda_admin",
            '[{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]',
            _trust('{ Service = "lambda.amazonaws.com" }'),
        )
        + ADMIN.format(name="lambda_admin")
    )
    found = _findings(tmp_path, text)
    assert [(i, s) for i, s, _ in found] == [("aws:aws_iam_role.launcher", Severity.CRITICAL)]
    assert found[0][2].endswith("launcher → PassRole → boss (AdministratorAccess)")  # not lambda_admin: not EC2's


def test_pass_role_to_a_role_outside_the_code_is_unknown(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        _role(
            "ci",
            """[
    { Effect = "Allow", Action = ["cloudformation:CreateStack"], Resource = "*" },
    { Effect = "Allow", Action = "iam:PassRole", Resource = "arn:aws:iam::123456789012:role/cfn-exec" },
  ]""",
        ),
    )
    assert [(i, s) for i, s, _ in found] == [("aws:aws_iam_role.ci", Severity.INFO)]
    assert "arn:aws:iam::123456789012:role/cfn-exec, not in the scanned code" in found[0][2]


def test_assume_role_chains_are_cycle_safe_and_account_roots_need_a_named_role(tmp_path: Path) -> None:
    text = (
        _role(
            "a",
            '[{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "*" }]',
            _trust("{ AWS = aws_iam_role.b.arn }"),
        )
        + _role(
            "b",
            '[{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "*" }]',
            _trust("{ AWS = aws_iam_role.a.arn }"),
        )
        # trusts a literal account root: another account unless the identity names this role
        + _role(
            "vendor_admin",
            '[{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]',
            _trust('{ AWS = "arn:aws:iam::777788889999:root" }'),
        )
        + ADMIN.format(name="vendor_admin")
        + _role("named", '[{ Effect = "Allow", Action = "sts:AssumeRole", Resource = aws_iam_role.vendor_admin.arn }]')
    )
    report = scan_tree(tmp_path, {"main.tf": text})
    found = [(f.identity, f.message) for f in report.findings if f.rule_id == "NHI-PRIV-006"]
    assert [i for i, _ in found] == ["aws:aws_iam_role.named"]
    assert found[0][1].endswith("named → AssumeRole → vendor_admin (AdministratorAccess)")
    engine = Privesc(report.inventory)
    a = report.inventory.identities["aws:aws_iam_role.a"]
    assert [r.name for r, _ in engine.assumable(a)] == ["b"]


def test_a_chain_through_a_cycle_reaches_the_admin_once(tmp_path: Path) -> None:
    text = (
        _role(
            "app",
            '[{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "*" }]',
            _trust("{ AWS = aws_iam_role.ops.arn }"),
        )
        + _role(
            "ops",
            '[{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "*" }]',
            _trust("{ AWS = aws_iam_role.app.arn }"),
        )
        + _role(
            "root",
            '[{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]',
            _trust('{ AWS = "arn:aws:iam::${data.aws_caller_identity.me.account_id}:root" }'),
        )
        + ADMIN.format(name="root")
        + 'data "aws_caller_identity" "me" {}\n'
    )
    found = _findings(tmp_path, text)
    assert sorted(i for i, _, _ in found if i) == ["aws:aws_iam_role.app", "aws:aws_iam_role.ops"]
    assert all(m.count("root (AdministratorAccess)") == 1 for _, _, m in found)


def test_escalations_are_computed_once_per_analysis(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path, {"main.tf": _role("x", '[{ Effect = "Allow", Action = "iam:PutUserPolicy", Resource = "*" }]')}
    )
    analysis = report.analysis
    assert isinstance(analysis, Analysis)
    first = analysis.escalations
    assert [e.method.name for e in first] == ["PutPolicy"]
    assert analysis.escalations is first  # the rule and any later reader share one computation
    assert [e.method.name for e in all_escalations(report.inventory)] == ["PutPolicy"]  # the plain function
