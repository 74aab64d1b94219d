"""Datadog API and application keys, writable GitHub deploy keys and Snowflake service users: identities,
keys with their validity, scope and role grants, and the admin roles NHI-PRIV-004 reports."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import scan_tree, triples

KEYS = """
resource "datadog_api_key" "log_shipper" {
  name = "log-shipper"
}

resource "datadog_application_key" "monitors" {
  name   = "terraform-monitors"
  scopes = ["monitors_read", "monitors_write"]
}

resource "datadog_application_key" "legacy" {
  name = "legacy-dashboards"
}

resource "github_repository_deploy_key" "release" {
  title      = "release-bot"
  repository = "payments-api"
  key        = tls_private_key.release.public_key_openssh
  read_only  = false
}

resource "github_repository_deploy_key" "mirror" {
  title      = "mirror"
  repository = "payments-api"
  key        = tls_private_key.release.public_key_openssh
}

resource "tls_private_key" "release" {
  algorithm = "ED25519"
}

resource "snowflake_service_user" "loader" {
  name             = "LOADER_SVC"
  login_name       = "loader_svc"
  default_role     = "sysadmin"
  rsa_public_key   = var.loader_key
  rsa_public_key_2 = var.loader_key_next
  days_to_expiry   = 90
}

resource "snowflake_user" "bi" {
  name             = "BI_READER"
  type             = "SERVICE"
  default_role     = "REPORTING"
  rsa_public_key   = var.bi_key
  rsa_public_key_2 = null
}

resource "snowflake_user" "analyst" {
  name         = "JDOE"
  default_role = "ACCOUNTADMIN"
}

resource "snowflake_grant_account_role" "bi_security" {
  role_name = "SECURITYADMIN"
  user_name = snowflake_user.bi.name
}

variable "loader_key" {
  type = string
}

variable "loader_key_next" {
  type = string
}

variable "bi_key" {
  type = string
}
"""


def test_saas_keys_identities_credentials_and_grants(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": KEYS})
    inventory = report.inventory
    kinds = {i.id: (i.kind, i.platform, i.name) for i in inventory.identities.values()}
    assert kinds == {
        "datadog:datadog_api_key.log_shipper": ("api_token", "datadog", "log-shipper"),
        "datadog:datadog_application_key.monitors": ("api_token", "datadog", "terraform-monitors"),
        "datadog:datadog_application_key.legacy": ("api_token", "datadog", "legacy-dashboards"),
        "snowflake:snowflake_service_user.loader": ("service_account", "snowflake", "LOADER_SVC"),
        "snowflake:snowflake_user.bi": ("service_account", "snowflake", "BI_READER"),
    }  # the person's snowflake_user is not a machine identity
    keys = {(c.id, c.kind, c.expires.value if c.expires else None) for c in inventory.credentials}
    assert {
        ("datadog:datadog_api_key.log_shipper.key", "api_key", None),
        ("snowflake:snowflake_service_user.loader.rsa_public_key", "public_key", "90 days"),
        ("snowflake:snowflake_service_user.loader.rsa_public_key_2", "public_key", "90 days"),
        ("snowflake:snowflake_user.bi.rsa_public_key", "public_key", None),
    } <= keys
    grants = {(g.principal, tuple(g.permissions), g.scope, g.permission_type) for g in inventory.grants}
    assert {
        ("datadog:datadog_application_key.monitors", ("monitors_read", "monitors_write"), ("datadog",), "scope"),
        ("datadog:datadog_application_key.legacy", ("*",), ("datadog",), "scope"),
        ("github:github_repository_deploy_key.release", ("contents:write",), ("payments-api",), "scope"),
        ("snowflake:snowflake_service_user.loader", ("SYSADMIN",), ("account",), "role"),
        ("snowflake:snowflake_user.bi", ("REPORTING",), ("account",), "role"),
        ("snowflake:snowflake_user.bi", ("SECURITYADMIN",), ("account",), "role"),
    } <= grants
    assert "snowflake:snowflake_user.bi.rsa_public_key_2" not in {c.id for c in inventory.credentials}  # null slot
    assert not any(g.principal == "github:github_repository_deploy_key.mirror" for g in inventory.grants)
    assert triples(report, "NHI-PRIV-004") == [
        ("NHI-PRIV-004", "main.tf", 34, "snowflake:snowflake_service_user.loader"),  # default_role = "sysadmin"
        ("NHI-PRIV-004", "main.tf", 54, "snowflake:snowflake_user.bi"),  # SECURITYADMIN granted to the user
    ]
    # 90 days is within the default policy; a key without days_to_expiry never expires
    assert triples(report, "NHI-EXP-002") == []
    no_expiry = triples(report, "NHI-EXP-001")
    assert ("NHI-EXP-001", "main.tf", 44, "snowflake:snowflake_user.bi.rsa_public_key") in no_expiry
    assert ("NHI-EXP-001", "main.tf", 1, "datadog:datadog_api_key.log_shipper.key") in no_expiry
    assert not any(t[3] and t[3].startswith("snowflake:snowflake_service_user") for t in no_expiry)


def test_snowflake_days_to_expiry_beyond_the_policy(tmp_path: Path) -> None:
    user = """
resource "snowflake_service_user" "etl" {
  name           = "ETL_SVC"
  rsa_public_key = var.etl_key
  days_to_expiry = 800
}

variable "etl_key" {
  type = string
}
"""
    report = scan_tree(tmp_path, {"main.tf": user})
    assert triples(report, "NHI-EXP-002") == [
        ("NHI-EXP-002", "main.tf", 4, "snowflake:snowflake_service_user.etl.rsa_public_key")
    ]
