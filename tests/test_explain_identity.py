"""`nhilint explain-identity`: one identity's full picture, found by id, address or unique suffix."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.cli import main
from tests.helpers import write_tree

FILES = {
    "ci.tf": """
        # nhilint:purpose builds and deploys the orders service
        resource "aws_iam_role" "ci" {
          name = "orders-ci"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{
              Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" }
            }]
          })
          tags = {
            owner     = "team-orders"
            expires   = "2027-03-31"
            retire-on = "app:orders"
          }
        }

        resource "aws_iam_role_policy" "ci" {
          name = "deploy"
          role = aws_iam_role.ci.id
          policy = jsonencode({
            Version = "2012-10-17"
            Statement = [
              {
                Effect   = "Allow"
                Action   = ["s3:GetObject", "s3:PutObject"]
                Resource = "arn:aws:s3:::orders-artifacts/*"
              },
              { Effect = "Allow", Action = "iam:PassRole", Resource = aws_iam_role.lambda_exec.arn },
            ]
          })
        }

        resource "aws_codebuild_project" "orders" {
          name         = "orders"
          service_role = aws_iam_role.ci.arn
          artifacts {
            type = "NO_ARTIFACTS"
          }
          environment {
            compute_type = "BUILD_GENERAL1_SMALL"
            image        = "aws/codebuild/standard:7.0"
            type         = "LINUX_CONTAINER"
          }
          source {
            type     = "GITHUB"
            location = "https://github.com/acme/orders.git"
          }
        }
    """,
    "lambda.tf": """
        resource "aws_iam_role" "lambda_exec" {
          name = "orders-lambda"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{
              Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" }
            }]
          })
        }

        resource "aws_iam_role_policy" "lambda_exec" {
          role = aws_iam_role.lambda_exec.id
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "dynamodb:*", Resource = "*" }]
          })
        }
    """,
    "gcp.tf": """
        resource "google_service_account" "ci" {
          account_id = "orders-ci"
          project    = "acme-prod"
        }
    """,
}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("name", ["aws:aws_iam_role.ci", "aws_iam_role.ci"])
def test_identity_by_id_address_or_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    write_tree(tmp_path, FILES)
    code, out, _ = run(["explain-identity", name, str(tmp_path), "--today", "2026-11-22"], capsys)
    assert code == 0
    assert out.splitlines()[:7] == [
        "aws:aws_iam_role.ci",
        "  role (aws) at ci.tf:2",
        "  name: orders-ci",
        "  owner: team-orders (from tag:owner, ci.tf:10)",
        "  purpose: builds and deploys the orders service (from comment, ci.tf:1)",
        "  expires: 2027-03-31 (from tag:expires, ci.tf:10)",
        "  retire-on: app:orders (from tag:retire-on, ci.tf:10)",
    ]


def test_full_picture_with_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, FILES)
    code, out, _ = run(["explain-identity", "aws_iam_role.ci", str(tmp_path), "--today", "2026-11-22"], capsys)
    assert code == 0
    text = out.split("\n", 7)[7]
    assert text == (
        "credentials: none\n"
        "grants (what it may do)\n"
        "  ci.tf:23: Allow s3:GetObject, s3:PutObject on arn:aws:s3:::orders-artifacts/*, "
        "via inline policy deploy (aws_iam_role_policy.ci)\n"
        "  ci.tf:28: Allow iam:PassRole on ${aws_iam_role.lambda_exec.arn}, "
        "via inline policy deploy (aws_iam_role_policy.ci)\n"
        "trusts (who may become it)\n"
        "  ci.tf:6: Allow Service codebuild.amazonaws.com to sts:AssumeRole, via assume_role_policy\n"
        "used by (workloads that run as it)\n"
        "  ci.tf:33: aws_codebuild_project.orders (aws_codebuild_project)\n"
        "reaches\n"
        "  directly: iam:W s3:RW\n"
        "  in total: dynamodb:LRTWP iam:W s3:RW\n"
        "can become (and how)\n"
        "  aws:aws_iam_role.lambda_exec\n"
        "      ci.tf:28: aws:aws_iam_role.ci -> aws:aws_iam_role.lambda_exec: iam:PassRole\n"
        "findings: none\n"
    )


def test_findings_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, FILES)
    code, out, _ = run(
        ["explain-identity", "aws:aws_iam_role.lambda_exec", str(tmp_path), "--today", "2026-11-22"], capsys
    )
    assert code == 0
    findings = out.split("findings\n", 1)[1].splitlines()
    assert [line.split(" ")[2:4] for line in findings] == [
        ["lambda.tf:1:", "NHI-EXP-004"],
        ["lambda.tf:1:", "NHI-OWN-001"],
        ["lambda.tf:1:", "NHI-RET-001"],
        ["lambda.tf:15:", "NHI-PRIV-001"],
        ["lambda.tf:15:", "NHI-PRIV-002"],  # dynamodb:* on "*": the actions and the resources, two fixes
    ]


def test_ambiguous_and_unknown_names_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, FILES)
    code, _, err = run(["explain-identity", "ci", str(tmp_path)], capsys)
    assert code == 2
    assert "'ci' matches 2 identities; give one of:\n  aws:aws_iam_role.ci\n  gcp:google_service_account.ci" in err
    code, _, err = run(["explain-identity", "aws_iam_role.deploy", str(tmp_path)], capsys)
    assert code == 2 and "no identity matches 'aws_iam_role.deploy'" in err


PLATFORM_CI = {
    "roles.tf": """
        resource "aws_iam_role" "platform_ci" {
          name               = "platform-ci"
          assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
        }

        resource "aws_iam_role" "deploy" {
          name               = "orders-deploy"
          assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
        }
    """
}


@pytest.mark.parametrize("name", ["ci", "role.platform_ci", "platform"])
def test_names_match_whole_segments_and_none_lists_the_closest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    write_tree(tmp_path, PLATFORM_CI)
    code, out, err = run(["explain-identity", name, str(tmp_path)], capsys)
    assert (code, out) == (2, "")
    assert err.splitlines()[-2:] == [
        f"Error: no identity matches {name!r}; the closest:",
        "  aws:aws_iam_role.platform_ci",
    ]


@pytest.mark.parametrize("name", ["platform_ci", "aws_iam_role.platform_ci", "platform-ci"])
def test_a_whole_segment_or_the_name_resolves(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    write_tree(tmp_path, PLATFORM_CI)
    code, out, _ = run(["explain-identity", name, str(tmp_path)], capsys)
    assert code == 0 and out.splitlines()[0] == "aws:aws_iam_role.platform_ci"


def test_nothing_alike_lists_no_candidates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, PLATFORM_CI)
    code, _, err = run(["explain-identity", "kubernetes:ServiceAccount/x/y", str(tmp_path)], capsys)
    assert code == 2
    assert err.splitlines()[-1] == (
        "Error: no identity matches 'kubernetes:ServiceAccount/x/y'; `nhilint inventory` lists them"
    )


def test_escalation_findings_and_impersonation_routes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(
        tmp_path,
        {
            "gcp.tf": """
        resource "google_service_account" "ci" {
          account_id = "ci-pipeline"
          project    = "acme-prod"
        }

        resource "google_service_account" "deployer" {
          account_id = "prod-deployer"
          project    = "acme-prod"
        }

        resource "google_project_iam_member" "deployer_owner" {
          project = "acme-prod"
          role    = "roles/owner"
          member  = "serviceAccount:${google_service_account.deployer.email}"
        }

        resource "google_service_account_iam_member" "ci_as_deployer" {
          service_account_id = google_service_account.deployer.name
          role               = "roles/iam.serviceAccountTokenCreator"
          member             = "serviceAccount:${google_service_account.ci.email}"
        }
    """
        },
    )
    code, out, _ = run(
        ["explain-identity", "google_service_account.ci", str(tmp_path), "--today", "2026-11-22"], capsys
    )
    assert code == 0
    assert (
        "can become (and how)\n"
        "  gcp:google_service_account.deployer\n"
        "      gcp.tf:19: gcp:google_service_account.ci -> gcp:google_service_account.deployer: "
        "TokenCreator on it\n"
    ) in out
    assert out.splitlines()[-1] == (
        "  gcp.tf:19: NHI-PRIV-007 critical service account google_service_account.ci → TokenCreator on service "
        "account google_service_account.deployer (roles/owner): it can mint access tokens of, or sign as, service "
        "account google_service_account.deployer (iam.serviceAccounts.getAccessToken, "
        "iam.serviceAccounts.implicitDelegation, iam.serviceAccounts.signBlob, iam.serviceAccounts.signJwt)"
    )
    assert "  in total: roles/iam.serviceAccountTokenCreator roles/owner\n" in out
