"""References reach the model typed: a TargetRef prints as written and names the identity extract resolved."""

from __future__ import annotations

from pathlib import Path

from nhilint.model import TargetRef
from tests.helpers import scan_tree

TF = {
    "main.tf": """
        resource "aws_iam_role" "app" {
          name               = "app"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = aws_iam_role.ci.arn } }]
          })
        }

        resource "aws_iam_role" "ci" {
          name               = "ci"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{
              Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" }
            }]
          })
        }

        resource "aws_iam_role_policy" "ci" {
          role   = aws_iam_role.ci.id
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{
              Effect = "Allow", Action = "iam:PassRole", Resource = [aws_iam_role.app.arn, aws_lambda_function.f.arn]
            }]
          })
        }
    """
}


def test_grant_resources_and_trust_principals_are_typed_references(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, TF)
    grant = next(g for g in report.inventory.grants if g.permissions == ("iam:PassRole",))
    role, function = grant.scope
    assert (role, function) == ("${aws_iam_role.app.arn}", "${aws_lambda_function.f.arn}")  # printed as written
    assert isinstance(role, TargetRef) and isinstance(function, TargetRef)
    assert (role.address, role.identity, role.kind) == ("aws_iam_role.app", "aws:aws_iam_role.app", "role")
    assert (function.identity, function.kind) == (None, "function")  # not in the scan; its kind is still known
    trust = next(t for t in report.inventory.trusts if t.identity == "aws:aws_iam_role.app")
    principal = trust.principals[0].identifier
    assert isinstance(principal, TargetRef) and principal.identity == "aws:aws_iam_role.ci"
