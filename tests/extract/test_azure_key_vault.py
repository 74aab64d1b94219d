"""Key Vaults: where each is and how it authorizes data access (RBAC, access policies, or unknown), and its
access policies, grants of the vault's secrets, keys and certificates to their object_id (never on a vault that
authorizes with RBAC, where Azure ignores them)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from jsonschema import Draft202012Validator

from nhilint.report.json_report import render_inventory
from tests.helpers import scan_tree

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
    inventory = scan_tree(tmp_path, {"kv.tf": VAULTS}).inventory
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


# azurerm 4.x names the flag `rbac_authorization_enabled`; a standalone policy on an RBAC vault is ignored too.
RBAC_4X = """
resource "azurerm_resource_group" "secure" {
  name     = "rg-secure"
  location = "westeurope"
}

resource "azurerm_user_assigned_identity" "api" {
  name                = "id-api"
  resource_group_name = "rg-secure"
  location            = "westeurope"
}

resource "azurerm_key_vault" "secure" {
  name                       = "kv-secure"
  resource_group_name        = azurerm_resource_group.secure.name
  location                   = "westeurope"
  tenant_id                  = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  sku_name                   = "premium"
  rbac_authorization_enabled = true

  access_policy {
    tenant_id          = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    object_id          = azurerm_user_assigned_identity.api.principal_id
    secret_permissions = ["Get"]
  }
}

resource "azurerm_key_vault_access_policy" "api" {
  key_vault_id       = azurerm_key_vault.secure.id
  tenant_id          = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  object_id          = azurerm_user_assigned_identity.api.principal_id
  secret_permissions = ["Get", "List"]
}

variable "vault_rbac" {
  type = bool
}

resource "azurerm_key_vault" "legacy" {
  name                      = "kv-legacy"
  resource_group_name       = "rg-legacy"
  location                  = "westeurope"
  tenant_id                 = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  sku_name                  = "standard"
  enable_rbac_authorization = var.vault_rbac

  access_policy {
    tenant_id          = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    object_id          = azurerm_user_assigned_identity.api.principal_id
    secret_permissions = ["Get"]
  }
}
"""


def test_vaults_are_recorded_with_their_group_and_permission_model(tmp_path: Path) -> None:
    inventory = scan_tree(tmp_path, {"kv.tf": VAULTS, "secure/kv.tf": RBAC_4X}).inventory
    found = {(v.address, v.location.path, v.location.start_line, v.name) for v in inventory.key_vaults}
    assert found == {
        ("azurerm_key_vault.billing", "kv.tf", 7, "kv-billing"),
        ("azurerm_key_vault.rbac", "kv.tf", 21, "kv-rbac"),
        ("secure/azurerm_key_vault.secure", "secure/kv.tf", 12, "kv-secure"),
        ("secure/azurerm_key_vault.legacy", "secure/kv.tf", 38, "kv-legacy"),
    }
    placed = {v.name: (v.resource_group, v.resource_group_address, v.authorization) for v in inventory.key_vaults}
    assert placed == {
        "kv-billing": ("rg-billing", None, "access_policies"),
        "kv-rbac": ("rg-billing", None, "rbac"),
        "kv-secure": ("rg-secure", "secure/azurerm_resource_group.secure", "rbac"),
        "kv-legacy": ("rg-legacy", None, "unknown"),
    }
    legacy = next(v for v in inventory.key_vaults if v.authorization == "unknown")
    assert legacy.unknown is not None and legacy.unknown.startswith("enable_rbac_authorization not evaluated")


def test_access_policies_of_an_rbac_vault_are_not_grants(tmp_path: Path) -> None:
    """Blocks and standalone policies on an RBAC vault are ignored by Azure; on a vault whose model cannot be
    evaluated they are read, saying so."""
    inventory = scan_tree(tmp_path, {"kv.tf": RBAC_4X}).inventory
    policies = [g for g in inventory.grants if g.via.startswith("key vault access policy")]
    assert [(g.source, g.location.start_line) for g in policies] == [("azurerm_key_vault.legacy", 46)]
    assert policies[0].unknown is not None
    assert policies[0].unknown.startswith("whether azurerm_key_vault.legacy authorizes with RBAC")


def _plan(name: str, vault: dict[str, object], written: dict[str, object]) -> str:
    """A `terraform show -json` plan creating one vault (`written`: what its configuration sets)."""
    change = {"actions": ["create"], "before": None, "after": vault, "after_unknown": {"id": True, "vault_uri": True}}
    expressions = {key: {"constant_value": value} for key, value in written.items()}
    return json.dumps(
        {
            "format_version": "1.2",
            "terraform_version": "1.9.8",
            "resource_changes": [
                {"address": f"azurerm_key_vault.{name}", "mode": "managed", "type": "azurerm_key_vault", "name": name}
                | {"change": change}
            ],
            "configuration": {
                "root_module": {
                    "resources": [
                        {"address": f"azurerm_key_vault.{name}", "mode": "managed", "type": "azurerm_key_vault"}
                        | {"name": name, "expressions": expressions}
                    ]
                }
            },
        }
    )


def test_plan_vaults_read_the_flag_the_configuration_writes(tmp_path: Path) -> None:
    """azurerm 4.x plans hold both flags; the one the configuration does not write is the provider's mirror."""
    base = {"name": "kv-app", "resource_group_name": "rg-app", "location": "westeurope", "sku_name": "standard"}
    rbac = {**base, "rbac_authorization_enabled": True, "enable_rbac_authorization": False}
    policies = {**base, "rbac_authorization_enabled": False, "enable_rbac_authorization": False}
    kept = {**base, "rbac_authorization_enabled": True, "enable_rbac_authorization": True}
    inventory = scan_tree(
        tmp_path,
        {
            "rbac/plan.json": _plan("secure", rbac, {**base, "rbac_authorization_enabled": True}),
            "policies/plan.json": _plan("app", policies, base),
            "kept/plan.json": _plan("kept", kept, base),  # an existing vault switched to RBAC outside the code
        },
    ).inventory
    found = {(v.location.path, v.resource_group, v.authorization) for v in inventory.key_vaults}
    assert found == {
        ("rbac/plan.json", "rg-app", "rbac"),
        ("policies/plan.json", "rg-app", "access_policies"),
        ("kept/plan.json", "rg-app", "rbac"),
    }


