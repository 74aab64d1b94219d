"""Key Vault access policies are grants of the vault's secrets, keys and certificates to their object_id."""

from __future__ import annotations

from pathlib import Path

from nhilint.api import scan
from tests.helpers import config_for, write_tree

VAULTS = """
resource "azurerm_user_assigned_identity" "billing" {
  name                = "id-billing"
  resource_group_name = "rg-billing"
  location            = "westeurope"
}

resource "azurerm_key_vault" "billing" {
  name                = "kv-billing"
  resource_group_name = "rg-billing"
  location            = "westeurope"
  tenant_id           = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  sku_name            = "standard"

  access_policy {
    tenant_id          = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    object_id          = azurerm_user_assigned_identity.billing.principal_id
    secret_permissions = ["Get", "List"]
  }
}

resource "azurerm_key_vault" "rbac" {
  name                      = "kv-rbac"
  resource_group_name       = "rg-billing"
  location                  = "westeurope"
  tenant_id                 = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  sku_name                  = "standard"
  enable_rbac_authorization = true

  access_policy {
    tenant_id          = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    object_id          = azurerm_user_assigned_identity.billing.principal_id
    secret_permissions = ["Get"]
  }
}

resource "azurerm_key_vault_access_policy" "billing_keys" {
  key_vault_id            = azurerm_key_vault.billing.id
  tenant_id               = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  object_id               = azurerm_user_assigned_identity.billing.principal_id
  key_permissions         = ["Get", "UnwrapKey"]
  certificate_permissions = ["Get"]
}

resource "azurerm_key_vault_access_policy" "outsider" {
  key_vault_id       = azurerm_key_vault.billing.id
  tenant_id          = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  object_id          = "4a1c2b3d-0000-4e5f-8a9b-112233445566"
  secret_permissions = ["Get"]
}
"""


def test_access_policies_are_grants_to_their_object_id(tmp_path: Path) -> None:
    write_tree(tmp_path, {"kv.tf": VAULTS})
    inventory = scan([tmp_path], config_for(tmp_path), tmp_path).inventory
    policies = [g for g in inventory.grants if g.via.startswith("key vault access policy")]
    found = {(g.principal, g.source, g.permissions, str(g.scope[0]), g.location.start_line) for g in policies}
    billing = "azure:azurerm_user_assigned_identity.billing"
    assert found == {
        (billing, "azurerm_key_vault.billing", ("secrets/Get", "secrets/List"), "${azurerm_key_vault.billing.id}", 14),
        (
            billing,
            "azurerm_key_vault_access_policy.billing_keys",
            ("keys/Get", "keys/UnwrapKey", "certificates/Get"),
            "${azurerm_key_vault.billing.id}",
            36,
        ),
        (
            "4a1c2b3d-0000-4e5f-8a9b-112233445566",
            "azurerm_key_vault_access_policy.outsider",
            ("secrets/Get",),
            "${azurerm_key_vault.billing.id}",
            44,
        ),
    }
    assert all(g.platform == "azure" and g.unknown is None for g in policies)
