"""AgentCore credential providers: a write-only secret rotates by bumping its version argument, and a client
secret held in Secrets Manager (`client_secret_config`) rotates as that secret does (terraform-provider-aws
docs, bedrockagentcore_api_key_credential_provider / _oauth2_credential_provider)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nhilint.api import scan
from nhilint.report.json_report import render_inventory
from tests.helpers import config_for, scan_tree, write_tree

PROVIDERS = """
resource "aws_bedrockagentcore_api_key_credential_provider" "search" {
  name               = "search-api"
  api_key_wo         = var.search_api_key
  api_key_wo_version = 4
}

resource "aws_bedrockagentcore_oauth2_credential_provider" "vault" {
  name                       = "vault-tools"
  credential_provider_vendor = "CustomOauth2"
  oauth2_provider_config {
    custom_oauth2_provider_config {
      client_id = "agent-vault"
      client_secret_config {
        secret_id = var.vault_secret_arn
        json_key  = "client_secret"
      }
    }
  }
}

resource "aws_bedrockagentcore_oauth2_credential_provider" "leaky" {
  name                       = "leaky-tools"
  credential_provider_vendor = "GithubOauth2"
  oauth2_provider_config {
    github_oauth2_provider_config {
      client_id_wo                  = "Iv1.8a61f9b3a7aba766"
      client_secret_wo              = "0123456789abcdef0123456789abcdef01234567"
      client_credentials_wo_version = 1
    }
  }
}
"""


def test_write_only_version_and_secrets_manager_rotation(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": PROVIDERS})
    credentials = {c.address: c for c in report.inventory.credentials}
    search = credentials["aws_bedrockagentcore_api_key_credential_provider.search"]
    assert search.rotation is not None and search.rotation.known
    assert (search.rotation.source, str(search.rotation.location)) == ("api_key_wo_version", "main.tf:4")
    assert (search.attribute("in_state"), search.attribute("write_only")) == ("false", "true")

    vault = credentials["aws_bedrockagentcore_oauth2_credential_provider.vault"]
    assert (vault.attribute("secret_source"), vault.attribute("in_state")) == ("EXTERNAL", "false")
    assert vault.rotation is not None and not vault.rotation.known  # the secret is not in the scanned code
    found = [f for f in report.findings if f.rule_id == "NHI-EXP-001" and f.address == vault.address]
    assert len(found) == 1 and "could not evaluate" in found[0].message

    # a literal written into a write-only argument is still in the code: a leak, rotation or not
    leaky = credentials["aws_bedrockagentcore_oauth2_credential_provider.leaky"]
    assert leaky.rotation is not None and leaky.rotation.source == "client_credentials_wo_version"
    leaks = [(f.location.start_line, f.address) for f in report.findings if f.rule_id == "NHI-CRED-002"]
    assert leaks == [(27, leaky.address)]
    assert "0123456789abcdef" not in "".join(f.message + f.evidence for f in report.findings)


GATEWAY_TF = """
resource "aws_bedrockagentcore_gateway" "crm" {
  name            = "crm"
  role_arn        = "arn:aws:iam::111122223333:role/crm-gateway"
  authorizer_type = "AWS_IAM"
  protocol_type   = "MCP"
}

