"""Azure extraction: Entra apps and service principals, secrets, federated credentials, managed identities
and role assignments resolved by reference, by built-in role id and through modules."""

from __future__ import annotations

from pathlib import Path

from nhilint.model import Condition, TrustPrincipal
from tests.helpers import scan_tree, triples

ENTRA = """
variable "team" {
  default = "team-platform"
}

resource "azuread_application" "ci" {
  display_name = "ci-deployer"
  tags         = ["owner:${var.team}", "HideApp"]
}

resource "azuread_application" "vendor" {
  display_name = "vendor-sync"
  owners       = ["6b1f2c8e-0000-4000-8000-000000000001"]
}

resource "azuread_service_principal" "ci" {
  client_id = azuread_application.ci.client_id
}

resource "azuread_application_password" "static" {
  application_id = azuread_application.ci.id
}

resource "azuread_application_password" "far" {
  application_id = azuread_application.ci.id
  end_date       = "2035-01-01T00:00:00Z"
}

resource "azuread_application_password" "relative" {
  application_id    = azuread_application.vendor.id
  end_date_relative = "2160h"
}

resource "time_rotating" "quarterly" {
  rotation_days = 90
}

resource "azuread_service_principal_password" "rotated" {
  service_principal_id = azuread_service_principal.ci.id
  rotate_when_changed = {
    rotation = time_rotating.quarterly.id
  }
}

resource "azuread_application_certificate" "cert" {
  application_id = azuread_application.vendor.id
  type           = "AsymmetricX509Cert"
  value          = file("cert.pem")
  end_date       = "2027-03-01T00:00:00Z"
}

resource "azuread_application_federated_identity_credential" "github" {
  for_each       = toset(["org", "main"])
  application_id = azuread_application.ci.id
  display_name   = "github-${each.key}"
  issuer         = "https://token.actions.githubusercontent.com"
  subject        = each.key == "org" ? "repo:acme/*" : "repo:acme/app:ref:refs/heads/main"
  audiences      = ["api://AzureADTokenExchange"]
}
"""

GITHUB = "https://token.actions.githubusercontent.com"


