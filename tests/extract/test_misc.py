"""Other machine credentials (Terraform): CI secrets, deploy keys, Vault AppRoles and tokens, TLS keys and certs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nhilint.cli import cli
from nhilint.model import Fact, Location
from tests.helpers import scan_tree, triples

LEAKED = "ghp_R3allyS3cretTokenValue0123456789"

CI = f'''
resource "aws_iam_user" "ci" {{
  name = "ci-deployer"
}}

resource "aws_iam_access_key" "ci" {{
  user = aws_iam_user.ci.name
}}

resource "github_actions_secret" "aws_key" {{
  repository      = "payments"
  secret_name     = "AWS_SECRET_ACCESS_KEY"
  plaintext_value = aws_iam_access_key.ci.secret
}}

resource "github_actions_secret" "npm" {{
  repository      = "payments"
  secret_name     = "NPM_TOKEN"
  plaintext_value = "{LEAKED}"
}}
'''


def test_literal_plaintext_value_is_reported_where_it_is_written(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"ci.tf": CI})
    assert triples(report, "NHI-CRED-002") == [("NHI-CRED-002", "ci.tf", 18, None)]
    npm = next(c for c in report.inventory.credentials if c.address == "github_actions_secret.npm")
    assert (npm.id, npm.kind, npm.platform, npm.of, npm.secret_in_code) == (
        "github:github_actions_secret.npm",
        "ci_secret",
        "github",
        None,
        Location("ci.tf", 18, 18),
    )
    assert npm.attributes == (("repository", "payments"), ("secret_name", "NPM_TOKEN"))


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_literal_value_never_appears_in_the_output(tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ci.tf").write_text(CI.lstrip("\n"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["scan", ".", "--format", fmt, "--today", "2026-11-22"])
    assert result.exit_code == 1, result.output
    assert "NHI-CRED-002" in result.output
    assert LEAKED not in result.output
    assert LEAKED[4:20] not in result.output
    if fmt == "json":
        findings = json.loads(result.output)["findings"]
        assert [(f["rule_id"], f["line"]) for f in findings if f["rule_id"] == "NHI-CRED-002"] == [("NHI-CRED-002", 18)]


def test_ci_secret_holding_an_access_key_is_a_usage_of_the_iam_user(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"ci.tf": CI})
    assert [(u.identity, u.workload, u.kind, u.location.start_line) for u in report.inventory.usages] == [
        ("aws:aws_iam_user.ci", "github_actions_secret.aws_key", "github repository secret", 9),
    ]
    # the user is used, and the secret holding its key goes with it; the npm token is nobody's and not rotated
    assert triples(report, "NHI-RET-001") == [("NHI-RET-001", "ci.tf", 15, "github:github_actions_secret.npm")]


def test_key_reached_through_a_module_output_and_a_function(tmp_path: Path) -> None:
    module = """
    resource "aws_iam_user" "bot" {
      name = "bot"
    }

    resource "aws_iam_access_key" "bot" {
      for_each = toset(["old", "new"])
      user     = aws_iam_user.bot.name
    }

    output "key_id" {
      value = aws_iam_access_key.bot["new"].id
    }
    """
    root = """
    module "iam" {
      source = "./iam"
    }

    resource "github_actions_organization_secret" "key_id" {
      secret_name     = "AWS_ACCESS_KEY_ID"
      visibility      = "private"
      plaintext_value = module.iam.key_id
    }

    resource "github_dependabot_secret" "packed" {
      repository      = "payments"
      secret_name     = "AWS_KEY"
      plaintext_value = base64encode(aws_iam_access_key.deploy.secret)
    }

    resource "aws_iam_user" "deploy" {
      name = "deploy"
    }

    resource "aws_iam_access_key" "deploy" {
      user = aws_iam_user.deploy.name
    }

    resource "github_actions_environment_secret" "direct" {
      repository      = "payments"
      environment     = "prod"
      secret_name     = "AWS_SECRET"
      plaintext_value = aws_iam_access_key.elsewhere.secret
    }
    """
    report = scan_tree(tmp_path, {"main.tf": root, "iam/main.tf": module})
    assert [(u.identity, u.workload, u.kind) for u in report.inventory.usages] == [
        ("aws:module.iam.aws_iam_user.bot", "github_actions_organization_secret.key_id", "github organization secret"),
        ("aws:aws_iam_user.deploy", "github_dependabot_secret.packed", "github dependabot secret"),
    ]


def test_vault_token_without_ttl_never_expires(tmp_path: Path) -> None:
    source = """
    resource "vault_token" "ci" {
      policies  = ["deploy"]
      renewable = true
    }

    resource "vault_token" "short" {
      policies = ["deploy"]
      ttl      = "24h"
    }

    resource "vault_token" "periodic" {
      policies = ["deploy"]
      period   = "24h"
    }
    """
    report = scan_tree(tmp_path, {"vault.tf": source})
    assert triples(report, "NHI-EXP-001") == [
        ("NHI-EXP-001", "vault.tf", 1, "vault:vault_token.ci"),
        ("NHI-EXP-001", "vault.tf", 11, "vault:vault_token.periodic"),
    ]
    short = next(c for c in report.inventory.credentials if c.address == "vault_token.short")
    assert short.expires == Fact("ttl 24h", "ttl", Location("vault.tf", 8, 8))
    assert short.attribute("validity_seconds") == "86400"
    assert triples(report, "NHI-EXP-002") == []


def test_self_signed_cert_valid_for_ten_years_is_too_far(tmp_path: Path) -> None:
    source = """
    resource "tls_private_key" "ca" {
      algorithm = "ECDSA"
    }

    resource "tls_self_signed_cert" "ca" {
      private_key_pem       = tls_private_key.ca.private_key_pem
      validity_period_hours = 87600
      is_ca_certificate     = true
      allowed_uses          = ["cert_signing"]
    }

    resource "tls_locally_signed_cert" "web" {
      cert_request_pem      = tls_cert_request.web.cert_request_pem
      ca_private_key_pem    = tls_private_key.ca.private_key_pem
      ca_cert_pem           = tls_self_signed_cert.ca.cert_pem
      validity_period_hours = 2160
      early_renewal_hours   = 360
      allowed_uses          = ["server_auth"]

      lifecycle {
        create_before_destroy = true
      }
    }
    """
    report = scan_tree(tmp_path, {"pki.tf": source})
    assert triples(report, "NHI-EXP-002") == [("NHI-EXP-002", "pki.tf", 7, "tls:tls_self_signed_cert.ca")]
    assert triples(report, "NHI-EXP-001") == [("NHI-EXP-001", "pki.tf", 1, "tls:tls_private_key.ca")]
    key, ca, web = report.inventory.credentials
    assert (key.kind, key.attribute("in_state"), key.rotation) == ("private_key", "true", None)
    assert (ca.kind, ca.expires) == (
        "certificate",
        Fact("validity 87600h", "validity_period_hours", Location("pki.tf", 7, 7)),
    )
    assert web.rotation == Fact(
        "renewed on apply within 360h of expiry", "early_renewal_hours", Location("pki.tf", 17, 17)
    )


def test_deploy_key_public_key_is_no_secret_but_a_private_key_is(tmp_path: Path) -> None:
    source = """
    resource "tls_private_key" "deploy" {
      algorithm = "ED25519"
    }

    resource "github_repository_deploy_key" "ci" {
      title      = "ci"
      repository = "payments"
      key        = tls_private_key.deploy.public_key_openssh
    }

    resource "github_repository_deploy_key" "pasted" {
      title      = "pasted"
      repository = "payments"
      read_only  = false
      key        = <<-EOT
        -----BEGIN OPENSSH PRIVATE KEY-----
        b3BlbnNzaC1rZXktdjEAAAAA
        -----END OPENSSH PRIVATE KEY-----
      EOT
    }
    """
    report = scan_tree(tmp_path, {"keys.tf": source})
    assert triples(report, "NHI-CRED-002") == [("NHI-CRED-002", "keys.tf", 15, None)]
    ci, pasted = (c for c in report.inventory.credentials if c.kind == "deploy_key")
    assert ci.attributes == (
        ("read_only", "true"),
        ("repository", "payments"),
        ("title", "ci"),
        ("key_pair", "tls_private_key.deploy"),
    )
    assert (ci.expires, ci.rotation, ci.secret_in_code) == (None, None, None)
    assert pasted.attribute("read_only") == "false"
    assert [c for _, _, _, c in triples(report, "NHI-EXP-001")] == [
        "tls:tls_private_key.deploy",
        "github:github_repository_deploy_key.ci",
        "github:github_repository_deploy_key.pasted",
    ]


def test_approle_secret_ids_follow_the_role_ttl(tmp_path: Path) -> None:
    source = """
    resource "vault_approle_auth_backend_role" "app" {
      backend        = "approle"
      role_name      = "payments"
      token_policies = ["payments-read"]
      secret_id_ttl  = "720h"
    }

    resource "vault_approle_auth_backend_role_secret_id" "app" {
      role_name = vault_approle_auth_backend_role.app.role_name
    }

    # nhilint:owner team-batch
    resource "vault_approle_auth_backend_role" "batch" {
      role_name      = "batch"
      token_policies = ["batch"]
    }
    """
    report = scan_tree(tmp_path, {"vault.tf": source})
    app = report.inventory.identities["vault:vault_approle_auth_backend_role.app"]
    assert (app.kind, app.platform, app.name) == ("approle", "vault", "payments")
    assert app.attributes == (("backend", "approle"), ("secret_id_ttl", "720h"))
    secrets = [(c.id, c.of, c.expires) for c in report.inventory.credentials]
    assert secrets == [
        (
            "vault:vault_approle_auth_backend_role_secret_id.app",
            app.id,
            Fact("secret_id_ttl 720h", "secret_id_ttl", Location("vault.tf", 5, 5)),
        ),
        ("vault:vault_approle_auth_backend_role.batch#secret_id", "vault:vault_approle_auth_backend_role.batch", None),
    ]
    grants = [(g.principal, g.permissions, g.permission_type) for g in report.inventory.grants]
    assert grants == [
        (app.id, ("payments-read",), "role"),
        ("vault:vault_approle_auth_backend_role.batch", ("batch",), "role"),
    ]
    assert triples(report, "NHI-EXP-001") == [
        ("NHI-EXP-001", "vault.tf", 13, "vault:vault_approle_auth_backend_role.batch#secret_id"),
    ]
    batch_secret = report.inventory.credentials[1]
    assert batch_secret.lifecycle.owner == Fact("team-batch", "comment", Location("vault.tf", 12, 12))