resource "aws_bedrockagentcore_gateway_target" "contacts" {
  name               = "contacts"
  gateway_identifier = aws_bedrockagentcore_gateway.crm.gateway_id

  credential_provider_configuration {
    oauth {
      provider_arn = aws_bedrockagentcore_oauth2_credential_provider.crm.credential_provider_arn
      scopes       = ["contacts.read"]
    }
  }

  target_configuration {
    mcp {
      open_api_schema {
        s3 {
          uri = "s3://acme-agent-tools/crm/contacts.yaml"
        }
      }
    }
  }
}
"""

PROVIDER_TF = """
resource "aws_bedrockagentcore_oauth2_credential_provider" "crm" {
  name                       = "support-crm"
  credential_provider_vendor = "CustomOauth2"
  oauth2_provider_config {
    custom_oauth2_provider_config {
      client_id_wo                  = "support-assistant"
      client_secret_wo              = var.crm_client_secret
      client_credentials_wo_version = 3
    }
  }
}
"""

GATEWAY_CFN = """
Resources:
  CrmProvider:
    Type: AWS::BedrockAgentCore::OAuth2CredentialProvider
    Properties:
      Name: support-crm
      CredentialProviderVendor: CustomOauth2
  CrmGateway:
    Type: AWS::BedrockAgentCore::Gateway
    Properties:
      Name: crm
      RoleArn: arn:aws:iam::111122223333:role/crm-gateway
      AuthorizerType: AWS_IAM
      ProtocolType: MCP
  Contacts:
    Type: AWS::BedrockAgentCore::GatewayTarget
    Properties:
      Name: contacts
      GatewayIdentifier: !Ref CrmGateway
      CredentialProviderConfigurations:
        - CredentialProviderType: OAUTH
          CredentialProvider:
            OauthCredentialProvider:
              ProviderArn: !GetAtt CrmProvider.CredentialProviderArn
              Scopes: [contacts.read]
      TargetConfiguration:
        Mcp:
          OpenApiSchema:
            S3:
              Uri: s3://acme-agent-tools/crm/contacts.yaml
"""


def _inventory(path: Path) -> dict[str, Any]:
    return dict(json.loads(render_inventory(scan([path], config_for(path), path))))


@pytest.mark.parametrize(
    ("files", "tool", "credential"),
    [
        # the provider declared in a file read after the target's: linked once every resource is read
        (
            {"a_gateway.tf": GATEWAY_TF, "b_provider.tf": PROVIDER_TF},
            "aws_bedrockagentcore_gateway_target.contacts",
            "aws:aws_bedrockagentcore_oauth2_credential_provider.crm",
        ),
        ({"gateway.yaml": GATEWAY_CFN}, "gateway.yaml#Contacts", "aws:gateway.yaml#CrmProvider"),
    ],
)
def test_gateway_target_names_the_credential_it_is_called_with(
    tmp_path: Path, files: dict[str, str], tool: str, credential: str
) -> None:
    write_tree(tmp_path, files)
    document = _inventory(tmp_path)
    tools = [t for i in document["identities"] for t in i.get("tools", [])]
    assert [(t["address"], t.get("credential")) for t in tools] == [(tool, credential)]
    used = {c["id"]: c.get("used_by") for c in document["unowned_credentials"]}
    agent = next(i["id"] for i in document["identities"] if i.get("tools"))
    assert used[credential] == [{"tool": tool, "agent": agent}]


KEPT_IN_SECRET = """
resource "aws_secretsmanager_secret" "jira" {
  name = "agents/jira-oauth"
}

resource "aws_bedrockagentcore_oauth2_credential_provider" "jira" {
  name                       = "jira-tools"
  credential_provider_vendor = "CustomOauth2"
  oauth2_provider_config {
    custom_oauth2_provider_config {
      client_id = "agent-jira"
      client_secret_config {
        secret_id = aws_secretsmanager_secret.jira.arn
        json_key  = "client_secret"
      }
    }
  }
}
"""


def test_provider_kept_in_an_unrotated_secret_is_reported_once_on_the_secret(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": KEPT_IN_SECRET})
    provider = next(c for c in report.inventory.credentials if c.kind == "agent_oauth_client")
    assert provider.attribute("kept_in") == "aws:aws_secretsmanager_secret.jira"
    lifecycle = [
        (f.rule_id, f.identity, f.message) for f in report.findings if f.rule_id in ("NHI-EXP-001", "NHI-RET-001")
    ]
    reader = "(read by agent oauth client aws_bedrockagentcore_oauth2_credential_provider.jira)"
    assert lifecycle == [
        (
            "NHI-EXP-001",
            "aws:aws_secretsmanager_secret.jira",
            f"secret aws_secretsmanager_secret.jira {reader} never expires and is not rotated",
        ),
        (
            "NHI-RET-001",
            "aws:aws_secretsmanager_secret.jira",
            f"secret aws_secretsmanager_secret.jira {reader} has no retirement hook: it belongs to no identity of the "
            "scanned code and has no rotation, expiry or retire-on tag",
        ),
    ]
