"""AgentCore Identity: workload identities are identities with an owner, credential providers are credentials
(plaintext in the template is a leak, a Secrets Manager dynamic reference is not), in both formats."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import scan_tree


def test_terraform_workload_identity(tmp_path: Path) -> None:
    files = {
        "main.tf": """
resource "aws_bedrockagentcore_workload_identity" "support" {
  name                                = "support-agent-prod"
  allowed_resource_oauth2_return_urls = ["https://support.acme.io/oauth/callback"]
  tags = {
    owner = "team-support"
  }
}
"""
    }
    inventory = scan_tree(tmp_path, files).inventory
    identity = inventory.identities["aws:aws_bedrockagentcore_workload_identity.support"]
    assert (identity.kind, identity.name, identity.attribute("identity_type")) == (
        "application",
        "support-agent-prod",
        "agentcore_workload_identity",
    )
    assert identity.lifecycle.owner is not None and identity.lifecycle.owner.value == "team-support"


def test_cloudformation_workload_identity_and_credential_providers(tmp_path: Path) -> None:
    template = """
Resources:
  SupportIdentity:
    Type: AWS::BedrockAgentCore::WorkloadIdentity
    Properties:
      Name: support-agent-prod
      AllowedResourceOauth2ReturnUrls: [https://support.acme.io/oauth/callback]
      Tags:
        - {Key: owner, Value: team-support}
  SearchKey:
    Type: AWS::BedrockAgentCore::APIKeyCredentialProvider
    Properties:
      Name: search-api
      ApiKey: sk-live-51HxAcmeSearchKey0000000000
  GithubClient:
    Type: AWS::BedrockAgentCore::OAuth2CredentialProvider
    Properties:
      Name: github-tools
      CredentialProviderVendor: GithubOauth2
      Oauth2ProviderConfigInput:
        GithubOauth2ProviderConfig:
          ClientId: Iv1.8a61f9b3a7aba766
          ClientSecret: "{{resolve:secretsmanager:agents/github-client:SecretString:client_secret}}"
"""
    report = scan_tree(tmp_path, {"agentcore.yaml": template})
    identity = report.inventory.identities["aws:agentcore.yaml#SupportIdentity"]
    assert identity.kind == "application" and identity.lifecycle.owner is not None
    assert identity.attribute("allowed_resource_oauth2_return_urls") == "https://support.acme.io/oauth/callback"
    credentials = {c.address: c for c in report.inventory.credentials}
    assert credentials["agentcore.yaml#SearchKey"].kind == "agent_api_key"
    github = credentials["agentcore.yaml#GithubClient"]
    assert (github.kind, github.attribute("credential_provider_vendor")) == ("agent_oauth_client", "GithubOauth2")
    leaks = [(f.location.start_line, f.address) for f in report.findings if f.rule_id == "NHI-CRED-002"]
    assert leaks == [(13, "agentcore.yaml#SearchKey")]
    assert "sk-live" not in "".join(f.message + f.evidence for f in report.findings)
