"""AI agents (Terraform): Bedrock agents and their action groups, AgentCore runtimes and gateways, Vertex AI
reasoning engines, and the API keys of Azure AI accounts.

An agent acts on the company's behalf, so it is an identity (kind `ai_agent`) with an owner, an expiry and
a retirement hook like any other (the one lifecycle resolver reads its tags and comments). It is linked to:
- the identity it runs as, as a Usage (the Bedrock agent's `agent_resource_role_arn`, a runtime's or
  gateway's `role_arn`, a reasoning engine's `spec.service_account`). A reasoning engine without one runs as
  the project's Vertex AI Reasoning Engine service agent, shared by every agent of the project: recorded as
  the attribute `default_identity`;
- each tool it can call (an `AgentTool`: an action group, a gateway target, a collaborating agent), with the
  workload that runs the tool (a Lambda) and, through it, the identity that workload runs as: the agent
  reaches what that role can do, so it is recorded as a Usage of that role by the agent too (kind `ai_agent_tool`).
An Azure AI account with local auth enabled (the default) has static API keys: one Credential
(`ai_api_key`) stands for them. The API keys and OAuth clients of AgentCore credential providers are
Credentials too (`agent_api_key`, `agent_oauth_client`), kept in the state unless written write-only.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Final

from nhilint.extract.agent_tools import (
    COLLABORATOR,
    PROVIDER_ADDRESS,
    AgentAlias,
    add_alias,
    add_collaborator,
    add_tool,
    function_operations,
    link_collaborators,
    link_tools,
    openapi_operations,
    smithy_operations,
)
from nhilint.extract.aws_links import ROLE
from nhilint.extract.builder import Builder
from nhilint.extract.common import add_identity, identity_id, ref_or_text
from nhilint.extract.terraform.ai_credentials import credential_provider, provider_secrets
from nhilint.extract.terraform.gcp import find_sa, sa_link
from nhilint.extract.terraform.table import PlatformTable
from nhilint.model import Credential, Location, Unknown, Usage
from nhilint.model_agents import AgentTool, ToolOperation
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import Encoded, Ref, to_text

AWS: Final = "aws"
GCP: Final = "gcp"
AZURE: Final = "azure"
LAMBDA = "aws_lambda_function"
VERTEX_SERVICE_AGENT = "Vertex AI Reasoning Engine service agent"
# the argument that switches an Azure AI account's API keys off, per resource type
LOCAL_AUTH = {"azurerm_cognitive_account": "local_auth_enabled", "azurerm_ai_services": "local_authentication_enabled"}


# -- agents ----------------------------------------------------------------------------------------


def bedrock_agent(resource: TfResource, builder: Builder) -> None:
    attributes = (("agent_type", "bedrock_agent"), *_texts(resource, "foundation_model", "agent_collaboration"))
    add_identity(resource, builder, "ai_agent", AWS, name_attr="agent_name", default_tags=True, attributes=attributes)
    _runs_as_role(resource, builder, "agent_resource_role_arn")


def agentcore_runtime(resource: TfResource, builder: Builder) -> None:
    """A runtime without `authorizer_configuration` takes IAM (SigV4) callers only."""
    jwt = [b for a in resource.blocks("authorizer_configuration") for b in a.blocks("custom_jwt_authorizer")]
    attributes = (("agent_type", "agentcore_runtime"), ("inbound_auth", "CUSTOM_JWT" if jwt else "AWS_IAM"))
    add_identity(
        resource, builder, "ai_agent", AWS, name_attr="agent_runtime_name", default_tags=True, attributes=attributes
    )
    _runs_as_role(resource, builder, "role_arn")


def agentcore_gateway(resource: TfResource, builder: Builder) -> None:
    attributes = (
        ("agent_type", "agentcore_gateway"),
        ("inbound_auth", _text(resource.get("authorizer_type")) if resource.has("authorizer_type") else "unset"),
        *_texts(resource, "protocol_type"),
    )
    add_identity(resource, builder, "ai_agent", AWS, default_tags=True, attributes=attributes)
    _runs_as_role(resource, builder, "role_arn")


def workload_identity(resource: TfResource, builder: Builder) -> None:
    """An AgentCore workload identity: what an agent presents to the AgentCore token vault to obtain the OAuth
    tokens and API keys of the credential providers. A runtime gets one of its own, created by the service
    (no argument links a runtime to a declared one); a declared one serves agents hosted elsewhere."""
    attributes = (
        ("identity_type", "agentcore_workload_identity"),
        *_texts(resource, "allowed_resource_oauth2_return_urls"),
    )
    add_identity(resource, builder, "application", AWS, default_tags=True, attributes=attributes)


def reasoning_engine(resource: TfResource, builder: Builder) -> None:
    """Without `spec.service_account` the engine runs as the project's shared Reasoning Engine service agent."""
    specs = resource.blocks("spec")
    account = specs[0].get("service_account") if specs and specs[0].has("service_account") else None
    attributes: tuple[tuple[str, str], ...] = (("agent_type", "vertex_reasoning_engine"),)
    if account is None:
        attributes += (("default_identity", VERTEX_SERVICE_AGENT),)
    else:
        attributes += (("service_account", _text(account)),)
    identity = add_identity(
        resource, builder, "ai_agent", GCP, name_attr="display_name", tags_attr=None, attributes=attributes
    )
    found = find_sa(builder, sa_link(account)) if account is not None else None
    if isinstance(found, str):
        builder.add_usage(Usage(found, identity.address, resource.type, resource.location), None, (), GCP)


