"""Entra ID application permissions: the shipped Graph table, permissions by GUID and by `app_role_ids`
name, delegated scopes left out, app role assignments as grants of their service principal."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

from nhilint.data import GRAPH, graph_admin, graph_permission
from tests.helpers import scan_tree, triples

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIER0 = {
    "RoleManagement.ReadWrite.Directory",
    "AppRoleAssignment.ReadWrite.All",
    "Application.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Group.ReadWrite.All",
    "User.ReadWrite.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "Policy.ReadWrite.PermissionGrant",
}


def _document() -> dict[str, object]:
    text = resources.files("nhilint.data").joinpath("graph_app_permissions.json").read_text(encoding="utf-8")
    document: dict[str, object] = json.loads(text)
    return document


def test_graph_table_integrity() -> None:
    document = _document()
    assert "microsoft-graph-docs-contrib" in str(document["source"])
    assert re.fullmatch(r"[0-9a-f]{40}", str(document["commit"]))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(document["retrieved"]))
    rows = document["permissions"]
    assert isinstance(rows, list) and len(rows) >= 280  # the whole Application table, not an excerpt
    names = [row["name"] for row in rows]
    ids = [row["id"] for row in rows]
    assert len(set(names)) == len(names) and len(set(ids)) == len(ids)
    assert all(GUID.match(i) for i in ids)
    assert {row["tier"] for row in rows} <= {0, 1, 2}
    assert {row["name"] for row in rows if row["tier"] == 0} >= TIER0
    assert not any(row["tier"] == 0 and ".Read." in row["name"] for row in rows)  # read is never tier 0


def test_lookup_by_guid_and_name() -> None:
    found = graph_permission("9E3F62CF-CA93-4989-B6CE-BF83C28F9FE8")
    assert found is not None and found.name == "RoleManagement.ReadWrite.Directory" and found.tier == 0
    assert graph_admin("AppRoleAssignment.ReadWrite.All")
    assert not graph_admin("User.Read.All") and not graph_admin("Not.A.Permission")
    # rows outside the most common ones are there too, with the tier their words give
    sites = graph_permission("a82116e5-55eb-4c41-a434-62fe8a61c773")
    assert sites is not None and sites.name == "Sites.FullControl.All" and sites.tier == 1
    export = graph_permission("User.Export.All")
    assert export is not None and export.id == "405a51b5-8d8d-430b-9842-8be4b0e9f324" and export.tier == 2


APP = """
data "azuread_application_published_app_ids" "well_known" {}

data "azuread_service_principal" "msgraph" {
  client_id = data.azuread_application_published_app_ids.well_known.result["MicrosoftGraph"]
}

locals {
  directory_write = "Directory.ReadWrite.All"
}

resource "azuread_application" "sync" {
  display_name = "hr-sync"

  required_resource_access {
    resource_app_id = data.azuread_application_published_app_ids.well_known.result["MicrosoftGraph"]

    resource_access {
      id   = data.azuread_service_principal.msgraph.app_role_ids["User.Read.All"]
      type = "Role"
    }

    resource_access {
      id   = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"
      type = "Role"
    }

    resource_access {
      id   = data.azuread_service_principal.msgraph.app_role_ids[local.directory_write]
      type = "Role"
    }

    resource_access {
      id   = data.azuread_service_principal.msgraph.oauth2_permission_scope_ids["User.ReadWrite.All"]
      type = "Scope"
    }
  }

  required_resource_access {
    resource_app_id = "3c5b0c8e-7d1a-4b8e-9f7e-2a1d5c6b7e80"

    resource_access {
      id   = "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"
      type = "Role"
    }
  }
}

resource "azuread_service_principal" "sync" {
  client_id = azuread_application.sync.client_id
}

resource "azuread_service_principal" "msgraph" {
  client_id    = data.azuread_application_published_app_ids.well_known.result["MicrosoftGraph"]
  use_existing = true
}

resource "azuread_app_role_assignment" "sync_app_write" {
  app_role_id         = azuread_service_principal.msgraph.app_role_ids["Application.ReadWrite.All"]
  principal_object_id = azuread_service_principal.sync.object_id
  resource_object_id  = azuread_service_principal.msgraph.object_id
}

variable "role_id" {
  type = string
}

resource "azuread_app_role_assignment" "unknown" {
  app_role_id         = var.role_id
  principal_object_id = azuread_service_principal.sync.object_id
  resource_object_id  = azuread_service_principal.msgraph.object_id
}
"""


def test_application_permissions_by_guid_and_by_name(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": APP})
    grants = [(g.principal, list(g.permissions), g.scope, g.location.start_line) for g in report.inventory.grants]
    app, sp = "azure:azuread_application.sync", "azure:azuread_service_principal.sync"
    assert (app, ["User.Read.All"], (GRAPH,), 18) in grants
    assert (app, ["RoleManagement.ReadWrite.Directory"], (GRAPH,), 23) in grants
    assert (app, ["Directory.ReadWrite.All"], (GRAPH,), 28) in grants
    # another API's permission keeps its GUID: the Graph table does not apply to it
    assert (app, ["1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"], ("3c5b0c8e-7d1a-4b8e-9f7e-2a1d5c6b7e80",), 42) in grants
    assert (sp, ["Application.ReadWrite.All"], (GRAPH,), 58) in grants
    assert not any("User.ReadWrite.All" in g.permissions for g in report.inventory.grants)  # delegated scope
    unknown = [g for g in report.inventory.grants if g.unknown]
    assert [(g.principal, g.permissions, g.location.start_line) for g in unknown] == [(sp, (), 68)]
    assert triples(report, "NHI-PRIV-004") == [
        ("NHI-PRIV-004", "main.tf", 23, app),
        ("NHI-PRIV-004", "main.tf", 28, app),
        ("NHI-PRIV-004", "main.tf", 58, sp),
        ("NHI-PRIV-004", "main.tf", 68, sp),
    ]
