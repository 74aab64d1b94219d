"""Every trust carries the platform of the extractor that read it (not a default of `aws`)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import scan_tree

TERRAFORM = """
resource "aws_iam_role" "deployer" {
  name = "deployer"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "google_service_account" "runner" {
  account_id = "runner"
}

resource "google_service_account_iam_member" "ci_acts_as_runner" {
  service_account_id = google_service_account.runner.name
  role               = "roles/iam.serviceAccountUser"
  member             = "group:ci@example.com"
}

resource "azuread_application" "api" {
  display_name = "api"
}

resource "azuread_application_federated_identity_credential" "github" {
  application_id = azuread_application.api.id
  display_name   = "github"
  issuer         = "https://token.actions.githubusercontent.com"
  subject        = "repo:acme/api:ref:refs/heads/main"
  audiences      = ["api://AzureADTokenExchange"]
}
"""

CLOUDFORMATION = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Builder:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: codebuild.amazonaws.com}
            Action: sts:AssumeRole
"""


def test_each_extractor_names_the_platform_of_its_trusts(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": TERRAFORM, "cfn/build.yaml": CLOUDFORMATION})
    platforms = sorted({(trust.identity, trust.platform) for trust in report.inventory.trusts})
    assert platforms == [
        ("aws:aws_iam_role.deployer", "aws"),
        ("aws:cfn/build.yaml#Builder", "aws"),
        ("azure:azuread_application.api", "azure"),
        ("gcp:google_service_account.runner", "gcp"),
    ]
