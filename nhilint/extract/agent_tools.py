"""The operations of an AI agent's tool, read from its schema (Terraform and CloudFormation alike).

A Bedrock action group describes what the agent may call either as an OpenAPI document (inline, or a local
file read with `file()`) or as a function schema. An operation can change state unless it is an HTTP
method that is safe by definition (GET, HEAD, OPTIONS, TRACE: RFC 9110 §9.2.1); every function of a
function schema can. A human confirms each call when the operation says `x-requireConfirmation: ENABLED`
(OpenAPI) or the function says `requireConfirmation` / `require_confirmation = "ENABLED"`.

A supervisor agent's collaborators are tools too: the supervisor calls another agent (through one of its
aliases), which acts with its own role and its own tools, so that agent is what the tool "runs as" and the
supervisor's blast radius takes in the collaborator's. Aliases are recorded on their agent (attribute
`aliases`) and resolve to it, so a collaborator named by its alias ARN links to the agent.

The schema text is parsed as data only (the YAML loader builds plain values, within the scan's limits);
a schema that cannot be parsed makes the tool's operations unknown, never an empty, passing list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import yaml

from nhilint.extract.builder import Builder, LinkTarget, Pending
from nhilint.limits import Limits
from nhilint.model import Location, Unknown, Usage
from nhilint.model_agents import TOOL_USAGE, AgentTool, ToolOperation
from nhilint.parse.yamlmarks import LimitError, load_located
from nhilint.values import LDict, Ref, SourceText, ref_marker

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SAFE_METHODS = frozenset({"get", "head", "options", "trace"})
ENABLED = "ENABLED"
# a tool attribute: the address of the credential provider the tool is called with (a gateway target's
# `provider_arn` written as a reference), replaced by `credential` (its credential's id) when linked
PROVIDER_ADDRESS = "provider_address"


class PendingTool(NamedTuple):
    """A tool seen by a format's handlers: the agent it belongs to and its executor (a Lambda), linked later."""

    tool: AgentTool
    agent: LinkTarget
    executor: LinkTarget | None


@dataclass(slots=True)
class PendingTools:
    """The tools waiting for `link_tools` (kept on the Builder, `builder.side(PendingTools)`)."""

    items: list[PendingTool] = field(default_factory=list)


def add_tool(builder: Builder, tool: AgentTool, agent: LinkTarget, executor: LinkTarget | None) -> None:
    builder.side(PendingTools).items.append(PendingTool(tool, agent, executor))


class AgentAlias(NamedTuple):
    address: str
    agent: LinkTarget
    name: str


@dataclass(slots=True)
class PendingCollaborators:
    """Aliases and collaborators waiting for `link_collaborators` (`builder.side(PendingCollaborators)`):
    each collaborator as (tool, supervisor agent, the alias or agent it calls)."""

    aliases: list[AgentAlias] = field(default_factory=list)
    collaborators: list[tuple[AgentTool, LinkTarget, LinkTarget]] = field(default_factory=list)


def add_alias(builder: Builder, alias: AgentAlias) -> None:
    builder.side(PendingCollaborators).aliases.append(alias)


def add_collaborator(builder: Builder, tool: AgentTool, supervisor: LinkTarget, collaborator: LinkTarget) -> None:
    builder.side(PendingCollaborators).collaborators.append((tool, supervisor, collaborator))


COLLABORATOR = "agent collaborator"


def link_collaborators(builder: Builder, alias_type: str) -> None:
    """Aliases join their agent (and resolve to it); each collaborator becomes a tool of its supervisor that
    runs as the collaborating agent, which the supervisor then uses (a Usage of kind TOOL_USAGE)."""
    pending = builder.side(PendingCollaborators)
    identities = builder.inventory.identities
    aliases: dict[str, list[str]] = {}
    for alias in pending.aliases:
        agent = _agent_id(builder, alias.agent)
        if isinstance(agent, str) and agent in identities:
            builder.register(alias.address, agent, alias_type)
            aliases.setdefault(agent, []).append(alias.name)
    for agent, names in aliases.items():
        identity = identities[agent]
        identities[agent] = replace(identity, attributes=(*identity.attributes, ("aliases", ",".join(names))))
    for tool, supervisor_target, collaborator_target in pending.collaborators:
        supervisor = _agent_id(builder, supervisor_target)
        collaborator = _agent_id(builder, collaborator_target)
        builder.inventory.agent_tools.append(replace(tool, agent=supervisor, runs_as=collaborator))
        boss = identities.get(supervisor) if isinstance(supervisor, str) else None
        if boss is not None and isinstance(collaborator, str) and collaborator in identities:
            builder.inventory.usages.append(
                Usage(
                    collaborator,
                    boss.address,
                    TOOL_USAGE,
                    tool.location,
                    attributes=(("tool", tool.address), ("executor", COLLABORATOR)),
                )
            )
    pending.aliases, pending.collaborators = [], []