def ai_account(resource: TfResource, builder: Builder) -> None:
    """Local auth (`local_auth_enabled` on a cognitive account, `local_authentication_enabled` on AI Services)
    defaults to true: the account then has two static API keys anyone holding can use."""
    local = resource.get(LOCAL_AUTH.get(resource.type, "local_auth_enabled"), True)
    if isinstance(local, str) and local.strip().lower() in ("true", "false"):  # a string-typed variable
        local = local.strip().lower() == "true"
    if local is False:
        return
    reason = local.reason if isinstance(local, Unknown) else f"{_text(local)} is not a boolean known before apply"
    known = "true" if local is True else f"unknown: {reason}"
    tags = resource.get("tags") if resource.has("tags") else None
    credential = Credential(
        id=f"{identity_id(AZURE, resource.address)}#keys",
        kind="ai_api_key",
        platform=AZURE,
        address=resource.address,
        location=resource.location,
        lifecycle=builder.lifecycle(resource.location, tags, tags_at=resource.at("tags")),
        attributes=(("local_auth_enabled", known), *_texts(resource, "kind", "name")),
    )
    builder.add_credential(credential, None, ())


def _runs_as_role(resource: TfResource, builder: Builder, attr: str) -> None:
    target = ref_or_text(resource.get(attr))
    if target is not None and not isinstance(target, Unknown):
        builder.add_usage(Usage("", resource.address, resource.type, resource.location), target, ROLE, AWS)


# -- tools -----------------------------------------------------------------------------------------


def action_group(resource: TfResource, builder: Builder) -> None:
    """A tool of a Bedrock agent: run by a Lambda or returned to the caller, described by an OpenAPI or a
    function schema. Built-in groups (`parent_action_group_signature`: user input, code interpreter) are not."""
    if resource.has("parent_action_group_signature"):
        return
    executors = resource.blocks("action_group_executor")
    lambda_target = ref_or_text(executors[0].get("lambda")) if executors and executors[0].has("lambda") else None
    executor = _executor(lambda_target, executors[0] if executors else None)
    operations: tuple[ToolOperation, ...] = ()
    unknown = schema = None
    for api in resource.blocks("api_schema"):
        if api.has("payload"):
            operations, unknown, schema = _payload_operations(api, builder)
        elif api.blocks("s3"):
            schema, unknown = "s3", "the OpenAPI schema is in S3; its operations are not in the scanned code"
    for functions in resource.blocks("function_schema"):
        schema = "function_schema"
        operations += function_operations(
            (f.get("name"), f.get("require_confirmation"), f.location)
            for member in functions.blocks("member_functions")
            for f in member.blocks("functions")
        )
    state = _text(resource.get("action_group_state")) if resource.has("action_group_state") else "ENABLED"
    tool = AgentTool(
        agent=None,
        address=resource.address,
        location=resource.location,
        platform=AWS,
        name=_name(resource.get("action_group_name")),
        executor=executor,
        operations=operations,
        schema=schema,
        unknown=unknown,
        attributes=(("state", state),),
    )
    add_tool(builder, tool, ref_or_text(resource.get("agent_id")), lambda_target)


def gateway_target(resource: TfResource, builder: Builder) -> None:
    """A tool behind an AgentCore gateway, called with the gateway's role, an API key or an OAuth grant."""
    credential = "unset"
    attributes: list[tuple[str, str]] = []
    for config in resource.blocks("credential_provider_configuration"):
        for kind in ("gateway_iam_role", "api_key", "oauth"):
            for block in config.blocks(kind):
                credential = kind
                attributes += _texts(block, "provider_arn", "scopes", "grant_type")
                provider = ref_or_text(block.get("provider_arn"))
                if isinstance(provider, Ref):
                    attributes.append((PROVIDER_ADDRESS, provider.address))
    lambdas = [
        lam for c in resource.blocks("target_configuration") for m in c.blocks("mcp") for lam in m.blocks("lambda")
    ]
    lambda_target = ref_or_text(lambdas[0].get("lambda_arn")) if lambdas else None
    operations, unknown, schema = _target_operations(resource, builder)
    operations = tuple(replace(op, confirmed=False) for op in operations)  # not honoured by a gateway
    tool = AgentTool(
        agent=None,
        address=resource.address,
        location=resource.location,
        platform=AWS,
        name=_name(resource.get("name")),
        executor=_executor(lambda_target, None),
        operations=operations,
        schema=schema,
        unknown=unknown,
        # an AgentCore gateway has no per-call human confirmation (`x-requireConfirmation` is a Bedrock Agents
        # extension): its state-changing operations are all unconfirmed
        attributes=(("credential", credential), ("confirmation", "unsupported"), *attributes),
    )
    add_tool(builder, tool, ref_or_text(resource.get("gateway_identifier")), lambda_target)


