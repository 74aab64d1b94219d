"""AgentCore gateway targets in CloudFormation (`AWS::BedrockAgentCore::GatewayTarget`): the same tool record
as the Terraform table's `gateway_target` (extract/terraform/ai.py).

The target is a tool of its gateway (`GatewayIdentifier`), called with the gateway's role, an API key or an
OAuth grant (`CredentialProviderConfigurations[]`, with its scopes); its operations come from the inline
OpenAPI document or Smithy JSON model (`InlinePayload`) or a Lambda target's inline tool definitions. A
gateway has no per-call confirmation, so no operation is confirmed; a schema in S3, an API Gateway stage
or an MCP server is not in the scanned code: unknown.
"""

from __future__ import annotations

from typing import Any

from nhilint.extract.agent_tools import (
    PROVIDER_ADDRESS,
    add_tool,
    function_operations,
    openapi_operations,
    smithy_operations,
)
from nhilint.extract.aws_links import PLATFORM
from nhilint.extract.cloudformation.base import Stack, link, text_of
from nhilint.model import Location
from nhilint.model_agents import AgentTool, ToolOperation
from nhilint.parse.cloudformation import Resource
from nhilint.values import LDict, Ref

OUTSIDE = "the tool schema is not in the scanned code (S3, an MCP server or an API Gateway stage)"
CREDENTIAL_KINDS = {"GATEWAY_IAM_ROLE": "gateway_iam_role", "API_KEY": "api_key", "OAUTH": "oauth"}


def gateway_target(stack: Stack, resource: Resource) -> None:
    props = stack.properties(resource)
    credential, attributes = _credential(props.get("CredentialProviderConfigurations"))
    mcp = props.get("TargetConfiguration")
    mcp = mcp.get("Mcp") if isinstance(mcp, dict) else None
    mcp = mcp if isinstance(mcp, LDict) else LDict(line=resource.location.start_line)
    function = mcp.get("Lambda")
    lambda_target = link(function.get("LambdaArn")) if isinstance(function, dict) else None
    operations, unknown, schema = _operations(stack, mcp, resource.location)
    name = props.get("Name")
    tool = AgentTool(
        agent=None,
        address=stack.address(resource.logical_id),
        location=resource.location,
        platform=PLATFORM,
        name=name if isinstance(name, str) else None,
        executor=lambda_target.address
        if isinstance(lambda_target, Ref)
        else text_of(lambda_target)
        if lambda_target is not None
        else None,
        operations=operations,
        schema=schema,
        unknown=unknown,
        attributes=(("credential", credential), ("confirmation", "unsupported"), *attributes),
    )
    add_tool(stack.builder, tool, link(props.get("GatewayIdentifier")), lambda_target)


def _credential(configurations: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    for configuration in configurations if isinstance(configurations, list) else []:
        if not isinstance(configuration, dict):
            continue
        kind = CREDENTIAL_KINDS.get(text_of(configuration.get("CredentialProviderType")), "unset")
        provider = configuration.get("CredentialProvider")
        provider = provider if isinstance(provider, dict) else {}
        details = provider.get("OauthCredentialProvider") or provider.get("ApiKeyCredentialProvider") or {}
        attributes: list[tuple[str, str]] = []
        if isinstance(details, dict):
            for prop, attribute in (("ProviderArn", "provider_arn"), ("Scopes", "scopes"), ("GrantType", "grant_type")):
                value = details.get(prop)
                if value is not None:
                    text = ",".join(text_of(v) for v in value) if isinstance(value, list) else text_of(value)
                    attributes.append((attribute, text))
            provider_arn = link(details.get("ProviderArn"))
            if isinstance(provider_arn, Ref):
                attributes.append((PROVIDER_ADDRESS, provider_arn.address))
        return kind, tuple(attributes)
    return "unset", ()


def _operations(stack: Stack, mcp: LDict, where: Location) -> tuple[tuple[ToolOperation, ...], str | None, str | None]:
    for prop, read in (("OpenApiSchema", openapi_operations), ("SmithyModel", smithy_operations)):
        schema = mcp.get(prop)
        if isinstance(schema, LDict) and "InlinePayload" in schema:
            payload = schema["InlinePayload"]
            if not isinstance(payload, str):
                return (), f"the {prop} payload is not a string known before deploy", "InlinePayload"
            line = schema.line_of("InlinePayload") + (1 if "\n" in payload else 0)
            operations, unknown, shown = read(payload, Location(stack.path, line, line), stack.builder.limits)
            return tuple(ToolOperation(o.name, o.changes_state, False, o.location) for o in operations), unknown, shown
    function = mcp.get("Lambda")
    tool_schema = function.get("ToolSchema") if isinstance(function, dict) else None
    tools = tool_schema.get("InlinePayload") if isinstance(tool_schema, dict) else None
    if isinstance(tools, list):
        return (
            function_operations((t.get("Name"), None, stack.span(t, where)) for t in tools if isinstance(t, dict)),
            None,
            "ToolSchema",
        )
    return (), OUTSIDE, None