def test_entra_identities_credentials_and_federation(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": ENTRA})
    inventory = report.inventory
    ci, vendor, sp = (
        inventory.identities[f"azure:{a}"]
        for a in ("azuread_application.ci", "azuread_application.vendor", "azuread_service_principal.ci")
    )
    assert [(i.kind, i.name, i.tags) for i in (ci, vendor, sp)] == [
        ("application", "ci-deployer", (("owner", "team-platform"),)),
        ("application", "vendor-sync", ()),
        ("service_principal", "ci-deployer", ()),
    ]
    owners = [(i.lifecycle.owner.value, i.lifecycle.owner.source) for i in (ci, vendor, sp) if i.lifecycle.owner]
    assert owners == [
        ("team-platform", "tag:owner"),
        ("6b1f2c8e-0000-4000-8000-000000000001", "owners"),
        ("team-platform", "parent:azure:azuread_application.ci"),
    ]
    assert sp.attribute("application") == ci.id
    credentials = {c.address: c for c in inventory.credentials}
    assert {
        a: (c.kind, c.of, c.expires.value if c.expires else None, c.rotation.value if c.rotation else None)
        for a, c in credentials.items()
    } == {
        "azuread_application_password.static": ("client_secret", ci.id, None, None),
        "azuread_application_password.far": ("client_secret", ci.id, "2035-01-01T00:00:00Z", None),
        "azuread_application_password.relative": ("client_secret", vendor.id, "2160h after creation (90 days)", None),
        "azuread_service_principal_password.rotated": ("sp_password", sp.id, None, "every 90 days"),
        "azuread_application_certificate.cert": ("certificate", vendor.id, "2027-03-01T00:00:00Z", None),
    }
    assert [(t.identity, t.principals, t.conditions, t.location.start_line) for t in inventory.trusts] == [
        (
            ci.id,
            (TrustPrincipal("Federated", GITHUB),),
            (
                Condition("StringEquals", f"{GITHUB}:sub", (subject,)),
                Condition("StringEquals", f"{GITHUB}:aud", ("api://AzureADTokenExchange",)),
            ),
            56,
        )
        for subject in ("repo:acme/*", "repo:acme/app:ref:refs/heads/main")
    ]
    assert triples(report, "NHI-CRED-001") == [
        ("NHI-CRED-001", "main.tf", 19, "azure:azuread_application_password.static"),
    ]
    assert triples(report, "NHI-EXP-002") == [
        ("NHI-EXP-002", "main.tf", 25, "azure:azuread_application_password.far"),
    ]
    assert triples(report, "NHI-EXP-001") == []
    # An Entra federated credential's subject is matched exactly: "repo:acme/*" admits only that literal
    # subject (so no wildcard finding); flexible credentials with claim expressions are checked instead.
    assert triples(report, "NHI-TRUST-003") == []


MODULE = """
variable "name" {}
variable "scope" {}
variable "role" {
  default = "Owner"
}

resource "azurerm_user_assigned_identity" "this" {
  name                = var.name
  resource_group_name = "rg-apps"
  location            = "westeurope"
  tags                = { owner = "team-apps", retire-on = "app:${var.name}" }
}

resource "azurerm_role_assignment" "this" {
  scope                = var.scope
  role_definition_name = var.role
  principal_id         = azurerm_user_assigned_identity.this.principal_id
}

output "id" {
  value = azurerm_user_assigned_identity.this.id
}
"""

ROOT = """
data "azurerm_subscription" "current" {}
data "azurerm_client_config" "current" {}

module "deployer" {
  source = "./modules/identity"
  name   = "deployer"
  scope  = "/subscriptions/00000000-0000-0000-0000-000000000000"
}

module "reader" {
  source = "./modules/identity"
  name   = "reader"
  scope  = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-apps"
}

resource "azurerm_role_definition" "deployer" {
  name  = "app-deployer"
  scope = data.azurerm_subscription.current.id
  permissions {
    actions     = ["Microsoft.Resources/*", "Microsoft.Authorization/*/write"]
    not_actions = ["Microsoft.Authorization/locks/delete"]
  }
}

resource "azurerm_linux_web_app" "web" {
  name = "web"
  tags = { owner = "team-web" }
  identity {
    type         = "SystemAssigned, UserAssigned"
    identity_ids = [module.reader.id]
  }
}

resource "azurerm_role_assignment" "web_custom" {
  scope              = data.azurerm_subscription.current.id
  role_definition_id = azurerm_role_definition.deployer.role_definition_resource_id
  principal_id       = azurerm_linux_web_app.web.identity[0].principal_id
}

resource "azurerm_role_assignment" "by_builtin_id" {
  scope              = data.azurerm_subscription.current.id
  role_definition_id = "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
  principal_id       = "11111111-2222-3333-4444-555555555555"
}

resource "azurerm_role_assignment" "me" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-apps"
  role_definition_name = "Reader"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "azurerm_federated_identity_credential" "aks" {
  name                = "aks-api"
  resource_group_name = "rg-apps"
  parent_id           = module.deployer.id
  issuer              = "https://westeurope.oic.prod-aks.azure.com/tenant/cluster/"
  subject             = "system:serviceaccount:api:deployer"
  audience            = ["api://AzureADTokenExchange"]
}
"""


def test_managed_identities_role_assignments_and_usages(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": ROOT, "modules/identity/main.tf": MODULE})
    inventory = report.inventory
    deployer = "azure:module.deployer.azurerm_user_assigned_identity.this"
    reader = "azure:module.reader.azurerm_user_assigned_identity.this"
    web = "azure:azurerm_linux_web_app.web.identity"
    assert sorted(inventory.identities) == [web, deployer, reader]
    system = inventory.identities[web]
    assert (system.kind, system.name, system.attribute("assignment"), system.location.start_line) == (
        "managed_identity",
        "web",
        "system",
        28,
    )
    assert system.lifecycle.owner is not None
    assert system.lifecycle.owner.value == "team-web"
    assert sorted((u.identity, u.workload) for u in inventory.usages) == [
        (web, "azurerm_linux_web_app.web"),
        (reader, "azurerm_linux_web_app.web"),
    ]
    subscription = "/subscriptions/00000000-0000-0000-0000-000000000000"
    assert [
        (g.principal, g.permissions, g.scope, g.conditions, g.location.start_line, g.unknown) for g in inventory.grants
    ] == [
        (
            web,
            ("app-deployer", "Microsoft.Resources/*", "Microsoft.Authorization/*/write"),
            ("${data.azurerm_subscription.current.id}",),
            (Condition("NotActions", "azure:notActions", ("Microsoft.Authorization/locks/delete",)),),
            36,
            "data.azurerm_subscription.current is read from the cloud at plan time",
        ),
        (
            "11111111-2222-3333-4444-555555555555",
            ("Owner",),
            ("${data.azurerm_subscription.current.id}",),
            (),
            42,
            "data.azurerm_subscription.current is read from the cloud at plan time",
        ),
        (
            None,
            ("Reader",),
            (f"{subscription}/resourceGroups/rg-apps",),
            (),
            48,
            "data.azurerm_client_config.current is read from the cloud at plan time",
        ),
        (deployer, ("Owner",), (subscription,), (), 16, None),
        (reader, ("Owner",), (f"{subscription}/resourceGroups/rg-apps",), (), 16, None),
    ]
    assert all((g.permission_type, g.platform) == ("role", "azure") for g in inventory.grants)
    # Owner at subscription scope is admin; Owner on a resource group is not.
    assert triples(report, "NHI-PRIV-004") == [
        ("NHI-PRIV-004", "main.tf", 42, None),
        ("NHI-PRIV-004", "modules/identity/main.tf", 16, deployer),
    ]
    assert [(t.identity, t.principals, t.conditions[0]) for t in inventory.trusts] == [
        (
            deployer,
            (TrustPrincipal("Federated", "https://westeurope.oic.prod-aks.azure.com/tenant/cluster/"),),
            Condition(
                "StringEquals",
                "https://westeurope.oic.prod-aks.azure.com/tenant/cluster/:sub",
                ("system:serviceaccount:api:deployer",),
            ),
        ),
    ]
    assert triples(report, "NHI-TRUST-003") == []
    # The web app uses its identities; the deployer has a retire-on tag; nothing else is orphaned.
    assert triples(report, "NHI-RET-001") == []