def agent_alias(resource: TfResource, builder: Builder) -> None:
    """An alias names a version of its agent; a collaborator is called through it."""
    name = resource.get("agent_alias_name")
    add_alias(builder, AgentAlias(resource.address, ref_or_text(resource.get("agent_id")), _text(name)))


def agent_collaborator(resource: TfResource, builder: Builder) -> None:
    """Another agent the supervisor (`agent_id`) may call, named by its alias (`agent_descriptor.alias_arn`)."""
    descriptors = resource.blocks("agent_descriptor")
    alias = ref_or_text(descriptors[0].get("alias_arn")) if descriptors else None
    tool = AgentTool(
        agent=None,
        address=resource.address,
        location=resource.location,
        platform=AWS,
        name=_name(resource.get("collaborator_name")),
        executor=alias.address if isinstance(alias, Ref) else alias if isinstance(alias, str) else COLLABORATOR,
        attributes=(("tool_type", COLLABORATOR), *_texts(resource, "relay_conversation_history")),
    )
    add_collaborator(builder, tool, ref_or_text(resource.get("agent_id")), alias)


def _target_operations(
    resource: TfResource, builder: Builder
) -> tuple[tuple[ToolOperation, ...], str | None, str | None]:
    """A gateway target's tools: an inline or `file()` OpenAPI document or Smithy model, or a Lambda's inline
    tool definitions (each a function that may change state). In S3, or listed by an MCP server or API
    Gateway at run time, they are not in the scanned code: unknown."""
    outside = "the tool schema is not in the scanned code (S3, an MCP server or an API Gateway stage)"
    for config in resource.blocks("target_configuration"):
        for mcp in config.blocks("mcp"):
            for kind, reader in (("open_api_schema", "openapi"), ("smithy_model", "smithy")):
                for block in mcp.blocks(kind):
                    for inline in block.blocks("inline_payload"):
                        return _payload_operations(inline, builder, reader)
            for function in mcp.blocks("lambda"):
                for tool_schema in function.blocks("tool_schema"):
                    tools = tool_schema.blocks("inline_payload")
                    if tools:
                        return (
                            function_operations((t.get("name"), None, t.location) for t in tools),
                            None,
                            "tool_schema",
                        )
    return (), outside, None


def _payload_operations(
    api: TfRecord, builder: Builder, reader: str = "openapi"
) -> tuple[tuple[ToolOperation, ...], str | None, str | None]:
    payload = api.get("payload")
    if isinstance(payload, Encoded):  # jsonencode({...}): the document as JSON text
        payload = to_text(payload)
    if isinstance(payload, Unknown):
        return (), f"the OpenAPI schema could not be read: {payload.reason}", "payload"
    if not isinstance(payload, str):
        return (), "the OpenAPI schema is not a string known before apply", "payload"
    line = api.value_line("payload")
    read = smithy_operations if reader == "smithy" else openapi_operations
    return read(payload, Location(api.path, line, line), builder.limits)


def _executor(lambda_target: Ref | str | Unknown | None, block: TfRecord | None) -> str | None:
    if isinstance(lambda_target, Ref):
        return lambda_target.address
    if isinstance(lambda_target, str):
        return lambda_target
    if block is not None and block.has("custom_control"):
        return _text(block.get("custom_control"))
    return None


# -- after every resource is seen ------------------------------------------------------------------


def finish(builder: Builder) -> None:
    provider_secrets(builder)
    link_tools(builder, frozenset({LAMBDA}))
    link_collaborators(builder, "aws_bedrockagent_agent_alias")


# -- helpers ---------------------------------------------------------------------------------------


def _name(value: Any) -> str | Unknown | None:
    return None if value is None else to_text(value)


def _text(value: Any) -> str:
    text = to_text(value)
    return text if isinstance(text, str) else str(text)


def _texts(record: TfRecord, *attrs: str) -> tuple[tuple[str, str], ...]:
    values = []
    for attr in attrs:
        value = record.get(attr)
        if value is not None:
            values.append((attr, ",".join(_text(v) for v in value) if isinstance(value, list) else _text(value)))
    return tuple(values)


TABLE = PlatformTable(
    name="ai",
    finisher=finish,
    handlers={
        "aws_bedrockagent_agent": bedrock_agent,
        "aws_bedrockagent_agent_action_group": action_group,
        "aws_bedrockagent_agent_alias": agent_alias,
        "aws_bedrockagent_agent_collaborator": agent_collaborator,
        "aws_bedrockagentcore_agent_runtime": agentcore_runtime,
        "aws_bedrockagentcore_gateway": agentcore_gateway,
        "aws_bedrockagentcore_gateway_target": gateway_target,
        "aws_bedrockagentcore_workload_identity": workload_identity,
        "google_vertex_ai_reasoning_engine": reasoning_engine,
        "aws_bedrockagentcore_api_key_credential_provider": credential_provider,
        "aws_bedrockagentcore_oauth2_credential_provider": credential_provider,
        "azurerm_cognitive_account": ai_account,
        "azurerm_ai_services": ai_account,
    },
)
