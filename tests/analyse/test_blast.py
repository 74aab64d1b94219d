"""Blast radius: direct reach, who can become whom (AWS, GCP, Kubernetes -> cloud), transitively and cycle-safe."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from nhilint.analyse.blast import UNBOUNDED, BlastRadius, compute
from nhilint.api import build_inventory
from nhilint.cli import main
from tests.helpers import config_for, write_tree

AWS = {
    "ci.tf": """
        data "aws_iam_policy_document" "ci" {
          statement {
            actions   = ["s3:GetObject", "s3:PutObject"]
            resources = ["arn:aws:s3:::acme-artifacts/*"]
          }
          statement {
            actions   = ["iam:PassRole"]
            resources = [aws_iam_role.lambda_exec.arn]
          }
          statement {
            actions   = ["sts:AssumeRole"]
            resources = ["arn:aws:iam::111122223333:role/deploy-*"]
          }
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
          policy = data.aws_iam_policy_document.ci.json
        }
    """,
    "deploy.tf": """
        resource "aws_iam_role" "deploy" {
          name = "deploy-prod"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [
              { Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::111122223333:root" } },
              { Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = aws_iam_role.audit.arn } },
            ]
          })
        }

        resource "aws_iam_role_policy" "deploy" {
          role = aws_iam_role.deploy.id
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "ec2:*", Resource = "*" }]
          })
        }

        resource "aws_iam_role" "audit" {
          name = "audit"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = aws_iam_role.deploy.arn } }]
          })
        }

        resource "aws_iam_role_policy_attachment" "audit" {
          role       = aws_iam_role.audit.name
          policy_arn = "arn:aws:iam::aws:policy/SecurityAudit"
        }

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
            Statement = [{
              Effect   = "Allow"
              Action   = "dynamodb:PutItem"
              Resource = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"
            }]
          })
        }

        resource "aws_iam_user" "release" {
          name = "release-bot"
        }

        resource "aws_iam_user_policy" "release" {
          user = aws_iam_user.release.name
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = ["iam:PassRole", "ecs:RunTask"], Resource = "*" }]
          })
        }
    """,
}

GCP = {
    "gcp.tf": """
        provider "google" {
          project = "acme-prod"
        }

        resource "google_service_account" "ci" {
          account_id = "ci-pipeline"
        }

        resource "google_service_account" "deployer" {
          account_id = "prod-deployer"
        }

        resource "google_project_iam_member" "deployer_storage" {
          project = "acme-prod"
          role    = "roles/storage.admin"
          member  = "serviceAccount:${google_service_account.deployer.email}"
        }

        resource "google_service_account_iam_member" "ci_as_deployer" {
          service_account_id = google_service_account.deployer.name
          role               = "roles/iam.serviceAccountTokenCreator"
          member             = "serviceAccount:${google_service_account.ci.email}"
        }

        resource "google_project_iam_member" "ci_logs" {
          project = "acme-prod"
          role    = "roles/logging.logWriter"
          member  = "serviceAccount:${google_service_account.ci.email}"
        }
    """,
    "k8s/runner.yaml": """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: runner
          namespace: ci
          annotations:
            iam.gke.io/gcp-service-account: ci-pipeline@acme-prod.iam.gserviceaccount.com
    """,
}


def blast_of(tmp_path: Path, files: dict[str, str]) -> BlastRadius:
    write_tree(tmp_path, files)
    inventory, _ = build_inventory([tmp_path], config_for(tmp_path), tmp_path)
    return compute(inventory, eager=True)


def paths(blast: BlastRadius, identity: str) -> dict[str, list[str]]:
    return {r.target: r.path for r in blast.routes(identity)}


def test_aws_direct_reach_by_service_and_access_level(tmp_path: Path) -> None:
    blast = blast_of(tmp_path, AWS)
    direct = blast.direct["aws:aws_iam_role.ci"].as_dict()
    assert direct == {
        "services": {"iam": ["Write"], "s3": ["Read", "Write"], "sts": ["Write"]},
        "roles": [],
        "resources": [
            "${aws_iam_role.lambda_exec.arn}",
            "arn:aws:iam::111122223333:role/deploy-*",
            "arn:aws:s3:::acme-artifacts/*",
        ],
    }
    assert blast.direct["aws:aws_iam_role.audit"].as_dict()["roles"] == ["SecurityAudit"]


def test_aws_assume_pass_and_trust_chains_are_transitive_and_cycle_safe(tmp_path: Path) -> None:
    blast = blast_of(tmp_path, AWS)
    ci, deploy, audit, lambda_exec = (
        "aws:aws_iam_role.ci",
        "aws:aws_iam_role.deploy",
        "aws:aws_iam_role.audit",
        "aws:aws_iam_role.lambda_exec",
    )
    # ci: PassRole on the Lambda role; AssumeRole on deploy-* which trusts the account root; deploy <-> audit.
    assert paths(blast, ci) == {lambda_exec: [ci, lambda_exec], deploy: [ci, deploy], audit: [ci, deploy, audit]}
    assert paths(blast, deploy) == {audit: [deploy, audit]}
    assert paths(blast, audit) == {deploy: [audit, deploy]}
    (to_deploy,) = [r for r in blast.routes(ci) if r.target == deploy]
    assert [str(e) for e in to_deploy.edges] == ["ci.tf:10: sts:AssumeRole (account trusted, allowed by policy)"]
    (to_audit,) = [r for r in blast.routes(ci) if r.target == audit]
    assert [str(e) for e in to_audit.edges] == [
        "ci.tf:10: sts:AssumeRole (account trusted, allowed by policy)",
        "deploy.tf:24: sts:AssumeRole (trusted)",
    ]
    total = blast.reach(ci).as_dict()
    assert total["services"] == {
        "dynamodb": ["Write"],
        "ec2": ["List", "Read", "Tagging", "Write", "Permissions management"],
        "iam": ["Write"],
        "s3": ["Read", "Write"],
        "sts": ["Write"],
    }
    assert total["roles"] == ["SecurityAudit"]
    assert "arn:aws:dynamodb:eu-west-1:111122223333:table/orders" in total["resources"]


def test_passrole_on_every_resource_is_one_unbounded_entry(tmp_path: Path) -> None:
    blast = blast_of(tmp_path, AWS)
    routes = blast.routes("aws:aws_iam_user.release")
    assert [(r.target, [str(e) for e in r.edges]) for r in routes] == [(UNBOUNDED, ["deploy.tf:63: iam:PassRole on *"])]
    assert blast.reach("aws:aws_iam_user.release").summary() == "ecs:W iam:W"


def test_gcp_impersonation_and_kubernetes_workload_identity(tmp_path: Path) -> None:
    blast = blast_of(tmp_path, GCP)
    runner, ci, deployer = (
        "kubernetes:ServiceAccount/ci/runner",
        "gcp:google_service_account.ci",
        "gcp:google_service_account.deployer",
    )
    assert paths(blast, ci) == {deployer: [ci, deployer]}
    assert paths(blast, runner) == {ci: [runner, ci], deployer: [runner, ci, deployer]}
    (route,) = [r for r in blast.routes(runner) if r.target == deployer]
    assert [str(e) for e in route.edges] == [
        "k8s/runner.yaml:1: workload identity (iam.gke.io/gcp-service-account)",
        "gcp.tf:21: TokenCreator on it",
    ]
    assert blast.reach(runner).as_dict() == {
        "services": {},
        "roles": ["roles/iam.serviceAccountTokenCreator", "roles/logging.logWriter", "roles/storage.admin"],
        "resources": ["project/acme-prod", "serviceAccount/${google_service_account.deployer.name}"],
    }
    assert paths(blast, deployer) == {}


def test_project_level_service_account_user_reaches_every_account_of_the_project(tmp_path: Path) -> None:
    files = dict(GCP)
    files["ops.tf"] = """
        resource "google_service_account" "ops" {
          account_id = "ops-bot"
        }

        resource "google_project_iam_member" "ops_sa_user" {
          project = "acme-prod"
          role    = "roles/iam.serviceAccountUser"
          member  = "serviceAccount:${google_service_account.ops.email}"
        }
    """
    blast = blast_of(tmp_path, files)
    ops, ci, deployer = (
        "gcp:google_service_account.ops",
        "gcp:google_service_account.ci",
        "gcp:google_service_account.deployer",
    )
    assert paths(blast, ops) == {ci: [ops, ci], deployer: [ops, deployer]}
    assert {str(e) for r in blast.routes(ops) for e in r.edges} == {"ops.tf:7: ServiceAccountUser on project/acme-prod"}


def test_inventory_json_and_table_carry_the_blast_radius(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, GCP)
    assert main(["inventory", str(tmp_path), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    schema = json.loads(resources.files("nhilint.schemas").joinpath("inventory.schema.json").read_text())
    Draft202012Validator(schema).validate(document)
    by_id = {i["id"]: i for i in document["identities"]}
    assert by_id["kubernetes:ServiceAccount/ci/runner"]["can_become"] == [
        {
            "id": "gcp:google_service_account.ci",
            "path": ["kubernetes:ServiceAccount/ci/runner", "gcp:google_service_account.ci"],
            "via": ["k8s/runner.yaml:1: workload identity (iam.gke.io/gcp-service-account)"],
        },
        {
            "id": "gcp:google_service_account.deployer",
            "path": [
                "kubernetes:ServiceAccount/ci/runner",
                "gcp:google_service_account.ci",
                "gcp:google_service_account.deployer",
            ],
            "via": [
                "k8s/runner.yaml:1: workload identity (iam.gke.io/gcp-service-account)",
                "gcp.tf:21: TokenCreator on it",
            ],
        },
    ]
    assert by_id["gcp:google_service_account.deployer"]["reaches"]["roles"] == ["roles/storage.admin"]
    assert main(["inventory", str(tmp_path), "--format", "table"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[-2:] == ["REACHES", "CAN_BECOME"]
    (row,) = [n for n, line in enumerate(table) if line.startswith("gcp:google_service_account.ci ")]
    ci_row, continued = table[row], table[row + 1]
    assert ci_row.endswith(
        "roles/iam.serviceAccountTokenCreator roles/logging.logWriter  google_service_account.deployer"
    )  # a long cell wraps at the column width (60)
    assert continued == " " * ci_row.index("roles/iam.") + "roles/storage.admin"  # continuation, same column


def test_trust_by_role_arn_and_group_policies(tmp_path: Path) -> None:
    files = dict(AWS)
    files["ops.tf"] = """
        resource "aws_iam_role" "breakglass" {
          name = "breakglass"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                           Principal = { AWS = "arn:aws:iam::111122223333:role/ci" } }]
          })
        }

        resource "aws_iam_group" "deployers" {
          name = "deployers"
        }

        resource "aws_iam_group_policy" "deployers" {
          group = aws_iam_group.deployers.name
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "cloudformation:CreateStack", Resource = "*" }]
          })
        }

        resource "aws_iam_user_group_membership" "release" {
          user   = aws_iam_user.release.name
          groups = [aws_iam_group.deployers.name]
        }
    """
    blast = blast_of(tmp_path, files)
    ci, breakglass = "aws:aws_iam_role.ci", "aws:aws_iam_role.breakglass"
    assert paths(blast, ci)[breakglass] == [ci, breakglass]
    assert [str(e) for r in blast.routes(ci) if r.target == breakglass for e in r.edges] == [
        "ops.tf:5: sts:AssumeRole (trusted)"
    ]
    assert blast.direct["aws:aws_iam_user.release"].as_dict()["services"] == {
        "cloudformation": ["Write"],
        "ecs": ["Write"],
        "iam": ["Write"],
    }
