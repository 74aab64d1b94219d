"""GCP extraction: service accounts linked by reference and by email, IAM grants, keys, federation, usages."""

from __future__ import annotations

from pathlib import Path

from nhilint.model import Condition, TrustPrincipal, Unknown
from tests.helpers import scan_tree, triples

PROJECT = """
provider "google" {
  project = var.project
}

variable "project" {
  default = "acme-prod"
}

locals {
  ci_roles = ["roles/owner", "roles/storage.admin"]
}

# nhilint:owner team-platform
resource "google_service_account" "ci" {
  account_id = "ci-deployer"
}

resource "google_service_account" "worker" {
  for_each   = toset(["etl", "web"])
  account_id = "worker-${each.key}"
  project    = "acme-data"
}

resource "google_project_iam_member" "ci" {
  for_each = toset(local.ci_roles)
  project  = var.project
  role     = each.value
  member   = "serviceAccount:${google_service_account.ci.email}"
}

resource "google_project_iam_binding" "viewers" {
  project = "acme-prod"
  role    = "roles/viewer"
  members = [
    "serviceAccount:worker-etl@acme-data.iam.gserviceaccount.com",
    "user:alice@acme.io",
    google_service_account.worker["web"].member,
  ]
}

resource "google_folder_iam_member" "auditor" {
  folder = "folders/1234"
  role   = "roles/iam.securityReviewer"
  member = "serviceAccount:${google_service_account.ci.email}"
}

resource "google_organization_iam_member" "unknown" {
  org_id = "5678"
  role   = "roles/viewer"
  member = "serviceAccount:${var.external_sa}"
}

variable "external_sa" {}

resource "google_compute_instance" "etl" {
  name = "etl"
  service_account {
    email  = google_service_account.worker["etl"].email
    scopes = ["cloud-platform"]
  }
}

resource "google_cloud_run_v2_service" "web" {
  name = "web"
  template {
    service_account = "worker-web@acme-data.iam.gserviceaccount.com"
  }
}
"""


