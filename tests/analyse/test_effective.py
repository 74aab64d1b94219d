"""Effective AWS permissions: the union of every attachment, less Deny, within the boundary, computed once."""

from __future__ import annotations

import gc
from pathlib import Path

from nhilint.analyse.analysis import Analysis
from nhilint.analyse.effective import BOUNDARY_APPLIED, BOUNDARY_NOT_EVALUATED, Effective
from nhilint.model import Inventory
from tests.helpers import scan_tree

ROLE = """
resource "aws_iam_role" "{name}" {{
  name                 = "{name}"
  assume_role_policy   = "{{}}"
  {extra}
}}

resource "aws_iam_role_policy" "{name}" {{
  role   = aws_iam_role.{name}.id
  policy = jsonencode({{ Statement = {statements} }})
}}
"""


def _role(name: str, statements: str, extra: str = "") -> str:
    return ROLE.format(name=name, statements=statements, extra=extra)


def _inventory(tmp_path: Path, text: str) -> Inventory:
    return scan_tree(tmp_path, {"main.tf": text}).inventory


def effective(inventory: Inventory, identity_id: str) -> Effective | None:
    return Analysis(inventory).effective(identity_id)


def test_group_and_inline_grants_are_one_set_with_their_statements(tmp_path: Path) -> None:
    inventory = _inventory(
        tmp_path,
        """
resource "aws_iam_group" "ops" {
  name = "ops"
}

resource "aws_iam_group_policy" "ops" {
  group  = aws_iam_group.ops.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:Get*", Resource = "arn:aws:s3:::logs/*" }] })
}

resource "aws_iam_user" "bot" {
  name = "bot"
}

resource "aws_iam_group_membership" "ops" {
  name  = "ops"
  group = aws_iam_group.ops.name
  users = [aws_iam_user.bot.name]
}

resource "aws_iam_user_policy" "bot" {
  user   = aws_iam_user.bot.name
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "sqs:SendMessage"], Resource = "*" }]
  })
}
""",
    )
    bot = effective(inventory, "aws:aws_iam_user.bot")
    assert bot is not None
    get = bot.allowed("S3:GETOBJECT")
    assert get is not None and get.action == "s3:GetObject" and get.level == "Read"
    assert sorted(str(s.grant.location) for s in get.supplies) == ["main.tf:23", "main.tf:7"]
    assert [s.statement.resources for s in get.supplies] == [("*",), ("arn:aws:s3:::logs/*",)]  # own, then the group's
    actions = bot.actions()
    assert {"s3:GetObject", "s3:GetBucketPolicy", "sqs:SendMessage"} <= set(actions)
    assert actions["sqs:SendMessage"].level == "Write"
    assert "s3:PutObject" not in actions and bot.allowed("s3:PutObject") is None


def test_deny_removes_or_marks_conditional(tmp_path: Path) -> None:
    inventory = _inventory(
        tmp_path,
        _role(
            "app",
            """[
    { Effect = "Allow", Action = ["s3:*", "kms:Decrypt", "sqs:SendMessage"], Resource = "*" },
    { Effect = "Allow", Action = "dynamodb:PutItem", Resource = "arn:aws:dynamodb:*:*:table/orders" },
    { Effect = "Deny", Action = "s3:DeleteBucket", Resource = "*" },
    { Effect = "Deny", Action = "kms:Decrypt", Resource = "*",
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "false" } } },
    { Effect = "Deny", Action = "sqs:SendMessage", Resource = "arn:aws:sqs:*:*:audit" },
    { Effect = "Deny", Action = "dynamodb:*", Resource = "arn:aws:dynamodb:*:*:table/*" },
  ]""",
        ),
    )
    app = effective(inventory, "aws:aws_iam_role.app")
    assert app is not None
    assert app.allowed("s3:DeleteBucket") is None
    assert app.allowed("s3:PutObject") is not None and not app.allowed("s3:PutObject").conditional  # type: ignore[union-attr]
    decrypt = app.allowed("kms:Decrypt")
    assert decrypt is not None and decrypt.conditional
    assert [str(g.location) for s in decrypt.supplies for g in s.limited_by] == ["main.tf:13"]
    send = app.allowed("sqs:SendMessage")  # denied on one queue only
    assert send is not None and send.conditional
    assert app.allowed("dynamodb:PutItem") is None  # the Deny's pattern covers the Allow's table


