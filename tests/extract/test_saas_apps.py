"""Okta and Auth0 machine-to-machine applications and Cloudflare API tokens: identities with owners,
secrets and expiry, and the scopes they are granted."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import scan_tree, triples

SAAS = """
resource "okta_app_oauth" "billing_sync" {
  label                      = "billing-sync"
  type                       = "service"
  grant_types                = ["client_credentials"]
  token_endpoint_auth_method = "client_secret_basic"
  response_types             = ["token"]
}

resource "okta_app_oauth" "portal" {
  label          = "customer-portal"
  type           = "web"
  grant_types    = ["authorization_code"]
  redirect_uris  = ["https://portal.example.com/callback"]
  response_types = ["code"]
}

resource "okta_app_oauth" "scim" {
  label                      = "scim-bridge"
  type                       = "service"
  grant_types                = ["client_credentials"]
  token_endpoint_auth_method = "private_key_jwt"
  response_types             = ["token"]
}

resource "okta_app_oauth_api_scope" "billing_sync" {
  app_id = okta_app_oauth.billing_sync.id
  issuer = "https://example.okta.com"
  scopes = ["okta.users.read", "okta.groups.manage"]
}

resource "okta_app_oauth_api_scope" "scim" {
  app_id = okta_app_oauth.scim.id
  issuer = "https://example.okta.com"
  scopes = ["okta.users.read"]
}

resource "auth0_client" "reporting" {
  name        = "reporting-job"
  app_type    = "non_interactive"
  grant_types = ["client_credentials"]
}

resource "auth0_client_grant" "reporting" {
  client_id = auth0_client.reporting.id
  audience  = "https://api.example.com/"
  scopes    = ["read:reports"]
}

resource "auth0_client_credentials" "reporting" {
  client_id             = auth0_client.reporting.id
  authentication_method = "client_secret_post"
}

resource "cloudflare_api_token" "dns_edit" {
  name       = "ci-dns-edit"
  expires_on = "2027-03-31T00:00:00Z"

  policy {
    permission_groups = ["4755a26eedb94da69e1066d98aa820be"]
    resources = {
      "com.cloudflare.api.account.zone.6c4d8f3a2b1e4f5a9c8d7e6f5a4b3c2d" = "*"
    }
  }
}

resource "cloudflare_api_token" "forever" {
  name = "legacy-purge"

  policy {
    permission_groups = ["e17beae8b8cb423a99b1730f21238bed"]
    resources = {
      "com.cloudflare.api.account.zone.*" = "*"
    }
  }
}
"""


def test_saas_identities_credentials_and_scopes(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": SAAS})
    inventory = report.inventory
    kinds = {i.id: (i.kind, i.platform, i.name) for i in inventory.identities.values()}
    assert kinds == {
        "okta:okta_app_oauth.billing_sync": ("application", "okta", "billing-sync"),
        "okta:okta_app_oauth.scim": ("application", "okta", "scim-bridge"),
        "auth0:auth0_client.reporting": ("application", "auth0", "reporting-job"),
        "cloudflare:cloudflare_api_token.dns_edit": ("api_token", "cloudflare", "ci-dns-edit"),
        "cloudflare:cloudflare_api_token.forever": ("api_token", "cloudflare", "legacy-purge"),
    }
    credentials = {(c.of, c.kind, c.expires.value if c.expires else None) for c in inventory.credentials}
    assert credentials == {
        ("okta:okta_app_oauth.billing_sync", "client_secret", None),
        ("auth0:auth0_client.reporting", "client_secret", None),
        ("cloudflare:cloudflare_api_token.dns_edit", "api_token", "2027-03-31T00:00:00Z"),
        ("cloudflare:cloudflare_api_token.forever", "api_token", None),
    }
    grants = {(g.principal, tuple(g.permissions), g.scope) for g in inventory.grants}
    assert (
        "okta:okta_app_oauth.billing_sync",
        ("okta.users.read", "okta.groups.manage"),
        ("https://example.okta.com",),
    ) in grants
    assert ("auth0:auth0_client.reporting", ("read:reports",), ("https://api.example.com/",)) in grants
    zone = "com.cloudflare.api.account.zone.6c4d8f3a2b1e4f5a9c8d7e6f5a4b3c2d"
    assert ("cloudflare:cloudflare_api_token.dns_edit", ("4755a26eedb94da69e1066d98aa820be",), (zone,)) in grants
    assert triples(report, "NHI-PRIV-004") == [("NHI-PRIV-004", "main.tf", 28, "okta:okta_app_oauth.billing_sync")]
    assert triples(report, "NHI-CRED-001") == [
        ("NHI-CRED-001", "main.tf", 1, "okta:okta_app_oauth.billing_sync.client_secret"),
        ("NHI-CRED-001", "main.tf", 49, "auth0:auth0_client_credentials.reporting.client_secret"),
    ]
    # the token with expires_on is not reported; the one without is
    assert triples(report, "NHI-EXP-001") == [
        ("NHI-EXP-001", "main.tf", 66, "cloudflare:cloudflare_api_token.forever.value")
    ]
