"""NHI-PRIV-007 for every detected GCP and Azure method of the catalogue (nhilint/data/escalation/*.yaml).

Driven by the data: for each method, an identity holds a custom role with exactly the first alternative of
every need and is reported once; without one of those permissions (for a GCP deploy method: without actAs,
or without the creating permission; for an Azure runs_as or key-vault method: without the compute or the
vault in its scope) it is not. Methods listed `detected: false` are not reported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nhilint.analyse.privesc_methods import catalogue_data
from tests.helpers import scan_tree, triples

RULE = "NHI-PRIV-007"


def _methods(platform: str, detected: bool = True) -> list[Any]:
    return [
        pytest.param(m, id=m["id"])
        for m in catalogue_data(platform)["methods"]
        if m.get("detected", True) == detected and m.get("static", True) == detected
    ]


def _gcp(permissions: list[str]) -> str:
    return f"""\
resource "google_service_account" "ci" {{
  account_id = "ci-deployer"
}}

resource "google_project_iam_custom_role" "deployer" {{
  role_id     = "deployer"
  title       = "Deployer"
  permissions = {json.dumps(["storage.objects.get", *permissions])}
}}

resource "google_project_iam_member" "ci" {{
  project = "acme-prod"
  role    = google_project_iam_custom_role.deployer.id
  member  = "serviceAccount:${{google_service_account.ci.email}}"
}}
"""


def _azure(actions: list[str]) -> str:
    return f"""\
resource "azurerm_user_assigned_identity" "deployer" {{
  name                = "id-deployer"
  resource_group_name = "rg-app"
  location            = "westeurope"
}}

resource "azurerm_role_definition" "deployer" {{
  name  = "deployer"
  scope = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-app"
  permissions {{
    actions = {json.dumps(["Microsoft.Storage/storageAccounts/read", *actions])}
  }}
}}

resource "azurerm_role_assignment" "deployer" {{
  scope              = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-app"
  role_definition_id = azurerm_role_definition.deployer.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.deployer.principal_id
}}
"""


# runs_as methods need compute in the role's scope running as a more privileged managed identity.
_COMPUTE = {
    "virtual_machine": """\
resource "azurerm_linux_virtual_machine" "jump" {
  name                = "vm-jump"
  resource_group_name = "rg-app"
  location            = "westeurope"
  size                = "Standard_B2s"
  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.admin.id]
  }
}
""",
    "automation_account": """\
resource "azurerm_automation_account" "ops" {
  name                = "aa-ops"
  resource_group_name = "rg-app"
  location            = "westeurope"
  sku_name            = "Basic"
  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.admin.id]
  }
}
""",
    "web_app": """\
resource "azurerm_linux_web_app" "portal" {
  name                = "app-portal"
  resource_group_name = "rg-app"
  location            = "westeurope"
  service_plan_id     = var.service_plan_id
  site_config {}
  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.admin.id]
  }
}
""",
}

_ADMIN = """\
resource "azurerm_user_assigned_identity" "admin" {
  name                = "id-admin"
  resource_group_name = "rg-app"
  location            = "westeurope"
}

resource "azurerm_role_assignment" "admin" {
  scope                = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590"
  role_definition_name = "Owner"
  principal_id         = azurerm_user_assigned_identity.admin.principal_id
}
"""


# vault_access_policy methods need a key vault in the role's scope that uses access policies.
_VAULT = """\
resource "azurerm_key_vault" "app" {
  name                = "kv-app"
  resource_group_name = "rg-app"
  location            = "westeurope"
  tenant_id           = "9b3c1f52-6a0e-4d8a-9a51-3f2a7c1d0e44"
  sku_name            = "standard"
}
"""


def _compute(method: dict[str, Any]) -> str:
    if method.get("kind") == "vault_access_policy":
        return _VAULT
    if method.get("kind") != "runs_as":
        return ""
    return _ADMIN + "".join(_COMPUTE[m] for m in method["runs_on"] if m in _COMPUTE)


def _first(method: dict[str, Any]) -> list[str]:
    return [need[0] for need in method["needs"]]


def _render(platform: str, permissions: list[str], method: dict[str, Any]) -> str:
    return _gcp(permissions) if platform == "gcp" else _azure(permissions) + _compute(method)


def _who(platform: str) -> str:
    return "gcp:google_service_account.ci" if platform == "gcp" else "azure:azurerm_user_assigned_identity.deployer"


CASES = [pytest.param("gcp", p.values[0], id=p.id) for p in _methods("gcp")] + [
    pytest.param("azure", p.values[0], id=p.id) for p in _methods("azure")
]
UNDETECTED = [pytest.param("gcp", p.values[0], id=p.id) for p in _methods("gcp", False)] + [
    pytest.param("azure", p.values[0], id=p.id) for p in _methods("azure", False)
]


@pytest.mark.parametrize(("platform", "method"), CASES)
def test_method_with_exactly_its_permissions_is_found(tmp_path: Path, platform: str, method: dict[str, Any]) -> None:
    report = scan_tree(tmp_path, {"main.tf": _render(platform, _first(method), method)})
    found = triples(report, RULE)
    assert [(f[0], f[3]) for f in found] == [(RULE, _who(platform))], found


@pytest.mark.parametrize(("platform", "method"), [c for c in CASES if c.values[1].get("kind") == "runs_as"])
def test_runs_as_method_without_compute_is_not_found(tmp_path: Path, platform: str, method: dict[str, Any]) -> None:
    """The actions alone are not an escalation: no compute in the scope runs as another identity."""
    report = scan_tree(tmp_path, {"main.tf": _azure(_first(method)) + _ADMIN})
    assert triples(report, RULE) == []


@pytest.mark.parametrize(("platform", "method"), [c for c in CASES if c.values[1].get("kind") == "vault_access_policy"])
def test_vault_method_on_an_rbac_vault_is_not_found(tmp_path: Path, platform: str, method: dict[str, Any]) -> None:
    """Writing a vault that authorizes with RBAC grants nothing: its access policies are ignored."""
    rbac = _VAULT.replace("\n}", "\n  rbac_authorization_enabled = true\n}")
    assert "rbac_authorization_enabled" in rbac
    report = scan_tree(tmp_path, {"main.tf": _azure(_first(method)) + rbac})
    assert triples(report, RULE) == []


@pytest.mark.parametrize(("platform", "method"), CASES)
def test_method_missing_one_need_is_not_found(tmp_path: Path, platform: str, method: dict[str, Any]) -> None:
    chosen = _first(method)
    for missing in range(len(chosen)):
        kept = [p for i, p in enumerate(chosen) if i != missing]
        report = scan_tree(tmp_path / str(missing), {"main.tf": _render(platform, kept, method)})
        assert triples(report, RULE) == [], (missing, kept)


@pytest.mark.parametrize(("platform", "method"), UNDETECTED)
def test_undetected_method_is_not_reported(tmp_path: Path, platform: str, method: dict[str, Any]) -> None:
    report = scan_tree(tmp_path, {"main.tf": _render(platform, _first(method), method)})
    assert triples(report, RULE) == []
