"""Bedrock agents in CloudFormation: `AWS::Bedrock::Agent`, its role and its `ActionGroups[]`; AgentCore
runtimes and gateways (`AWS::BedrockAgentCore::Runtime`, `::Gateway`) with their role and inbound authorizer.

The same model as the Terraform table (`extract/terraform/ai.py`): the agent is an `ai_agent` identity that
runs as `AgentResourceRoleArn` (a Usage), and each action group is an `AgentTool` with its executor (a
Lambda, linked through it to the Lambda's role once every template is read) and its operations, read from
the inline `ApiSchema.Payload` or the `FunctionSchema`. A schema in S3 is not in the scanned code: the
tool's operations are unknown. `AgentCollaborators[]` are tools that run as the collaborating agent, named by
an `AWS::Bedrock::AgentAlias` (recorded on its agent). A `WorkloadIdentity` is an identity (kind
`application`); the API key and OAuth credential providers are Credentials, their secret a literal secret
when written as text (`SECRETS`, read by the template extractor).
"""

from __future__ import annotations

from typing import Any

from nhilint.extract.agent_tools import (
    COLLABORATOR,
    AgentAlias,
    add_alias,
    add_collaborator,
    add_tool,
    function_operations,
    link_collaborators,
    link_tools,
    openapi_operations,
)
from nhilint.extract.aws_links import PLATFORM, ROLE
from nhilint.extract.builder import Builder
from nhilint.extract.cloudformation import agentcore_targets
from nhilint.extract.cloudformation.base import (
    Handler,
    Stack,
    add_identity,
    identity_id,
    lifecycle,
    link,
    tag_mapping,
    text_of,
)
from nhilint.model import Credential, Location, Unknown, Usage
from nhilint.model_agents import AgentTool, ToolOperation
from nhilint.parse.cloudformation import Resource
from nhilint.values import LDict, Ref

LAMBDA = "AWS::Lambda::Function"
ALIAS = "AWS::Bedrock::AgentAlias"
API_KEY_PROVIDER = "AWS::BedrockAgentCore::APIKeyCredentialProvider"
OAUTH_PROVIDER = "AWS::BedrockAgentCore::OAuth2CredentialProvider"
OAUTH_VENDORS = ("Custom", "Github", "Google", "Microsoft", "Salesforce", "Slack", "Atlassian", "Linkedin")
# secret properties the template extractor reports when written as text
SECRETS: dict[str, tuple[str, ...]] = {
    API_KEY_PROVIDER: ("ApiKey",),
    OAUTH_PROVIDER: tuple(
        f"Oauth2ProviderConfigInput.{vendor}Oauth2ProviderConfig.ClientSecret" for vendor in OAUTH_VENDORS
    ),
}


def agent(stack: Stack, resource: Resource) -> None:
    props = stack.properties(resource)
    attributes: tuple[tuple[str, str], ...] = (("agent_type", "bedrock_agent"),)
    for prop, attribute in (("FoundationModel", "foundation_model"), ("AgentCollaboration", "agent_collaboration")):
        if isinstance(props.get(prop), str):
            attributes += ((attribute, props[prop]),)
    identity = add_identity(
        stack,
        resource,
        "ai_agent",
        props.get("AgentName"),
        props.get("Tags"),
        attributes,
        tags_at=stack.at(props, "Tags"),
    )
    target = link(props.get("AgentResourceRoleArn"))
    if target is not None and not isinstance(target, Unknown):
        stack.builder.add_usage(Usage("", identity.address, resource.type, resource.location), target, ROLE, PLATFORM)
    groups = props.get("ActionGroups")
    for group in groups if isinstance(groups, list) else []:
        if isinstance(group, LDict) and "ParentActionGroupSignature" not in group:
            _action_group(stack, resource, group, Ref(identity.address))
    collaborators = props.get("AgentCollaborators")
    for collaborator in collaborators if isinstance(collaborators, list) else []:
        if isinstance(collaborator, LDict):
            _collaborator(stack, resource, collaborator, Ref(identity.address))


def alias(stack: Stack, resource: Resource) -> None:
    props = stack.properties(resource)
    name = text_of(props.get("AgentAliasName", resource.logical_id))
    add_alias(stack.builder, AgentAlias(stack.address(resource.logical_id), link(props.get("AgentId")), name))


def _collaborator(stack: Stack, resource: Resource, collaborator: LDict, me: Ref) -> None:
    descriptor = collaborator.get("AgentDescriptor")
    target = link(descriptor.get("AliasArn")) if isinstance(descriptor, dict) else None
    name = collaborator.get("CollaboratorName")
    attributes: tuple[tuple[str, str], ...] = (("tool_type", COLLABORATOR),)
    if "RelayConversationHistory" in collaborator:
        attributes += (("relay_conversation_history", text_of(collaborator["RelayConversationHistory"])),)
    tool = AgentTool(
        agent=None,
        address=f"{me.address}.AgentCollaborators.{text_of(name)}",
        location=stack.span(collaborator, resource.location),
        platform=PLATFORM,
        name=name if isinstance(name, str) else None,
        executor=target.address if isinstance(target, Ref) else target if isinstance(target, str) else COLLABORATOR,
        attributes=attributes,
    )
    add_collaborator(stack.builder, tool, me, target)