def test_service_accounts_grants_and_usages(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": PROJECT})
    inventory = report.inventory
    ci = inventory.identities["gcp:google_service_account.ci"]
    assert (ci.kind, ci.platform, ci.name) == ("service_account", "gcp", "ci-deployer")
    assert ci.attribute("email") == "ci-deployer@acme-prod.iam.gserviceaccount.com"
    assert ci.lifecycle.owner is not None
    assert (ci.lifecycle.owner.value, ci.lifecycle.owner.source) == ("team-platform", "comment")
    assert sorted(inventory.identities) == [
        "gcp:google_service_account.ci",
        'gcp:google_service_account.worker["etl"]',
        'gcp:google_service_account.worker["web"]',
    ]
    assert [
        (g.principal, g.permissions, g.scope, g.location.start_line, g.permission_type, g.platform, g.unknown)
        for g in inventory.grants
    ] == [
        ("gcp:google_service_account.ci", ("roles/owner",), ("project/acme-prod",), 27, "role", "gcp", None),
        ("gcp:google_service_account.ci", ("roles/storage.admin",), ("project/acme-prod",), 27, "role", "gcp", None),
        (
            'gcp:google_service_account.worker["etl"]',
            ("roles/viewer",),
            ("project/acme-prod",),
            33,
            "role",
            "gcp",
            None,
        ),
        ("user:alice@acme.io", ("roles/viewer",), ("project/acme-prod",), 33, "role", "gcp", None),
        (
            'gcp:google_service_account.worker["web"]',
            ("roles/viewer",),
            ("project/acme-prod",),
            33,
            "role",
            "gcp",
            None,
        ),
        ("gcp:google_service_account.ci", ("roles/iam.securityReviewer",), ("folder/1234",), 43, "role", "gcp", None),
        (
            None,
            ("roles/viewer",),
            ("organization/5678",),
            49,
            "role",
            "gcp",
            "var.external_sa has no default and no value in the scanned tfvars (declared at main.tf:53)",
        ),
    ]
    assert sorted((u.identity, u.workload) for u in inventory.usages) == [
        ('gcp:google_service_account.worker["etl"]', "google_compute_instance.etl"),
        ('gcp:google_service_account.worker["web"]', "google_cloud_run_v2_service.web"),
    ]
    assert triples(report, "NHI-PRIV") == [("NHI-PRIV-004", "main.tf", 27, "gcp:google_service_account.ci")]
    assert triples(report, "NHI-RET") == [("NHI-RET-001", "main.tf", 14, "gcp:google_service_account.ci")]


MODULE = """
variable "name" {}

resource "google_service_account" "this" {
  account_id = var.name
  project    = "acme-ci"
}

output "email" {
  value = google_service_account.this.email
}
"""

ROOT = """
module "deployer" {
  source = "./modules/sa"
  name   = "deployer"
}

resource "google_project_iam_member" "deployer_editor" {
  project = "acme-prod"
  role    = "roles/editor"
  member  = "serviceAccount:${module.deployer.email}"
}

resource "google_project_iam_member" "by_email" {
  project = "acme-prod"
  role    = "roles/logging.viewer"
  member  = "serviceAccount:deployer@acme-ci.iam.gserviceaccount.com"
}

resource "google_service_account_key" "deployer" {
  service_account_id = "projects/acme-ci/serviceAccounts/deployer@acme-ci.iam.gserviceaccount.com"
}

resource "time_rotating" "monthly" {
  rotation_days = 30
}

resource "google_service_account_key" "rotated" {
  service_account_id = module.deployer.email
  keepers = {
    rotation = time_rotating.monthly.id
  }
}

resource "google_service_account_key" "outside" {
  service_account_id = google_service_account.gone.name
}
"""


def test_module_outputs_literal_emails_and_keys(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": ROOT, "modules/sa/main.tf": MODULE})
    inventory = report.inventory
    deployer = "gcp:module.deployer.google_service_account.this"
    assert list(inventory.identities) == [deployer]
    assert [(g.principal, g.permissions) for g in inventory.grants] == [
        (deployer, ("roles/editor",)),
        (deployer, ("roles/logging.viewer",)),
    ]
    keys = {c.address: c for c in inventory.credentials}
    assert {a: (c.kind, c.of) for a, c in keys.items()} == {
        "google_service_account_key.deployer": ("service_account_key", deployer),
        "google_service_account_key.rotated": ("service_account_key", deployer),
        "google_service_account_key.outside": (
            "service_account_key",
            Unknown("google_service_account.gone is not in the scanned code"),
        ),
    }
    rotation = keys["google_service_account_key.rotated"].rotation
    assert rotation is not None
    assert (rotation.value, rotation.source) == ("every 30 days", "time_rotating:time_rotating.monthly")
    assert triples(report, "NHI-CRED-001") == [
        ("NHI-CRED-001", "main.tf", 18, "gcp:google_service_account_key.deployer"),
        ("NHI-CRED-001", "main.tf", 33, "gcp:google_service_account_key.outside"),
    ]
    assert triples(report, "NHI-PRIV-004") == [("NHI-PRIV-004", "main.tf", 8, deployer)]


POLICY = """
resource "google_service_account" "admin" {
  account_id = "break-glass"
  project    = "acme-prod"
}

data "google_iam_policy" "project" {
  binding {
    role    = "roles/owner"
    members = ["serviceAccount:${google_service_account.admin.email}"]
  }
  binding {
    role    = "roles/viewer"
    members = ["group:auditors@acme.io"]
  }
}

resource "google_project_iam_policy" "project" {
  project     = "acme-prod"
  policy_data = data.google_iam_policy.project.policy_data
}

variable "policy_json" {}

resource "google_folder_iam_policy" "folder" {
  folder      = "folders/99"
  policy_data = var.policy_json
}
"""


def test_iam_policy_reads_the_policy_data_source_and_never_guesses(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": POLICY})
    grants = report.inventory.grants
    assert [(g.principal, g.permissions, g.scope, g.location.start_line, g.unknown) for g in grants] == [
        ("gcp:google_service_account.admin", ("roles/owner",), ("project/acme-prod",), 8, None),
        ("group:auditors@acme.io", ("roles/viewer",), ("project/acme-prod",), 12, None),
        (
            None,
            (),
            ("folder/99",),
            26,
            "var.policy_json has no default and no value in the scanned tfvars (declared at main.tf:22)",
        ),
    ]
    assert triples(report, "NHI-PRIV-004") == [
        ("NHI-PRIV-004", "main.tf", 8, "gcp:google_service_account.admin"),
        ("NHI-PRIV-004", "main.tf", 26, None),  # reported as "could not evaluate"
    ]
    assert [f.unknown for f in report.findings if f.rule_id == "NHI-PRIV-004"] == [False, True]


FEDERATION = """
resource "google_service_account" "deploy" {
  account_id = "gh-deploy"
  project    = "acme-prod"
}

resource "google_iam_workload_identity_pool" "github" {
  workload_identity_pool_id = "github"
}

resource "google_iam_workload_identity_pool_provider" "github" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = "github"
  attribute_mapping = {
    "google.subject"       = "assertion.sub"
    "attribute.repository" = "assertion.repository"
  }
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_service_account_iam_member" "any_repo" {
  service_account_id = google_service_account.deploy.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/*"
}

resource "google_service_account_iam_member" "one_repo" {
  service_account_id = google_service_account.deploy.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/attribute.repository/acme/app"
}

resource "google_service_account_iam_binding" "users" {
  service_account_id = google_service_account.deploy.name
  role               = "roles/iam.serviceAccountTokenCreator"
  members            = ["user:bob@acme.io", "serviceAccount:${google_service_account.deploy.email}"]
}

resource "google_service_account_iam_member" "viewer" {
  service_account_id = google_service_account.deploy.name
  role               = "roles/iam.serviceAccountViewer"
  member             = "group:everyone@acme.io"
}
"""

GITHUB = "https://token.actions.githubusercontent.com"


def test_service_account_iam_is_trust_and_pools_without_condition_are_federated(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": FEDERATION})
    inventory = report.inventory
    deploy = "gcp:google_service_account.deploy"
    trusts = inventory.trusts_of(deploy)
    assert [(t.principals, t.conditions, t.actions, t.location.start_line) for t in trusts] == [
        (
            (
                TrustPrincipal(
                    "principalSet", "//iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/*"
                ),
                TrustPrincipal("Federated", GITHUB),
            ),
            (),
            ("roles/iam.workloadIdentityUser",),
            25,
        ),
        (
            (
                TrustPrincipal(
                    "principalSet",
                    "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/"
                    "github/attribute.repository/acme/app",
                ),
                TrustPrincipal("Federated", GITHUB),
            ),
            (Condition("StringEquals", f"{GITHUB}:repository", ("acme/app",)),),
            ("roles/iam.workloadIdentityUser",),
            31,
        ),
        (
            (
                TrustPrincipal("user", "bob@acme.io"),
                TrustPrincipal("serviceAccount", "${google_service_account.deploy.email}"),
            ),
            (),
            ("roles/iam.serviceAccountTokenCreator",),
            37,
        ),
    ]
    # Only the in-code service account member gets a grant on the account it may impersonate.
    assert [(g.principal, g.permissions, g.scope) for g in inventory.grants] == [
        (deploy, ("roles/iam.serviceAccountTokenCreator",), ("serviceAccount/${google_service_account.deploy.name}",)),
    ]
    assert triples(report, "NHI-TRUST-003") == [
        ("NHI-TRUST-003", "main.tf", 25, deploy),
        ("NHI-TRUST-003", "main.tf", 31, deploy),
    ]


def test_attribute_condition_replaces_the_federated_principal(tmp_path: Path) -> None:
    source = FEDERATION.replace(
        "  oidc {", "  attribute_condition = \"assertion.repository_owner == 'acme'\"\n  oidc {", 1
    )
    report = scan_tree(tmp_path, {"main.tf": source})
    trust = report.inventory.trusts[0]
    assert trust.principals == (
        TrustPrincipal("principalSet", "//iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/*"),
    )
    assert trust.conditions == (
        Condition("CEL", f"{GITHUB}:attribute_condition", ("assertion.repository_owner == 'acme'",)),
    )
    assert triples(report, "NHI-TRUST-003") == []


def test_api_key_restrictions(tmp_path: Path) -> None:
    source = """
    resource "google_apikeys_key" "maps" {
      name = "maps"
      restrictions {
        api_targets {
          service = "maps.googleapis.com"
        }
        browser_key_restrictions {
          allowed_referrers = ["https://acme.io/*"]
        }
      }
    }

    resource "google_apikeys_key" "open" {
      name = "open"
    }
    """
    report = scan_tree(tmp_path, {"main.tf": source})
    assert [(c.address, c.kind, c.attribute("restrictions")) for c in report.inventory.credentials] == [
        ("google_apikeys_key.maps", "api_key", "api_targets, browser_key_restrictions"),
        ("google_apikeys_key.open", "api_key", "none"),
    ]
    assert triples(report, "NHI-EXP-001") == [
        ("NHI-EXP-001", "main.tf", 1, "gcp:google_apikeys_key.maps"),
        ("NHI-EXP-001", "main.tf", 13, "gcp:google_apikeys_key.open"),
    ]
