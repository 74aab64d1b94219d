"""Azure AI: the managed identities of Foundry hubs and projects and of AI accounts, and the Cognitive Services
and Azure AI roles assigned to them (by name or by built-in GUID), recorded as grants."""

from __future__ import annotations

from pathlib import Path

from nhilint.extract.terraform.ai_roles import AI_BUILTIN_ROLES
from nhilint.extract.terraform.azure_roles import BUILTIN_ROLES
from tests.helpers import scan_tree

FOUNDRY = """
locals {
  role_definitions = "/subscriptions/0000/providers/Microsoft.Authorization/roleDefinitions"
}

resource "azurerm_ai_services" "main" {
  name                = "ais-support"
  location            = "swedencentral"
  resource_group_name = "rg-support-ai"
  sku_name            = "S0"
  local_authentication_enabled = false
  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_ai_foundry" "hub" {
  name                = "hub-support"
  location            = "swedencentral"
  resource_group_name = "rg-support-ai"
  storage_account_id  = azurerm_storage_account.ai.id
  key_vault_id        = azurerm_key_vault.ai.id
  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_ai_foundry_project" "support" {
  name               = "support-agents"
  location           = "swedencentral"
  ai_services_hub_id = azurerm_ai_foundry.hub.id
  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_role_assignment" "project_openai" {
  scope              = azurerm_ai_services.main.id
  role_definition_id = "${local.role_definitions}/5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
  principal_id       = azurerm_ai_foundry_project.support.identity[0].principal_id
}

resource "azurerm_role_assignment" "hub_contributor" {
  scope                = azurerm_ai_services.main.id
  role_definition_name = "Cognitive Services Contributor"
  principal_id         = azurerm_ai_foundry.hub.identity[0].principal_id
}
"""


def test_ai_roles_are_built_in_roles_by_guid() -> None:
    assert all(BUILTIN_ROLES[guid] == name for guid, name in AI_BUILTIN_ROLES.items())
    assert len(set(AI_BUILTIN_ROLES.values())) == len(AI_BUILTIN_ROLES)


def test_foundry_identities_and_their_ai_role_grants(tmp_path: Path) -> None:
    inventory = scan_tree(tmp_path, {"main.tf": FOUNDRY}).inventory
    for address in ("azurerm_ai_services.main", "azurerm_ai_foundry.hub", "azurerm_ai_foundry_project.support"):
        assert inventory.identities[f"azure:{address}.identity"].kind == "managed_identity"
    roles = {(g.principal, str(g.permissions[0])) for g in inventory.grants if g.platform == "azure" and g.permissions}
    assert roles == {
        ("azure:azurerm_ai_foundry_project.support.identity", "Cognitive Services OpenAI User"),
        ("azure:azurerm_ai_foundry.hub.identity", "Cognitive Services Contributor"),
    }