def openapi_operations(text: str, where: Location, limits: Limits) -> tuple[tuple[ToolOperation, ...], str | None, str]:
    """(operations, why they are unknown, where the schema was read) of an OpenAPI document.

    `text` read by `file()` points at its own file (lines from 1); inline text at the attribute `where`.
    """
    path, base = (text.path, 1) if isinstance(text, SourceText) else (where.path, where.start_line)
    shown = path if isinstance(text, SourceText) else "inline payload"
    try:
        document = load_located(text, base, limits)
    except (yaml.YAMLError, LimitError, ValueError):
        return (), f"the OpenAPI schema ({shown}) could not be parsed", shown
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        return (), f"the OpenAPI schema ({shown}) has no `paths` object", shown
    found: list[ToolOperation] = []
    for route, item in document["paths"].items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            line = max(item.line_of(method) if isinstance(item, LDict) else base, base)
            found.append(
                ToolOperation(
                    f"{method.upper()} {route}",
                    method not in SAFE_METHODS,
                    _enabled(operation.get("x-requireConfirmation")),
                    Location(path, line, line),
                )
            )
    return tuple(found), None, shown


SMITHY_READONLY = "smithy.api#readonly"
SMITHY_HTTP = "smithy.api#http"


def smithy_operations(text: str, where: Location, limits: Limits) -> tuple[tuple[ToolOperation, ...], str | None, str]:
    """(operations, why they are unknown, where read) of a Smithy JSON AST model: each `operation` shape
    changes state unless it carries `smithy.api#readonly` or its `smithy.api#http` method is a safe one."""
    path, base = (text.path, 1) if isinstance(text, SourceText) else (where.path, where.start_line)
    shown = path if isinstance(text, SourceText) else "inline payload"
    try:
        document = load_located(text, base, limits)
    except (yaml.YAMLError, LimitError, ValueError):
        return (), f"the Smithy model ({shown}) could not be parsed", shown
    shapes = document.get("shapes") if isinstance(document, dict) else None
    if not isinstance(shapes, dict):
        return (), f"the Smithy model ({shown}) has no `shapes` object", shown
    found: list[ToolOperation] = []
    for shape_id, shape in shapes.items():
        if not isinstance(shape, dict) or shape.get("type") != "operation":
            continue
        traits = shape.get("traits")
        traits = traits if isinstance(traits, dict) else {}
        http = traits.get(SMITHY_HTTP)
        http = http if isinstance(http, dict) else {}
        method = str(http.get("method", "")).lower()
        name = f"{method.upper()} {http.get('uri')}" if method else str(shape_id).rpartition("#")[2]
        line = max(shapes.line_of(shape_id) if isinstance(shapes, LDict) else base, base)
        changes = SMITHY_READONLY not in traits and method not in SAFE_METHODS
        found.append(ToolOperation(name, changes, False, Location(path, line, line)))
    return tuple(found), None, shown


def function_operations(functions: Iterable[tuple[Any, Any, Location]]) -> tuple[ToolOperation, ...]:
    """Functions of a function schema as (name, requireConfirmation, where): each one can change state."""
    return tuple(
        ToolOperation(str(name) if isinstance(name, str) else "(unnamed function)", True, _enabled(confirm), where)
        for name, confirm, where in functions
    )


def _enabled(value: Any) -> bool:
    return isinstance(value, str) and value.strip().upper() == ENABLED


def link_tools(builder: Builder, executor_kinds: frozenset[str]) -> None:
    """Tools join their agent and the identity their executor runs as (a Usage still pending here), and
    that identity is recorded as used by the agent through the tool. Each format calls this once its
    resources are read; the tools it links are taken off the pending list."""
    usages = builder.inventory.usages
    executors: dict[str, Pending] = {}
    for pending in builder.pending:
        if pending.collection is usages and usages[pending.index].kind in executor_kinds:
            executors[usages[pending.index].workload] = pending
    pending_tools = builder.side(PendingTools)
    waiting, pending_tools.items = pending_tools.items, []
    credentials = {c.id for c in builder.inventory.credentials} if waiting else set()
    for tool, agent_target, executor_target in waiting:
        agent = _agent_id(builder, agent_target)
        role = executors.get(executor_target.address) if isinstance(executor_target, Ref) else None
        runs_as = builder.resolve(role.target, role.types, role.platform) if role is not None else None
        builder.inventory.agent_tools.append(
            replace(tool, agent=agent, runs_as=runs_as, attributes=_credential(builder, tool, credentials))
        )
        identity = builder.inventory.identities.get(agent) if isinstance(agent, str) else None
        if identity is not None and role is not None:
            usage = Usage(
                "",
                identity.address,
                TOOL_USAGE,
                tool.location,
                attributes=(("tool", tool.address), ("executor", tool.executor or "")),
            )
            builder.add_usage(usage, role.target, role.types, role.platform)


def _credential(builder: Builder, tool: AgentTool, credentials: set[str]) -> tuple[tuple[str, str], ...]:
    """A tool's attributes with the credential provider it is called with resolved to that credential's id
    (`credential_id`) when the provider is in the scanned code, so the credential shows which tools use it."""
    attributes = tuple((k, v) for k, v in tool.attributes if k != PROVIDER_ADDRESS)
    address = tool.attribute(PROVIDER_ADDRESS)
    found = builder.lookup_address(address) if address is not None else None
    return (*attributes, ("credential_id", found)) if found is not None and found in credentials else attributes


def _agent_id(builder: Builder, target: LinkTarget) -> str | Unknown | None:
    if isinstance(target, str):
        target = ref_marker(target) or target
    if isinstance(target, Ref):
        found = builder.lookup_address(target.address)
        return found if found is not None else Unknown(f"{target.address} is not in the scanned code")
    if isinstance(target, str):
        return Unknown(f"agent {target!r} is not created in the scanned code")
    return target
