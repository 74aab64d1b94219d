"""Bedrock multi-agent collaboration: a supervisor calls collaborator agents through their aliases, so each
collaborator is a tool of the supervisor that runs as the collaborating agent, and the supervisor's blast
radius takes in the collaborator's role and tools."""

from __future__ import annotations

from pathlib import Path

from nhilint.analyse.blast import compute
from tests.helpers import scan_tree

SUPERVISOR = """
resource "aws_iam_role" "supervisor" {
  name               = "orders-supervisor"
  assume_role_policy = "{}"
}

resource "aws_iam_role" "billing" {
  name               = "billing-agent"
  assume_role_policy = "{}"
}

resource "aws_bedrockagent_agent" "supervisor" {
  agent_name              = "orders-supervisor"
  agent_resource_role_arn = aws_iam_role.supervisor.arn
  foundation_model        = "anthropic.claude-3-5-sonnet-20241022-v2:0"
  agent_collaboration     = "SUPERVISOR"
}

resource "aws_bedrockagent_agent" "billing" {
  agent_name              = "billing"
  agent_resource_role_arn = aws_iam_role.billing.arn
  foundation_model        = "anthropic.claude-3-5-haiku-20241022-v1:0"
}

resource "aws_bedrockagent_agent_alias" "billing_live" {
  agent_alias_name = "live"
  agent_id         = aws_bedrockagent_agent.billing.agent_id
}

resource "aws_bedrockagent_agent_collaborator" "billing" {
  agent_id                   = aws_bedrockagent_agent.supervisor.agent_id
  collaboration_instruction  = "Ask the billing agent about invoices and refunds."
  collaborator_name          = "billing"
  relay_conversation_history = "TO_COLLABORATOR"
  agent_descriptor {
    alias_arn = aws_bedrockagent_agent_alias.billing_live.agent_alias_arn
  }
}

resource "aws_bedrockagent_agent_collaborator" "partner" {
  agent_id          = aws_bedrockagent_agent.supervisor.agent_id
  collaborator_name = "partner"
  agent_descriptor {
    alias_arn = "arn:aws:bedrock:eu-west-1:444455556666:agent-alias/PARTNER01/LIVE0001"
  }
}
"""


def test_terraform_collaborator_is_a_tool_running_as_the_collaborating_agent(tmp_path: Path) -> None:
    inventory = scan_tree(tmp_path, {"main.tf": SUPERVISOR}).inventory
    supervisor = inventory.identities["aws:aws_bedrockagent_agent.supervisor"]
    billing = inventory.identities["aws:aws_bedrockagent_agent.billing"]
    assert supervisor.attribute("agent_collaboration") == "SUPERVISOR"
    assert billing.attribute("aliases") == "live"
    tools = {t.address: t for t in inventory.agent_tools}
    tool = tools["aws_bedrockagent_agent_collaborator.billing"]
    assert (tool.agent, tool.runs_as, tool.name) == (supervisor.id, billing.id, "billing")
    assert tool.executor == "aws_bedrockagent_agent_alias.billing_live"
    assert tool.attribute("tool_type") == "agent collaborator" and tool.operations == () and tool.unknown is None
    partner = tools["aws_bedrockagent_agent_collaborator.partner"]
    assert partner.agent == supervisor.id and not isinstance(partner.runs_as, str)  # outside the code: Unknown
    routes = {r.target: r.edges[0].how for r in compute(inventory).routes(supervisor.id)}
    assert routes["aws:aws_iam_role.supervisor"] == "runs as"
    assert routes[billing.id] == "through tool aws_bedrockagent_agent_collaborator.billing"
    assert "aws:aws_iam_role.billing" in routes  # reached through the collaborating agent


def test_cloudformation_agent_collaborators(tmp_path: Path) -> None:
    template = """
Resources:
  SupervisorRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
  BillingRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
  Billing:
    Type: AWS::Bedrock::Agent
    Properties:
      AgentName: billing
      AgentResourceRoleArn: !GetAtt BillingRole.Arn
      FoundationModel: anthropic.claude-3-5-haiku-20241022-v1:0
  BillingLive:
    Type: AWS::Bedrock::AgentAlias
    Properties:
      AgentAliasName: live
      AgentId: !GetAtt Billing.AgentId
  Supervisor:
    Type: AWS::Bedrock::Agent
    Properties:
      AgentName: orders-supervisor
      AgentResourceRoleArn: !GetAtt SupervisorRole.Arn
      FoundationModel: anthropic.claude-3-5-sonnet-20241022-v2:0
      AgentCollaboration: SUPERVISOR
      AgentCollaborators:
        - CollaboratorName: billing
          CollaborationInstruction: Ask the billing agent about invoices.
          AgentDescriptor:
            AliasArn: !GetAtt BillingLive.AgentAliasArn
"""
    inventory = scan_tree(tmp_path, {"agents.yaml": template}).inventory
    supervisor = inventory.identities["aws:agents.yaml#Supervisor"]
    billing = inventory.identities["aws:agents.yaml#Billing"]
    assert billing.attribute("aliases") == "live"
    [tool] = [t for t in inventory.agent_tools if t.attribute("tool_type") == "agent collaborator"]
    assert (tool.agent, tool.runs_as, tool.location.start_line) == (supervisor.id, billing.id, 29)
    routes = {r.target for r in compute(inventory).routes(supervisor.id)}
    assert {billing.id, "aws:agents.yaml#BillingRole", "aws:agents.yaml#SupervisorRole"} <= routes