def agentcore(stack: Stack, resource: Resource) -> None:
    """`AWS::BedrockAgentCore::Runtime` (IAM callers unless a JWT authorizer is set) and `::Gateway`."""
    props = stack.properties(resource)
    runtime = resource.type == "AWS::BedrockAgentCore::Runtime"
    attributes: tuple[tuple[str, str], ...]
    if runtime:
        config = props.get("AuthorizerConfiguration")
        jwt = isinstance(config, dict) and "CustomJWTAuthorizer" in config
        attributes = (("agent_type", "agentcore_runtime"), ("inbound_auth", "CUSTOM_JWT" if jwt else "AWS_IAM"))
        name = props.get("AgentRuntimeName")
    else:
        inbound = text_of(props["AuthorizerType"]) if "AuthorizerType" in props else "unset"
        attributes = (("agent_type", "agentcore_gateway"), ("inbound_auth", inbound))
        if "ProtocolType" in props:
            attributes += (("protocol_type", text_of(props["ProtocolType"])),)
        name = props.get("Name")
    identity = add_identity(
        stack,
        resource,
        "ai_agent",
        name,
        props.get("Tags"),
        attributes,
        stack.address(resource.logical_id),
        stack.at(props, "Tags"),
    )
    target = link(props.get("RoleArn"))
    if target is not None and not isinstance(target, Unknown):
        stack.builder.add_usage(Usage("", identity.address, resource.type, resource.location), target, ROLE, PLATFORM)


def workload_identity(stack: Stack, resource: Resource) -> None:
    props = stack.properties(resource)
    attributes: tuple[tuple[str, str], ...] = (("identity_type", "agentcore_workload_identity"),)
    urls = props.get("AllowedResourceOauth2ReturnUrls")
    if isinstance(urls, list):
        attributes += (("allowed_resource_oauth2_return_urls", ",".join(text_of(u) for u in urls)),)
    add_identity(
        stack,
        resource,
        "application",
        props.get("Name"),
        props.get("Tags"),
        attributes,
        tags_at=stack.at(props, "Tags"),
    )


def credential_provider(stack: Stack, resource: Resource) -> None:
    """The API key or OAuth client secret is handed to AgentCore, which keeps it in Secrets Manager; written
    as text it is in the template too (a `{{resolve:secretsmanager:…}}` reference is not)."""
    props = stack.properties(resource)
    api_key = resource.type == API_KEY_PROVIDER
    address = stack.address(resource.logical_id)
    attributes: tuple[tuple[str, str], ...] = (("in_state", "false"),)
    for prop, attribute in (("Name", "name"), ("CredentialProviderVendor", "credential_provider_vendor")):
        if prop in props:
            attributes += ((attribute, text_of(props[prop])),)
    credential = Credential(
        identity_id(address),
        "agent_api_key" if api_key else "agent_oauth_client",
        PLATFORM,
        address,
        resource.location,
        lifecycle=lifecycle(stack, resource, tag_mapping(props.get("Tags")), stack.at(props, "Tags")),
        attributes=attributes,
    )
    stack.builder.add_credential(credential, None, ())
    stack.builder.register(address, credential.id, resource.type)


def _action_group(stack: Stack, resource: Resource, group: LDict, me: Ref) -> None:
    where = stack.span(group, resource.location)
    executor = group.get("ActionGroupExecutor")
    executor = executor if isinstance(executor, dict) else {}
    lambda_target = link(executor.get("Lambda"))
    operations: tuple[ToolOperation, ...] = ()
    unknown = schema = None
    api = group.get("ApiSchema")
    if isinstance(api, LDict) and "Payload" in api:
        operations, unknown, schema = _payload(stack, api)
    elif isinstance(api, dict) and "S3" in api:
        schema, unknown = "s3", "the OpenAPI schema is in S3; its operations are not in the scanned code"
    functions = group.get("FunctionSchema")
    if isinstance(functions, dict):
        schema = "FunctionSchema"
        items = functions.get("Functions")
        operations += function_operations(
            (f.get("Name"), f.get("RequireConfirmation"), stack.span(f, where))
            for f in (items if isinstance(items, list) else [])
            if isinstance(f, dict)
        )
    name = group.get("ActionGroupName")
    tool = AgentTool(
        agent=None,
        address=f"{me.address}.ActionGroups.{text_of(name)}",
        location=where,
        platform=PLATFORM,
        name=name if isinstance(name, str) else None,
        executor=_executor(lambda_target, executor),
        operations=operations,
        schema=schema,
        unknown=unknown,
        attributes=(("state", text_of(group.get("ActionGroupState", "ENABLED"))),),
    )
    add_tool(stack.builder, tool, me, lambda_target)


def _payload(stack: Stack, api: LDict) -> tuple[tuple[ToolOperation, ...], str | None, str | None]:
    payload = api.get("Payload")
    if not isinstance(payload, str):
        return (), "the OpenAPI schema is not a string known before deploy", "payload"
    line = api.line_of("Payload") + (1 if "\n" in payload else 0)  # a block scalar starts on the next line
    return openapi_operations(payload, Location(stack.path, line, line), stack.builder.limits)


def _executor(lambda_target: Any, executor: dict[str, Any]) -> str | None:
    if isinstance(lambda_target, Ref):
        return lambda_target.address
    if isinstance(lambda_target, str):
        return lambda_target
    control = executor.get("CustomControl")
    return text_of(control) if control is not None else None


def link_agent_tools(builder: Builder) -> None:
    """After every template: tools join their agent and their Lambda's role."""
    link_tools(builder, frozenset({LAMBDA}))
    link_collaborators(builder, ALIAS)


HANDLERS: dict[str, Handler] = {
    "AWS::Bedrock::Agent": agent,
    ALIAS: alias,
    "AWS::BedrockAgentCore::GatewayTarget": agentcore_targets.gateway_target,
    "AWS::BedrockAgentCore::WorkloadIdentity": workload_identity,
    API_KEY_PROVIDER: credential_provider,
    OAUTH_PROVIDER: credential_provider,
    "AWS::BedrockAgentCore::Runtime": agentcore,
    "AWS::BedrockAgentCore::Gateway": agentcore,
}