def test_not_action_in_allow_and_in_deny(tmp_path: Path) -> None:
    inventory = _inventory(
        tmp_path,
        _role(
            "wide",
            """[
    { Effect = "Allow", NotAction = ["iam:*", "organizations:*"], Resource = "*" },
    { Effect = "Deny", NotAction = ["s3:*", "ec2:Describe*"], Resource = "*" },
  ]""",
        ),
    )
    wide = effective(inventory, "aws:aws_iam_role.wide")
    assert wide is not None
    assert wide.allowed("s3:PutObject") is not None
    assert wide.allowed("ec2:DescribeInstances") is not None
    assert wide.allowed("ec2:RunInstances") is None  # denied: not in the Deny's NotAction
    assert wide.allowed("iam:PassRole") is None  # never allowed
    assert wide.services() is None
    actions = wide.actions()
    assert "s3:GetObject" in actions and "lambda:InvokeFunction" not in actions
    assert all(a.startswith(("s3:", "ec2:Describe")) for a in actions)


def test_boundary_in_the_code_intersects_and_an_unknown_one_is_marked(tmp_path: Path) -> None:
    text = (
        """
resource "aws_iam_policy" "boundary" {
  name   = "boundary"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["s3:*", "logs:*"], Resource = "*" }] })
}
"""
        + _role(
            "inside",
            '[{ Effect = "Allow", Action = ["s3:GetObject", "iam:PassRole"], Resource = "*" }]',
            "permissions_boundary = aws_iam_policy.boundary.arn",
        )
        + _role(
            "outside",
            '[{ Effect = "Allow", Action = ["iam:PassRole"], Resource = "*" }]',
            'permissions_boundary = "arn:aws:iam::123456789012:policy/elsewhere"',
        )
        + _role(
            "managed",
            '[{ Effect = "Allow", Action = ["iam:PassRole", "s3:GetObject"], Resource = "*" }]',
            'permissions_boundary = "arn:aws:iam::aws:policy/PowerUserAccess"',
        )
    )
    inventory = _inventory(tmp_path, text)
    inside = effective(inventory, "aws:aws_iam_role.inside")
    assert inside is not None and inside.boundary_status == BOUNDARY_APPLIED
    assert inside.allowed("iam:PassRole") is None
    assert inside.allowed("s3:GetObject") is not None
    outside = effective(inventory, "aws:aws_iam_role.outside")
    assert outside is not None and outside.boundary_status == BOUNDARY_NOT_EVALUATED
    passing = outside.allowed("iam:PassRole")
    assert passing is not None and passing.boundary == BOUNDARY_NOT_EVALUATED
    assert any("elsewhere" in note for note in outside.notes)
    managed = effective(inventory, "aws:aws_iam_role.managed")
    assert managed is not None and managed.allowed("iam:PassRole") is None
    assert managed.allowed("s3:GetObject") is not None


def test_aws_managed_policies_known_by_name_and_the_rest_noted(tmp_path: Path) -> None:
    inventory = _inventory(
        tmp_path,
        """
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = "{}"
  managed_policy_arns = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AmazonS3FullAccess",
  ]
}

resource "aws_iam_role" "power" {
  name                = "power"
  assume_role_policy  = "{}"
  managed_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]
}

resource "aws_iam_role" "admin" {
  name                = "admin"
  assume_role_policy  = "{}"
  managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}
""",
    )
    r = effective(inventory, "aws:aws_iam_role.r")
    assert r is not None
    assert r.allowed("s3:GetObject") is not None and r.allowed("s3:PutObject") is None
    assert r.allowed("logs:PutLogEvents") is not None
    assert r.allowed("ec2:DescribeInstances").supplies[0].statement.policy == "ReadOnlyAccess"  # type: ignore[union-attr]
    assert [n for n in r.notes if "AmazonS3FullAccess" in n and "not evaluated" in n]
    power = effective(inventory, "aws:aws_iam_role.power")
    assert power is not None and power.admin is None
    assert power.allowed("iam:PassRole") is None and power.allowed("iam:CreateServiceLinkedRole") is not None
    assert power.allowed("ec2:RunInstances") is not None
    admin = effective(inventory, "aws:aws_iam_role.admin")
    assert admin is not None and admin.admin == "AdministratorAccess"


def test_computed_once_per_analysis(tmp_path: Path) -> None:
    inventory = _inventory(tmp_path, _role("app", '[{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]'))
    analysis = Analysis(inventory)
    assert analysis.aws is analysis.aws
    assert gc.isenabled()  # paused only while the analysis is built
    first = analysis.effective("aws:aws_iam_role.app")
    assert first is not None and analysis.effective("aws:aws_iam_role.app") is first
    assert first.allowed("s3:GetObject") is first.allowed("s3:getobject")
    assert first.actions() is first.actions()
    assert analysis.effective("aws:nothing") is None
    assert Analysis(inventory).aws is not analysis.aws  # nothing kept outside the run's Analysis
