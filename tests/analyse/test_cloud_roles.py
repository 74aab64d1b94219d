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


_VAULT_SCOPE = """
variable "ops_rbac" {
  type = bool
}

resource "azurerm_user_assigned_identity" "ci" {
  name                = "id-ci"
  resource_group_name = "rg-ci"
  location            = "westeurope"
}

resource "azurerm_key_vault" "app" {
  name                = "kv-app"
  resource_group_name = "rg-app"
  location            = "westeurope"
  tenant_id           = "9b3c1f52-6a0e-4d8a-9a51-3f2a7c1d0e44"
  sku_name            = "standard"
}

resource "azurerm_key_vault" "ops" {
  name                       = "kv-ops"
  resource_group_name        = "rg-ops"
  location                   = "westeurope"
  tenant_id                  = "9b3c1f52-6a0e-4d8a-9a51-3f2a7c1d0e44"
  sku_name                   = "standard"
  rbac_authorization_enabled = var.ops_rbac
}

resource "azurerm_role_assignment" "ci_app" {
  scope                = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-app"
  role_definition_name = "Key Vault Contributor"
  principal_id         = azurerm_user_assigned_identity.ci.principal_id
}

resource "azurerm_role_assignment" "ci_ops" {
  scope                = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-ops"
  role_definition_name = "Key Vault Contributor"
  principal_id         = azurerm_user_assigned_identity.ci.principal_id
}
"""


def test_key_vault_escalation_names_the_chain_and_says_what_it_could_not_evaluate(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"vaults.tf": _VAULT_SCOPE})
    found = {f.location.start_line: f for f in report.findings if f.rule_id == "NHI-PRIV-007"}
    ci = "managed identity azurerm_user_assigned_identity.ci"
    assert sorted(found) == [30, 36]
    assert found[30].message == (
        f"{ci} holds Key Vault Contributor on resource group rg-app: it can grant itself the secrets, keys and "
        f"certificates of key vaults there that use access policies: {ci} → KeyVaultAccessPolicy on "
        "azurerm_key_vault.app → its secrets, keys and certificates (Microsoft.KeyVault/vaults/accessPolicies/write)"
    )
    assert not found[30].unknown
    assert found[36].unknown
    assert found[36].message.startswith(
        f"could not evaluate whether {ci} can grant itself the data of key vaults in the scope of Key Vault "
        "Contributor on resource group rg-ops: whether key vault azurerm_key_vault.ops uses access policies "
        "(rbac_authorization_enabled not evaluated"
    )


_BY_REFERENCE = """
resource "azurerm_resource_group" "app" {
  name     = "rg-app"
  location = "westeurope"
}

resource "azurerm_user_assigned_identity" "admin" {
  name                = "id-admin"
  resource_group_name = azurerm_resource_group.app.name
  location            = "westeurope"
}

resource "azurerm_role_assignment" "admin" {
  scope                = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590"
  role_definition_name = "Owner"
  principal_id         = azurerm_user_assigned_identity.admin.principal_id
}

resource "azurerm_linux_virtual_machine" "jump" {
  name                = "vm-jump"
  resource_group_name = azurerm_resource_group.app.name
  location            = "westeurope"
  size                = "Standard_B2s"
  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.admin.id]
  }
}

resource "azurerm_key_vault" "app" {
  name                = "kv-app"
  resource_group_name = azurerm_resource_group.app.name
  location            = "westeurope"
  tenant_id           = "9b3c1f52-6a0e-4d8a-9a51-3f2a7c1d0e44"
  sku_name            = "standard"
}

resource "azurerm_user_assigned_identity" "ci" {
  name                = "id-ci"
  resource_group_name = "rg-ci"
  location            = "westeurope"
}

resource "azurerm_role_assignment" "ci_app" {
  scope                = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-app"
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.ci.principal_id
}
"""


def test_a_scope_written_out_matches_what_names_its_group_by_reference(tmp_path: Path) -> None:
    """The compute and the vault name `azurerm_resource_group.app`; the scope writes out the id of `rg-app`."""
    report = scan_tree(tmp_path, {"app.tf": _BY_REFERENCE})
    (finding,) = [f for f in report.findings if f.rule_id == "NHI-PRIV-007"]
    assert (finding.location.start_line, finding.identity) == (45, "azure:azurerm_user_assigned_identity.ci")
    assert "VirtualMachineRunCommand on azurerm_linux_virtual_machine.jump" in finding.message
    assert "KeyVaultAccessPolicy on azurerm_key_vault.app" in finding.message
