"""AI agents: Bedrock agents and their tools, AgentCore, Vertex reasoning engines, Azure AI keys — the links
an agent has to the identity it runs as and to each tool's identity, and schemas read fail-closed."""

from __future__ import annotations

import json
from pathlib import Path

from nhilint.analyse.blast import compute
from nhilint.api import ScanOptions, scan
from nhilint.model_agents import AgentTool
from tests.helpers import config_for, scan_tree, write_tree

ROLES = """
resource "aws_iam_role" "agent" {
  name               = "support-agent"
  assume_role_policy = "{}"
}

resource "aws_iam_role" "fn" {
  name               = "support-fn"
  assume_role_policy = "{}"
}

resource "aws_lambda_function" "refunds" {
  function_name = "refunds"
  role          = aws_iam_role.fn.arn
  handler       = "main.handler"
  runtime       = "python3.12"
  filename      = "refunds.zip"
}

resource "aws_bedrockagent_agent" "support" {
  agent_name              = "support"
  agent_resource_role_arn = aws_iam_role.agent.arn
  foundation_model        = "anthropic.claude-3-5-sonnet-20240620-v1:0"
  tags = {
    owner = "team-support"
  }
}
"""

REFUNDS_GROUP = """
resource "aws_bedrockagent_agent_action_group" "refunds" {
  action_group_name = "refunds"
  agent_id          = aws_bedrockagent_agent.support.agent_id
  agent_version     = "DRAFT"
  action_group_executor {
    lambda = aws_lambda_function.refunds.arn
  }
  api_schema {
    payload = %s
  }
}
"""


def _tools(files: dict[str, str], root: Path) -> dict[str, AgentTool]:
    report = scan_tree(root, files)
    return {t.address: t for t in report.inventory.agent_tools}


def test_agent_runs_as_its_role_and_reaches_its_tools_role(tmp_path: Path) -> None:
    payload = 'jsonencode({ openapi = "3.0.0", paths = { "/refunds" = { post = { operationId = "refund" } } } })'
    report = scan_tree(tmp_path, {"main.tf": ROLES + REFUNDS_GROUP % payload})
    inventory = report.inventory
    agent = inventory.identities["aws:aws_bedrockagent_agent.support"]
    assert (agent.kind, agent.name, agent.attribute("agent_type")) == ("ai_agent", "support", "bedrock_agent")
    assert agent.lifecycle.owner is not None and agent.lifecycle.owner.value == "team-support"
    used = sorted((u.identity, u.kind) for u in inventory.usages if u.workload == agent.address)
    assert used == [("aws:aws_iam_role.agent", "aws_bedrockagent_agent"), ("aws:aws_iam_role.fn", "ai_agent_tool")]
    [tool] = inventory.agent_tools
    assert (tool.agent, tool.executor, tool.runs_as) == (agent.id, "aws_lambda_function.refunds", "aws:aws_iam_role.fn")
    assert [(o.name, o.changes_state, o.confirmed) for o in tool.operations] == [("POST /refunds", True, False)]
    blast = compute(inventory)  # the agent's blast radius includes both roles
    routes = {r.target: r.edges[0].how for r in blast.routes(agent.id)}
    assert routes == {
        "aws:aws_iam_role.agent": "runs as",
        "aws:aws_iam_role.fn": "through tool aws_bedrockagent_agent_action_group.refunds",
    }


def test_schema_file_lines_and_confirmation(tmp_path: Path) -> None:
    schema = (
        "openapi: 3.0.0\n"
        "paths:\n"
        "  /refunds:\n"
        "    get: {operationId: list}\n"
        "    head: {operationId: exists}\n"
        "    put:\n"
        "      operationId: replace\n"
        "      x-requireConfirmation: enabled\n"
        "    delete: {operationId: cancel, x-requireConfirmation: DISABLED}\n"
    )
    files = {"main.tf": ROLES + REFUNDS_GROUP % 'file("${path.module}/api/refunds.yaml")', "api/refunds.yaml": schema}
    tool = _tools(files, tmp_path)["aws_bedrockagent_agent_action_group.refunds"]
    assert tool.schema == "api/refunds.yaml"
    assert [(o.name, o.changes_state, o.confirmed, str(o.location)) for o in tool.operations] == [
        ("GET /refunds", False, False, "api/refunds.yaml:4"),
        ("PUT /refunds", True, True, "api/refunds.yaml:6"),
        ("DELETE /refunds", True, False, "api/refunds.yaml:9"),
        ("HEAD /refunds", False, False, "api/refunds.yaml:5"),
    ]


