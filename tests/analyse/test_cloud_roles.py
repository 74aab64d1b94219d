"""The GCP/Azure escalation tables and the extraction they rely on: in-code custom roles, flexible credentials."""

from __future__ import annotations

from pathlib import Path

from nhilint.analyse.cloud_roles import azure_action_matches, gcp_escalating
from nhilint.model import Condition
from tests.helpers import scan_tree, triples


def test_custom_role_permissions_follow_the_role_name(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "roles.tf": """
        resource "google_service_account" "ci" {
          account_id = "ci-pipeline"
          project    = "acme-prod"
        }

        resource "google_project_iam_custom_role" "signer" {
          project     = "acme-prod"
          role_id     = "jwtSigner"
          title       = "JWT signer"
          permissions = ["iam.serviceAccounts.signJwt"]
        }

        resource "google_organization_iam_custom_role" "viewer" {
          org_id      = "123456789012"
          role_id     = "orgViewer"
          title       = "Org viewer"
          permissions = ["resourcemanager.projects.get"]
        }

        resource "google_project_iam_member" "by_reference" {
          project = "acme-prod"
          role    = google_project_iam_custom_role.signer.name
          member  = "serviceAccount:${google_service_account.ci.email}"
        }

        resource "google_organization_iam_member" "by_name" {
          org_id = "123456789012"
          role   = "organizations/123456789012/roles/orgViewer"
          member = "serviceAccount:${google_service_account.ci.email}"
        }
    """
        },
    )
    assert [(g.permissions, g.scope) for g in report.inventory.grants] == [
        (("${google_project_iam_custom_role.signer.name}", "iam.serviceAccounts.signJwt"), ("project/acme-prod",)),
        (
            ("organizations/123456789012/roles/orgViewer", "resourcemanager.projects.get"),
            ("organization/123456789012",),
        ),
    ]
    assert triples(report, "NHI-PRIV-007") == [("NHI-PRIV-007", "roles.tf", 22, "gcp:google_service_account.ci")]
    (finding,) = [f for f in report.findings if f.rule_id == "NHI-PRIV-007"]
    assert finding.message == (
        "service account google_service_account.ci holds google_project_iam_custom_role.signer on project "
        "acme-prod: it can mint access tokens of, or sign as, every service account of project acme-prod "
        "(iam.serviceAccounts.signJwt)"
    )


def test_flexible_federated_credential_is_read_by_the_oidc_rule(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "entra.tf": """
        locals {
          any_branch = "claims['sub'] matches 'repo:acme/deploy:ref:refs/heads/*'"
          workflow   = "claims['job_workflow_ref'] eq 'acme/deploy/.github/workflows/release.yml@refs/heads/main'"
        }

        resource "azuread_application" "deploy" {
          display_name = "deploy"
        }

        resource "azuread_application_flexible_federated_identity_credential" "branches" {
          application_id             = azuread_application.deploy.id
          display_name               = "any-branch"
          audience                   = "api://AzureADTokenExchange"
          issuer                     = "https://token.actions.githubusercontent.com"
          claims_matching_expression = "${local.any_branch} and ${local.workflow}"
        }
    """
        },
    )
    (trust,) = report.inventory.trusts
    issuer = "https://token.actions.githubusercontent.com"
    assert trust.identity == "azure:azuread_application.deploy"
    assert trust.conditions == (
        Condition("StringLike", f"{issuer}:sub", ("repo:acme/deploy:ref:refs/heads/*",)),
        Condition(
            "StringEquals", f"{issuer}:job_workflow_ref", ("acme/deploy/.github/workflows/release.yml@refs/heads/main",)
        ),
        Condition("StringEquals", f"{issuer}:aud", ("api://AzureADTokenExchange",)),
    )
    assert triples(report, "NHI-TRUST-003") == [("NHI-TRUST-003", "entra.tf", 15, "azure:azuread_application.deploy")]


def test_escalation_permissions_and_azure_wildcards() -> None:
    assert gcp_escalating(["iam.serviceAccounts.actAs", "storage.objects.get"], can_deploy=False) == []
    assert gcp_escalating(["iam.serviceAccounts.actAs", "storage.buckets.setIamPolicy"], can_deploy=True) == [
        "iam.serviceAccounts.actAs",
        "storage.buckets.setIamPolicy",
    ]
    assert azure_action_matches("Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/write")
    assert azure_action_matches("*", "Microsoft.Authorization/roleDefinitions/write")
    assert not azure_action_matches("Microsoft.Authorization/*/read", "Microsoft.Authorization/roleAssignments/write")