def test_inventory_json_lists_the_vaults(tmp_path: Path) -> None:
    document = json.loads(render_inventory(scan_tree(tmp_path, {"kv.tf": RBAC_4X})))
    schema = json.loads(resources.files("nhilint.schemas").joinpath("inventory.schema.json").read_text())
    Draft202012Validator(schema).validate(document)
    secure, legacy = document["key_vaults"]
    assert secure == {
        "address": "azurerm_key_vault.secure",
        "name": "kv-secure",
        "platform": "azure",
        "file": "kv.tf",
        "line": 12,
        "resource_group": "rg-secure",
        "resource_group_address": "azurerm_resource_group.secure",
        "authorization": "rbac",
        "unknown": None,
    }
    assert (legacy["address"], legacy["resource_group"], legacy["authorization"]) == (
        "azurerm_key_vault.legacy",
        "rg-legacy",
        "unknown",
    )
    assert legacy["unknown"].startswith("enable_rbac_authorization not evaluated")


def test_a_group_named_after_apply_gives_no_literal_name(tmp_path: Path) -> None:
    inventory = scan_tree(
        tmp_path,
        {
            "kv.tf": """
                resource "random_id" "prefix" {
                  byte_length = 4
                }

                resource "azurerm_resource_group" "main" {
                  name     = "${random_id.prefix.hex}-rg"
                  location = "westeurope"
                }

                resource "azurerm_key_vault" "des" {
                  name                = "kv-des"
                  resource_group_name = azurerm_resource_group.main.name
                  location            = "westeurope"
                  tenant_id           = "72f988bf-86f1-41af-91ab-2d7cd011db47"
                  sku_name            = "premium"
                }
            """
        },
    ).inventory
    (vault,) = inventory.key_vaults
    assert (vault.resource_group, vault.resource_group_address) == (None, "azurerm_resource_group.main")


def test_a_flag_known_only_after_apply_is_unknown_and_says_why(tmp_path: Path) -> None:
    inventory = scan_tree(
        tmp_path,
        {
            "kv.tf": """
                resource "azurerm_key_vault" "data" {
                  name                      = "kv-data"
                  resource_group_name       = "rg-data"
                  location                  = "westeurope"
                  tenant_id                 = "72f988bf-86f1-41af-91ab-2d7cd011db47"
                  sku_name                  = "standard"
                  enable_rbac_authorization = azurerm_storage_account.data.is_hns_enabled
                }
            """
        },
    ).inventory
    (vault,) = inventory.key_vaults
    assert (vault.authorization, vault.unknown) == (
        "unknown",
        "enable_rbac_authorization not evaluated (it is azurerm_storage_account.data.is_hns_enabled, known only "
        "after apply)",
    )
