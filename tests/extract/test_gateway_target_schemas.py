"""AgentCore gateway targets: their tools are read from an inline or `file()` OpenAPI document, a Smithy JSON
model or a Lambda target's inline tool definitions; in S3 they stay unknown."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import scan_tree

GATEWAY = """
resource "aws_bedrockagentcore_gateway" "support" {
  name            = "support-tools"
  role_arn        = "arn:aws:iam::111122223333:role/support-gateway"
  authorizer_type = "AWS_IAM"
  protocol_type   = "MCP"
}
"""

SMITHY = """{
  "smithy": "2.0",
  "shapes": {
    "acme.tickets#GetTicket": {
      "type": "operation",
      "traits": {"smithy.api#readonly": {}, "smithy.api#http": {"method": "GET", "uri": "/tickets/{id}"}}
    },
    "acme.tickets#CloseTicket": {
      "type": "operation",
      "traits": {"smithy.api#http": {"method": "POST", "uri": "/tickets/{id}/close"}}
    },
    "acme.tickets#Ticket": {"type": "structure", "members": {}}
  }
}
"""

OPENAPI = """openapi: 3.0.0
info: {title: Orders, version: "1.0"}
paths:
  /orders/{id}:
    get:
      operationId: getOrder
    delete:
      operationId: cancelOrder
      x-requireConfirmation: ENABLED
"""


def _inline(block: str, payload: str) -> str:
    return f"      {block} {{\n        inline_payload {{\n          payload = {payload}\n        }}\n      }}"


def _target(name: str, body: str) -> str:
    return f"""
resource "aws_bedrockagentcore_gateway_target" "{name}" {{
  name               = "{name}"
  gateway_identifier = aws_bedrockagentcore_gateway.support.gateway_id
  credential_provider_configuration {{
    gateway_iam_role {{}}
  }}
  target_configuration {{
    mcp {{
{body}
    }}
  }}
}}
"""


def test_gateway_target_schemas(tmp_path: Path) -> None:
    main = (
        GATEWAY
        + _target(
            "orders",
            _inline("open_api_schema", 'file("${path.module}/orders.yaml")'),
        )
        + _target(
            "tickets",
            _inline("smithy_model", 'file("tickets.json")'),
        )
        + _target(
            "refunds",
            '      lambda {\n        lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:refunds"\n'
            '        tool_schema {\n          inline_payload {\n            name        = "issue_refund"\n'
            '            description = "Refund an order"\n          }\n        }\n      }',
        )
        + _target(
            "crm",
            '      open_api_schema {\n        s3 {\n          uri = "s3://acme-tools/crm.json"\n        }\n      }',
        )
    )
    report = scan_tree(tmp_path, {"main.tf": main, "orders.yaml": OPENAPI, "tickets.json": SMITHY})
    tools = {t.name: t for t in report.inventory.agent_tools}
    ops = {name: [(o.name, o.changes_state, o.confirmed) for o in tools[name].operations] for name in tools}
    # x-requireConfirmation is a Bedrock Agents extension: a gateway does not honour it
    assert ops["orders"] == [("GET /orders/{id}", False, False), ("DELETE /orders/{id}", True, False)]
    assert ops["tickets"] == [("GET /tickets/{id}", False, False), ("POST /tickets/{id}/close", True, False)]
    assert ops["refunds"] == [("issue_refund", True, False)]
    assert tools["crm"].unknown is not None and tools["crm"].operations == ()
    assert tools["tickets"].operations[1].location.path == "tickets.json"
    assert tools["tickets"].operations[1].location.start_line == 8
    findings = sorted(
        (f.location.path, f.location.start_line, f.unknown) for f in report.findings if f.rule_id == "NHI-AGENT-003"
    )
    assert findings == [
        ("main.tf", 53, False),
        ("main.tf", 63, True),
        ("orders.yaml", 7, False),
        ("tickets.json", 8, False),
    ]
    messages = [f.message for f in report.findings if f.rule_id == "NHI-AGENT-003" and not f.unknown]
    assert all("cannot ask a human to confirm" in m for m in messages)


def test_unparseable_smithy_model_is_unknown(tmp_path: Path) -> None:
    main = GATEWAY + _target(
        "tickets",
        _inline("smithy_model", '"namespace acme.tickets"'),
    )
    [tool] = scan_tree(tmp_path, {"main.tf": main}).inventory.agent_tools
    assert tool.operations == () and tool.unknown is not None and "Smithy" in tool.unknown


def test_cloudformation_gateway_targets(tmp_path: Path) -> None:
    template = """
Resources:
  Gateway:
    Type: AWS::BedrockAgentCore::Gateway
    Properties:
      Name: support-tools
      RoleArn: arn:aws:iam::111122223333:role/support-gateway
      AuthorizerType: AWS_IAM
      ProtocolType: MCP
  Orders:
    Type: AWS::BedrockAgentCore::GatewayTarget
    Properties:
      Name: orders
      GatewayIdentifier: !GetAtt Gateway.GatewayIdentifier
      CredentialProviderConfigurations:
        - CredentialProviderType: GATEWAY_IAM_ROLE
      TargetConfiguration:
        Mcp:
          OpenApiSchema:
            InlinePayload: |
              openapi: 3.0.0
              info: {title: Orders, version: "1.0"}
              paths:
                /orders/{id}:
                  get: {operationId: getOrder}
                  delete: {operationId: cancelOrder}
  Refunds:
    Type: AWS::BedrockAgentCore::GatewayTarget
    Properties:
      Name: refunds
      GatewayIdentifier: !Ref Gateway
      TargetConfiguration:
        Mcp:
          Lambda:
            LambdaArn: arn:aws:lambda:eu-west-1:111122223333:function:refunds
            ToolSchema:
              InlinePayload:
                - Name: issue_refund
                  Description: Refund an order
                  InputSchema: {Type: object}
"""
    report = scan_tree(tmp_path, {"tools.yaml": template})
    gateway = report.inventory.identities["aws:tools.yaml#Gateway"]
    tools = {t.name: t for t in report.inventory.agent_tools}
    assert {t.agent for t in tools.values()} == {gateway.id}
    assert tools["orders"].attribute("credential") == "gateway_iam_role"
    ops = {name: [(o.name, o.changes_state, o.confirmed) for o in tools[name].operations] for name in tools}
    assert ops == {
        "orders": [("GET /orders/{id}", False, False), ("DELETE /orders/{id}", True, False)],
        "refunds": [("issue_refund", True, False)],
    }
    findings = sorted((f.location.start_line, f.unknown) for f in report.findings if f.rule_id == "NHI-AGENT-003")
    assert findings == [(25, False), (37, False)]
