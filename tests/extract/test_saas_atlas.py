"""MongoDB Atlas service accounts: identities with role grants on their organisation or project, and client
secrets that expire `secret_expires_after_hours` after creation."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import scan_tree

ATLAS = """
resource "mongodbatlas_service_account" "ci" {
  org_id                 = "65f1c0d2a8b3e41f2c9d7a10"
  name                   = "platform-ci"
  roles                  = ["ORG_OWNER"]
  without_initial_secret = true
}

resource "mongodbatlas_service_account_secret" "ci" {
  org_id                     = "65f1c0d2a8b3e41f2c9d7a10"
  client_id                  = mongodbatlas_service_account.ci.client_id
  secret_expires_after_hours = 2160
}

resource "mongodbatlas_project_service_account" "reporting" {
  project_id                 = "65f1c0d2a8b3e41f2c9d7a22"
  name                       = "reporting-export"
  roles                      = ["GROUP_READ_ONLY"]
  secret_expires_after_hours = var.secret_hours
}
"""


def test_atlas_service_accounts_grants_and_secrets(tmp_path: Path) -> None:
    inventory = scan_tree(tmp_path, {"atlas.tf": ATLAS}).inventory
    ci = inventory.identities["mongodbatlas:mongodbatlas_service_account.ci"]
    reporting = inventory.identities["mongodbatlas:mongodbatlas_project_service_account.reporting"]
    assert (ci.kind, ci.name) == ("service_account", "platform-ci")
    grants = {g.principal: ([str(p) for p in g.permissions], g.scope) for g in inventory.grants}
    assert grants[ci.id] == (["ORG_OWNER"], ("org/65f1c0d2a8b3e41f2c9d7a10",))
    assert grants[reporting.id] == (["GROUP_READ_ONLY"], ("project/65f1c0d2a8b3e41f2c9d7a22",))
    [ci_secret] = inventory.credentials_of(ci.id)  # without_initial_secret: only the managed secret
    assert ci_secret.kind == "client_secret" and ci_secret.expires is not None
    assert (ci_secret.expires.value, ci_secret.attribute("validity_seconds")) == (
        "2160h after creation (90 days)",
        "7776000",
    )
    [initial] = inventory.credentials_of(reporting.id)
    assert initial.expires is not None and not initial.expires.known  # var.secret_hours has no value
