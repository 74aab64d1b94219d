from pathlib import Path

from nhilint.rules.oidc_issuers import (
    issuer_host,
    issuer_reach,
    restricts_tenant,
    tenant_claims,
    unpinned_github_subject,
)
from tests.helpers import scan_tree


def test_multi_tenant_issuers_by_host() -> None:
    assert tenant_claims("https://gitlab.com/") is not None
    assert tenant_claims("token.actions.githubusercontent.com") is not None
    assert tenant_claims("https://oidc.circleci.com/org/6c1b6f53") is not None
    assert tenant_claims("https://gitlab.acme.io") is None
    assert tenant_claims("https://sso.acme.io/realms/platform") is None


def test_attribute_condition_must_read_a_tenant_claim() -> None:
    github = tenant_claims("https://token.actions.githubusercontent.com")
    circleci = tenant_claims("https://oidc.circleci.com/org/6c1b6f53")
    assert github is not None and circleci is not None
    assert restricts_tenant("assertion.repository_owner == 'acme'", github)
    assert restricts_tenant("attribute.repository in ['acme/app', 'acme/infra']", github)
    assert not restricts_tenant("assertion.ref == 'refs/heads/main'", github)
    assert not restricts_tenant("assertion.repository_visibility == 'private'", github)
    assert restricts_tenant("assertion['oidc.circleci.com/project-id'] == 'a1b2'", circleci)


def test_github_subjects_that_name_no_repository() -> None:
    github = "https://token.actions.githubusercontent.com"
    assert unpinned_github_subject(github, "repository_owner:acme") == "every repository of acme"
    assert unpinned_github_subject("token.actions.githubusercontent.com", "repository_owner_id:42:context:prod")
    assert unpinned_github_subject(github, "job_workflow_ref:acme/ci/.github/workflows/deploy.yml@refs/heads/main")
    assert unpinned_github_subject(github, "environment:production") == "every repository on GitHub"
    assert unpinned_github_subject(github, "repo:acme/app:environment:production") is None
    assert unpinned_github_subject(github, "repository_owner:acme:repository:acme/app") is None
    assert unpinned_github_subject(github, "repository_id:123456") is None
    assert unpinned_github_subject("https://gitlab.com", "project_path:acme/app:ref_type:branch:ref:main") is None
    arn = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    assert issuer_host(arn) == "token.actions.githubusercontent.com"


CIRCLECI_POOL = """
resource "google_service_account" "circleci" {
  account_id = "circleci-build"
}

resource "google_iam_workload_identity_pool" "circleci" {
  workload_identity_pool_id = "circleci"
}

resource "google_iam_workload_identity_pool_provider" "circleci" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.circleci.workload_identity_pool_id
  workload_identity_pool_provider_id = "circleci"
  attribute_mapping = {
    "google.subject" = "assertion.sub"
  }
  oidc {
    issuer_uri        = "https://oidc.circleci.com/org/6c1b6f53-6a4a-4f0e-9d1a-5a3b0c7e2f10"
    allowed_audiences = ["6c1b6f53-6a4a-4f0e-9d1a-5a3b0c7e2f10"]
  }
}

resource "google_service_account_iam_member" "circleci" {
  service_account_id = google_service_account.circleci.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.circleci.name}/*"
}
"""

FLEXIBLE_WORKFLOW_ONLY = """
resource "azuread_application" "deploy" {
  display_name = "github-deploy"
}

resource "azuread_application_flexible_federated_identity_credential" "shared_workflow" {
  application_id             = azuread_application.deploy.id
  display_name               = "shared-deploy-workflow"
  audience                   = "api://AzureADTokenExchange"
  issuer                     = "https://token.actions.githubusercontent.com"
  claims_matching_expression = "claims['job_workflow_ref'] matches 'acme/ci/.github/workflows/deploy.yml@*'"
}
"""


def _trust_messages(tmp_path: Path, text: str) -> list[str]:
    report = scan_tree(tmp_path, {"main.tf": text})
    return [f.message for f in report.findings if f.rule_id == "NHI-TRUST-003"]


def test_circleci_issuer_is_one_organisation(tmp_path: Path) -> None:
    assert issuer_reach("https://oidc.circleci.com/org/6c1b6f53") == "every project of that CircleCI organisation"
    assert issuer_reach("https://gitlab.com") == "every workload of that issuer"
    [message] = _trust_messages(tmp_path, CIRCLECI_POOL)
    assert message.endswith("every project of that CircleCI organisation may assume it")
    assert "every workload" not in message


def test_flexible_credential_checking_only_job_workflow_ref(tmp_path: Path) -> None:
    [message] = _trust_messages(tmp_path, FLEXIBLE_WORKFLOW_ONLY)
    assert "only on job_workflow_ref" in message
    assert message.endswith(
        "every repository on GitHub whose workflow calls the reusable workflow "
        "'acme/ci/.github/workflows/deploy.yml@*' may assume it"
    )