def test_unreadable_schemas_are_unknown_never_empty(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("paths: {/x: {post: {}}}\n", encoding="utf-8")
    root = tmp_path / "repo"
    files = {
        "main.tf": ROLES
        + REFUNDS_GROUP % '"paths: [unclosed"'
        + REFUNDS_GROUP.replace('"refunds" {', '"outside" {', 1) % 'file("../outside.yaml")'
        + REFUNDS_GROUP.replace('"refunds" {', '"computed" {', 1) % "var.schema"
        + REFUNDS_GROUP.replace('"refunds" {', '"no_paths" {', 1) % '"openapi: 3.0.0"'
    }
    tools = _tools(files, root)
    reasons = {address.rsplit(".", 1)[1]: tool.unknown or "" for address, tool in tools.items()}
    assert "could not be parsed" in reasons["refunds"]
    assert "outside the scan root" in reasons["outside"]
    assert "could not be read" in reasons["computed"]
    assert "has no `paths`" in reasons["no_paths"]
    assert all(not tool.operations for tool in tools.values())
    report = scan_tree(root, files)
    unknown = [f for f in report.findings if f.rule_id == "NHI-AGENT-003"]
    assert len(unknown) == 4 and all(f.unknown for f in unknown)
    assert all("paths: [unclosed" not in f.message for f in unknown)  # the schema text is never quoted


def test_vertex_agentcore_and_azure(tmp_path: Path) -> None:
    files = {
        "main.tf": """
resource "google_service_account" "triage" {
  account_id = "triage-agent"
}

resource "google_vertex_ai_reasoning_engine" "own" {
  display_name = "own"
  spec {
    service_account = google_service_account.triage.email
  }
}

resource "google_vertex_ai_reasoning_engine" "default" {
  display_name = "default"
}

resource "aws_iam_role" "runtime" {
  name               = "runtime"
  assume_role_policy = "{}"
}

resource "aws_bedrockagentcore_agent_runtime" "support" {
  agent_runtime_name = "support"
  role_arn           = aws_iam_role.runtime.arn
  authorizer_configuration {
    custom_jwt_authorizer {
      discovery_url   = "https://login.acme.example/.well-known/openid-configuration"
      allowed_clients = ["support-web"]
    }
  }
}

resource "aws_bedrockagentcore_gateway" "tools" {
  name            = "tools"
  role_arn        = aws_iam_role.runtime.arn
  authorizer_type = "AWS_IAM"
  protocol_type   = "MCP"
}

resource "aws_bedrockagentcore_gateway_target" "crm" {
  name               = "crm"
  gateway_identifier = aws_bedrockagentcore_gateway.tools.gateway_id
  credential_provider_configuration {
    oauth {
      provider_arn = "arn:aws:bedrock-agentcore:eu-west-1:111122223333:token-vault/default/oauth2credentialprovider/crm"
      scopes       = ["crm.read", "crm.write"]
    }
  }
}

resource "azurerm_cognitive_account" "keyless" {
  name               = "keyless"
  kind               = "OpenAI"
  local_auth_enabled = false
}

resource "azurerm_cognitive_account" "computed" {
  name               = "computed"
  kind               = "OpenAI"
  local_auth_enabled = var.allow_keys
}
"""
    }
    inventory = scan_tree(tmp_path, files).inventory
    identities = inventory.identities
    own = identities["gcp:google_vertex_ai_reasoning_engine.own"]
    default = identities["gcp:google_vertex_ai_reasoning_engine.default"]
    assert own.attribute("default_identity") is None
    assert [u.identity for u in inventory.usages if u.workload == own.address] == ["gcp:google_service_account.triage"]
    assert default.attribute("default_identity") == "Vertex AI Reasoning Engine service agent"
    runtime = identities["aws:aws_bedrockagentcore_agent_runtime.support"]
    gateway = identities["aws:aws_bedrockagentcore_gateway.tools"]
    assert (runtime.kind, runtime.attribute("inbound_auth")) == ("ai_agent", "CUSTOM_JWT")
    assert (gateway.attribute("inbound_auth"), gateway.attribute("protocol_type")) == ("AWS_IAM", "MCP")
    [target] = inventory.agent_tools
    assert target.agent == gateway.id
    assert (target.attribute("credential"), target.attribute("scopes")) == ("oauth", "crm.read,crm.write")
    keys = {c.address: c.attribute("local_auth_enabled") for c in inventory.credentials if c.kind == "ai_api_key"}
    assert list(keys) == ["azurerm_cognitive_account.computed"]
    assert (keys["azurerm_cognitive_account.computed"] or "").startswith("unknown")


def test_cloudformation_action_groups(tmp_path: Path) -> None:
    template = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
  FnRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt FnRole.Arn
      Handler: index.handler
      Runtime: python3.12
      Code: {ZipFile: "def handler(e, c): return e"}
  Agent:
    Type: AWS::Bedrock::Agent
    Properties:
      AgentName: catalog
      AgentResourceRoleArn: !GetAtt Role.Arn
      Tags: {owner: team-catalog}
      ActionGroups:
        - ActionGroupName: catalog
          ActionGroupExecutor: {Lambda: !GetAtt Fn.Arn}
          ApiSchema: {S3: {S3BucketName: acme-schemas, S3ObjectKey: catalog.yaml}}
"""
    inventory = scan_tree(tmp_path, {"template.yaml": template}).inventory
    agent = inventory.identities["aws:template.yaml#Agent"]
    assert agent.lifecycle.owner is not None and agent.lifecycle.owner.value == "team-catalog"
    [tool] = inventory.agent_tools
    assert (tool.agent, tool.runs_as, tool.schema) == (agent.id, "aws:template.yaml#FnRole", "s3")
    assert tool.unknown is not None and "S3" in tool.unknown


def test_plan_agents_and_tools(tmp_path: Path) -> None:
    """A plan describes the agent and its tool with the action group's agent_id known only after apply."""
    schema = json.dumps({"openapi": "3.0.0", "paths": {"/orders": {"delete": {"operationId": "cancel"}}}})
    changes = [
        _change("aws_iam_role.agent", {"name": "agent", "assume_role_policy": "{}", "tags": None}),
        _change(
            "aws_bedrockagent_agent.support",
            {"agent_name": "support", "agent_resource_role_arn": None, "tags": {"owner": "team-support"}},
            {"agent_resource_role_arn": True, "agent_id": True},
        ),
        _change(
            "aws_bedrockagent_agent_action_group.orders",
            {
                "action_group_name": "orders",
                "agent_id": None,
                "agent_version": "DRAFT",
                "action_group_executor": [{"custom_control": "RETURN_CONTROL", "lambda": None}],
                "api_schema": [{"payload": schema, "s3": []}],
            },
            {"agent_id": True},
        ),
    ]
    configuration = {
        "root_module": {
            "resources": [
                _config("aws_bedrockagent_agent.support", {"agent_resource_role_arn": ["aws_iam_role.agent.arn"]}),
                _config(
                    "aws_bedrockagent_agent_action_group.orders",
                    {"agent_id": ["aws_bedrockagent_agent.support.agent_id"]},
                    action_group_name={"constant_value": "orders"},
                    action_group_executor=[{"custom_control": {"constant_value": "RETURN_CONTROL"}}],
                    api_schema=[{"payload": {}}],  # file(...): Terraform writes no value for a function call
                ),
            ]
        }
    }
    plan = {"format_version": "1.2", "terraform_version": "1.11.0", "resource_changes": changes}
    plan["configuration"] = configuration
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    write_tree(tmp_path, {})
    report = scan([], config_for(tmp_path), tmp_path, options=ScanOptions(plans=(path,)))
    inventory = report.inventory
    agent = inventory.identities["aws:aws_bedrockagent_agent.support"]
    assert [u.identity for u in inventory.usages if u.workload == agent.address] == ["aws:aws_iam_role.agent"]
    [tool] = inventory.agent_tools
    assert (tool.agent, [o.name for o in tool.operations]) == (agent.id, ["DELETE /orders"])
    assert [f.rule_id for f in report.findings if f.rule_id == "NHI-AGENT-003"] == ["NHI-AGENT-003"]


def _change(address: str, after: dict[str, object], unknown: dict[str, object] | None = None) -> dict[str, object]:
    type_, name = address.split(".")
    return {
        "address": address,
        "mode": "managed",
        "type": type_,
        "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown or {}},
    }


def _config(address: str, references: dict[str, list[str]], **expressions: object) -> dict[str, object]:
    type_, name = address.split(".")
    return {
        "address": address,
        "mode": "managed",
        "type": type_,
        "name": name,
        "provider_config_key": "aws",
        "expressions": {**{key: {"references": refs} for key, refs in references.items()}, **expressions},
    }


def test_credential_providers_plaintext_and_write_only(tmp_path: Path) -> None:
    files = {
        "main.tf": """
resource "aws_bedrockagentcore_oauth2_credential_provider" "github" {
  name                       = "github-tools"
  credential_provider_vendor = "GithubOauth2"
  oauth2_provider_config {
    github_oauth2_provider_config {
      client_id     = "Iv1.8a61f9b3a7aba766"
      client_secret = "0123456789abcdef0123456789abcdef01234567"
    }
  }
}

resource "aws_bedrockagentcore_oauth2_credential_provider" "slack" {
  name                       = "slack-tools"
  credential_provider_vendor = "SlackOauth2"
  oauth2_provider_config {
    slack_oauth2_provider_config {
      client_id_wo             = var.slack_client_id
      client_secret_wo         = var.slack_client_secret
      client_secret_wo_version = 2
    }
  }
}

resource "aws_bedrockagentcore_api_key_credential_provider" "search" {
  name    = "search-api"
  api_key = var.search_api_key
}
"""
    }
    report = scan_tree(tmp_path, files)
    credentials = {c.address: c for c in report.inventory.credentials}
    github = credentials["aws_bedrockagentcore_oauth2_credential_provider.github"]
    slack = credentials["aws_bedrockagentcore_oauth2_credential_provider.slack"]
    search = credentials["aws_bedrockagentcore_api_key_credential_provider.search"]
    assert (github.kind, github.attribute("in_state"), str(github.secret_in_code)) == (
        "agent_oauth_client",
        "true",
        "main.tf:7",
    )
    assert (slack.attribute("in_state"), slack.attribute("write_only"), slack.secret_in_code) == ("false", "true", None)
    assert (search.kind, search.attribute("in_state"), search.secret_in_code) == ("agent_api_key", "true", None)
    leaks = [(f.location.start_line, f.address) for f in report.findings if f.rule_id == "NHI-CRED-002"]
    assert leaks == [(7, "aws_bedrockagentcore_oauth2_credential_provider.github")]
    assert "0123456789abcdef" not in "".join(f.message + f.evidence for f in report.findings)


def test_cloudformation_agentcore(tmp_path: Path) -> None:
    template = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  RuntimeRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
  Runtime:
    Type: AWS::BedrockAgentCore::Runtime
    Properties:
      AgentRuntimeName: partner_assistant
      RoleArn: !GetAtt RuntimeRole.Arn
      Tags: {owner: team-partners}
  Gateway:
    Type: AWS::BedrockAgentCore::Gateway
    Properties:
      Name: partner-tools
      RoleArn: !GetAtt RuntimeRole.Arn
      AuthorizerType: AWS_IAM
"""
    inventory = scan_tree(tmp_path, {"template.yaml": template}).inventory
    runtime = inventory.identities["aws:template.yaml#Runtime"]
    gateway = inventory.identities["aws:template.yaml#Gateway"]
    assert (runtime.kind, runtime.attribute("inbound_auth"), runtime.name) == (
        "ai_agent",
        "AWS_IAM",
        "partner_assistant",
    )
    assert runtime.lifecycle.owner is not None and runtime.lifecycle.owner.value == "team-partners"
    assert gateway.attribute("inbound_auth") == "AWS_IAM"
    users = sorted(u.workload for u in inventory.usages_of("aws:template.yaml#RuntimeRole"))
    assert users == ["template.yaml#Gateway", "template.yaml#Runtime"]
