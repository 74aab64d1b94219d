"""Policy documents: aws_iam_policy_document composition, heredoc JSON lines, unknown statements."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import scan_tree

COMPOSED = """
data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::reports/*"]
  }
  statement {
    sid       = "Queue"
    actions   = ["sqs:SendMessage"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "override" {
  statement {
    sid       = "Queue"
    actions   = ["sqs:SendMessage"]
    resources = ["arn:aws:sqs:eu-west-1:111122223333:jobs"]
  }
}

data "aws_iam_policy_document" "final" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.override.json]
  statement {
    sid       = "Logs"
    actions   = ["logs:PutLogEvents"]
    resources = ["arn:aws:logs:*:*:log-group:/app/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/team"
      values   = ["payments"]
    }
  }
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "app" {
  role   = aws_iam_role.app.name
  policy = data.aws_iam_policy_document.final.json
}
"""


def test_source_and_override_documents_compose_by_sid(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": COMPOSED})
    grants = report.inventory.grants_of("aws:aws_iam_role.app")
    assert [(g.permissions, g.scope, g.location.start_line) for g in grants] == [
        (("s3:GetObject",), ("arn:aws:s3:::reports/*",), 2),
        (("sqs:SendMessage",), ("arn:aws:sqs:eu-west-1:111122223333:jobs",), 15),
        (("logs:PutLogEvents",), ("arn:aws:logs:*:*:log-group:/app/*",), 25),
    ]
    (logs,) = [g for g in grants if g.permissions == ("logs:PutLogEvents",)]
    assert [(c.operator, c.key, c.values) for c in logs.conditions] == [
        ("StringEquals", "aws:PrincipalTag/team", ("payments",))
    ]
    assert not [f for f in report.findings if f.rule_id.startswith("NHI-PRIV")]


def test_statement_with_an_unevaluable_action_is_unknown_not_silent(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "main.tf": """
        variable "actions" {
          type = list(string)
        }
        resource "aws_iam_user" "bot" {
          name = "bot"
        }
        resource "aws_iam_user_policy" "bot" {
          user = aws_iam_user.bot.name
          policy = jsonencode({
            Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]
          })
        }
    """
        },
    )
    (grant,) = report.inventory.grants_of("aws:aws_iam_user.bot")
    assert grant.permissions == () and grant.unknown and "var.actions" in grant.unknown
    unknown = [(f.rule_id, f.location.start_line, f.unknown) for f in report.findings if f.rule_id == "NHI-PRIV-001"]
    assert unknown == [("NHI-PRIV-001", 10, True)]


def test_counted_policy_documents_and_splats(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "main.tf": """
        variable "create" {
          default = true
        }
        variable "attach_extra" {
          default = false
        }
        data "aws_iam_policy_document" "base" {
          count = var.create ? 1 : 0
          statement {
            actions   = ["s3:GetObject"]
            resources = ["arn:aws:s3:::a/*"]
          }
        }
        data "aws_iam_policy_document" "extra" {
          count = var.create && var.attach_extra ? 1 : 0
          statement {
            actions   = ["iam:*"]
            resources = ["*"]
          }
        }
        data "aws_iam_policy_document" "combined" {
          count                   = var.create ? 1 : 0
          source_policy_documents = concat(
            data.aws_iam_policy_document.base[*].json,
            data.aws_iam_policy_document.extra[*].json,
          )
        }
        resource "aws_iam_role" "this" {
          count              = var.create ? 1 : 0
          name               = "svc"
          assume_role_policy = "{}"
        }
        resource "aws_iam_role_policy" "this" {
          count  = var.create ? 1 : 0
          role   = aws_iam_role.this[0].name
          policy = data.aws_iam_policy_document.combined[0].json
        }
    """
        },
    )
    grants = report.inventory.grants_of("aws:aws_iam_role.this[0]")
    assert [(g.permissions, g.location.start_line) for g in grants] == [(("s3:GetObject",), 9)]
    assert not [g for g in report.inventory.grants if g.unknown]


def test_an_effect_that_is_neither_allow_nor_deny_is_judged_as_allow_and_marked_unknown(tmp_path: Path) -> None:
    # `Effect = "allow"` used to match neither "Allow" nor "Deny", so every rule skipped the statement.
    report = scan_tree(
        tmp_path,
        {
            "main.tf": """
        resource "aws_iam_user" "bot" {
          name = "bot"
        }
        resource "aws_iam_user_policy" "bot" {
          user = aws_iam_user.bot.name
          policy = jsonencode({
            Statement = [{ Effect = "allow", Action = "*", Resource = "*" }]
          })
        }
    """
        },
    )
    (grant,) = report.inventory.grants_of("aws:aws_iam_user.bot")
    assert (grant.effect, grant.unknown) == ("Allow", "Effect is neither Allow nor Deny")
    admin = [
        (f.rule_id, f.location.path, f.location.start_line) for f in report.findings if f.rule_id == "NHI-PRIV-004"
    ]
    assert admin == [("NHI-PRIV-004", "main.tf", 7)]


MANAGED = """\
resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = "{}"
}

resource "aws_iam_policy" "deploy" {
  name   = "deploy"
  policy = <<EOT
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::artifacts/*"
    },
    {
      "Effect": "Allow",
      "Action": "cloudformation:*",
      "Resource": "*",
      "Action": "cloudformation:DescribeStacks"
    }
  ]
}
EOT
}

resource "aws_iam_role_policy_attachment" "deploy" {
  role       = aws_iam_role.ci.name
  policy_arn = aws_iam_policy.deploy.arn
}

resource "aws_iam_role_policy_attachment" "read" {
  role       = aws_iam_role.ci.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
"""


def test_a_customer_managed_policy_in_heredoc_json_keeps_its_statement_lines(tmp_path: Path) -> None:
    # `aws_iam_policy` is code in the scan, not a catalogue entry: its statements are where findings point, and
    # a key written twice in it is reported. AWS managed policies are never parsed (analyse.aws_managed): their
    # grants point at the attachment.
    report = scan_tree(tmp_path, {"main.tf": MANAGED})
    grants = report.inventory.grants_of("aws:aws_iam_role.ci")
    assert [(g.permissions, g.location.start_line, g.location.end_line) for g in grants] == [
        (("s3:GetObject",), 12, 16),
        (("cloudformation:*", "cloudformation:DescribeStacks"), 17, 22),
        (("arn:aws:iam::aws:policy/ReadOnlyAccess",), 33, 36),
    ]
    assert [(e.line, e.kind) for e in report.inventory.errors] == [(21, "duplicate-key")]
