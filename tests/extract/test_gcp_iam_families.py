"""Every `google_<resource>_iam_{member,binding,policy}` gives grants, whether its family is listed or not."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import scan_tree

SOURCE = """
resource "google_cloudfunctions2_function_iam_member" "hook_invoker" {
  cloud_function = "github-hook"
  location       = "europe-west1"
  role           = "roles/cloudfunctions.invoker"
  member         = "allUsers"
}

resource "google_spanner_database_iam_member" "ledger_reader" {
  instance = "ledger"
  database = "payments"
  role     = "roles/spanner.databaseReader"
  member   = "serviceAccount:reports@acme-prod.iam.gserviceaccount.com"
}

resource "google_service_account_iam_member" "anyone_acts_as_ci" {
  service_account_id = "projects/acme-prod/serviceAccounts/ci@acme-prod.iam.gserviceaccount.com"
  role               = "roles/iam.serviceAccountUser"
  member             = "allAuthenticatedUsers"
}

resource "google_project_iam_custom_role" "auditor" {
  role_id     = "auditor"
  title       = "Auditor"
  permissions = ["iam.roles.list"]
}
"""


def test_listed_and_unlisted_families_and_public_members(tmp_path: Path) -> None:
    grants = scan_tree(tmp_path, {"iam.tf": SOURCE}).inventory.grants
    held = [g for g in grants if g.principal is not None]  # a custom role nothing uses is a grant of nobody
    assert sorted((g.principal, g.scope, tuple(g.permissions)) for g in held) == [
        (
            "allAuthenticatedUsers",
            ("serviceAccount/ci@acme-prod.iam.gserviceaccount.com",),
            ("roles/iam.serviceAccountUser",),
        ),
        ("allUsers", ("function/github-hook",), ("roles/cloudfunctions.invoker",)),
        (
            "serviceAccount:reports@acme-prod.iam.gserviceaccount.com",
            ("spanner_database/ledger/payments",),
            ("roles/spanner.databaseReader",),
        ),
    ]
