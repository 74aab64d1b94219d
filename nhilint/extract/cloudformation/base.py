"""What the CloudFormation and SAM tables share: the template being read, links, lifecycle, grants, trusts.

Identities get the same kinds, ids (`aws:<template>#<LogicalId>`) and Builder resource types as Terraform
(`aws_iam_role`…), so a literal name or ARN written in one format finds an identity created in the other,
and every rule reads one model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nhilint.extract.aws_links import PLATFORM, ROLE, statement_grant
from nhilint.extract.builder import Builder, LinkTarget
from nhilint.extract.lifecycle import FACT_NAMES, FactSource, Origin, comments, keyed, resolve, unevaluated
from nhilint.extract.pending import PendingAttachment
from nhilint.iam.policy import parse_document
from nhilint.model import Fact, Grant, Identity, IdentityKind, Lifecycle, Location, Trust, TrustPrincipal, Unknown
from nhilint.parse.cfn_eval import NO_VALUE, Evaluator, marker, marker_ref
from nhilint.parse.cloudformation import Resource, Template, tight_end
from nhilint.values import LDict, Ref, to_text

# Model kind -> the Builder resource type Terraform uses for it (one namespace for names across formats).
RESOURCE_TYPE = {
    "role": "aws_iam_role",
    "user": "aws_iam_user",
    "group": "aws_iam_group",
    "service_linked_role": "aws_iam_service_linked_role",
    "ai_agent": "aws_bedrockagent_agent",
    "application": "aws_bedrockagentcore_workload_identity",
}
# Metadata.nhilint keys for each lifecycle fact (besides the configured tag keys).
METADATA_KEYS = {
    "owner": ("owner",),
    "purpose": ("purpose",),
    "expires": ("expires",),
    "retire_on": ("retire-on", "retire_on"),
}
_ARN_MARKER_RE = re.compile(r"^arn:[^:]+:iam::[^:]*:(?:role|user|group|policy|instance-profile)/(?:.*/)?(\$\{[^}]+\})$")


@dataclass(slots=True)
class State:
    """What every template of the scan shares (links wait on the Builder until every template is read)."""

    builder: Builder
    sam: Any = None  # SAM data (policy templates, managed policy names), read on first use
    templates: frozenset[str] = frozenset()  # every template of this scan, relative to the root (POSIX)
    root: Path | None = None  # the scan root, to tell a missing nested template from one not scanned


@dataclass(slots=True)
class Stack:
    """One template being extracted, with its evaluator."""

    template: Template
    state: State
    ev: Evaluator = field(init=False)
    _properties: dict[str, LDict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ev = Evaluator(self.template)

    @property
    def builder(self) -> Builder:
        return self.state.builder

    @property
    def path(self) -> str:
        return self.template.path

    def address(self, logical_id: str) -> str:
        return f"{self.template.path}#{logical_id}"

    def properties(self, resource: Resource) -> LDict:
        """The evaluated properties (cached); an unevaluable Properties reads as empty."""
        found = self._properties.get(resource.logical_id)
        if found is None:
            value = self.ev.value(resource.properties)
            found = value if isinstance(value, LDict) else LDict(line=resource.location.start_line)
            self._properties[resource.logical_id] = found
        return found

    def span(self, mapping: Any, fallback: Location) -> Location:
        """Where a mapping is written (its first line to its last), or the fallback for other values."""
        if not isinstance(mapping, LDict) or not mapping.line:
            return fallback
        return Location(
            self.template.path, mapping.line, tight_end(self.template.lines, mapping.line, mapping.end_line)
        )

    def at(self, mapping: LDict, key: str) -> Location:
        """Where a key and its value are written."""
        line = mapping.line_of(key)
        value = mapping.get(key)
        ends = [v.end_line for v in (value if isinstance(value, list) else [value]) if isinstance(v, LDict) and v.line]
        end = tight_end(self.template.lines, line, max(ends)) if ends else line
        return Location(self.template.path, line, max(end, line))


Handler = Callable[[Stack, Resource], None]


def identity_id(address: str) -> str:
    return f"{PLATFORM}:{address}"


def link(value: Any) -> LinkTarget:
    """A link target: a Ref for a resource of the template (also inside an IAM ARN), else text."""
    if value is None or value is NO_VALUE:
        return None
    if isinstance(value, Ref | Unknown):
        return value
    if isinstance(value, list) and len(value) == 1:
        return link(value[0])
    text = to_text(value)
    if isinstance(text, Unknown):
        return text
    found = marker_ref(text)
    if found is None:
        match = _ARN_MARKER_RE.match(text)
        found = marker_ref(match.group(1)) if match else None
    return found or text


def links(value: Any) -> list[LinkTarget]:
    if value is None or value is NO_VALUE:
        return []
    if isinstance(value, Unknown):
        return [value]
    return [t for t in (link(item) for item in (value if isinstance(value, list) else [value])) if t is not None]


def name_of(value: Any) -> str | Unknown | None:
    """A resource name: text, or Unknown when it depends on the deploy."""
    if value is None or value is NO_VALUE:
        return None
    if isinstance(value, Ref):
        return Unknown(f"{value} is known only after deploy")
    return to_text(value)


def text_of(value: Any) -> str:
    text = to_text(value) if not isinstance(value, Ref) else marker(value)
    return text if isinstance(text, str) else str(text)


def policy_value(value: Any) -> Any:
    """A policy document with resource references as `${template#Logical.Attr}` markers (specific ARNs)."""
    if isinstance(value, Ref):
        return marker(value)
    if isinstance(value, dict):
        result = LDict(
            line=getattr(value, "line", 0), end_line=getattr(value, "end_line", 0), path=getattr(value, "path", None)
        )
        result.key_lines = getattr(value, "key_lines", None)
        for key, item in value.items():
            result[key] = policy_value(item)
        return result
    if isinstance(value, list):
        return [policy_value(item) for item in value]
    return value


# -- identities and lifecycle ----------------------------------------------------------------------


def add_identity(
    stack: Stack,
    resource: Resource,
    kind: IdentityKind,
    name: Any,
    tags: Any = None,
    attributes: tuple[tuple[str, str], ...] = (),
    address: str | None = None,
    tags_at: Location | None = None,
) -> Identity:
    address = address or stack.address(resource.logical_id)
    mapping = tag_mapping(tags)
    identity = Identity(
        id=identity_id(address),
        kind=kind,
        platform=PLATFORM,
        address=address,
        location=resource.location,
        name=name_of(name),
        tags=plain_tags(mapping),
        lifecycle=lifecycle(stack, resource, mapping, tags_at),
        attributes=attributes,
    )
    return stack.builder.add_identity(identity, RESOURCE_TYPE[kind])


def tag_mapping(value: Any) -> LDict | Unknown | Ref | None:
    """CloudFormation `[{Key, Value}]` lists and SAM `{key: value}` maps as one mapping with key lines."""
    if value is None or value is NO_VALUE:
        return None
    if isinstance(value, Unknown | Ref):
        return value
    if isinstance(value, LDict):
        return value
    if not isinstance(value, list):
        return Unknown("Tags is neither a list nor a mapping")
    mapping = LDict(line=next((i.line for i in value if isinstance(i, LDict)), 0))
    mapping.key_lines = {}
    for item in value:
        if isinstance(item, dict) and isinstance(item.get("Key"), str):
            mapping[item["Key"]] = item.get("Value")
            mapping.key_lines[item["Key"]] = getattr(item, "line", 0) or mapping.line
    return mapping


def plain_tags(mapping: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(mapping, dict):
        return ()
    return tuple(sorted((str(k), text_of(v)) for k, v in mapping.items()))


def lifecycle(stack: Stack, resource: Resource, tags: Any, tags_at: Location | None = None) -> Lifecycle:
    """`# nhilint:` comments, own `Tags` (each fact pointing at its tag), then `Metadata.nhilint`."""
    keys = stack.builder.settings.lifecycle_keys
    at = tags_at or resource.location

    def tag_line(mapping: Any, key: str) -> Location:
        if not isinstance(mapping, LDict):
            return Location(at.path, at.start_line, at.start_line)
        line = mapping.line_of(key)
        return Location(stack.path, line, line)

    return resolve(
        [
            comments(stack.builder.annotations.get(resource.location, ())),
            unevaluated(tags, "tag", at) if isinstance(tags, Unknown | Ref) else keyed([("tag", tags)], keys, tag_line),
            _metadata(stack, resource, keys),
        ]
    )


def _metadata(stack: Stack, resource: Resource, keys: dict[str, tuple[str, ...]]) -> FactSource:
    """`Metadata: {nhilint: {owner: …}}`: for each fact, the first key written that names it."""
    meta = resource.metadata.get("nhilint") if resource.metadata is not None else None
    facts: dict[str, Fact] = {}
    if isinstance(meta, LDict):
        for name in FACT_NAMES:
            wanted = {k.lower() for k in (*METADATA_KEYS[name], *keys.get(name, ()))}
            key = next((k for k in meta if k.lower() in wanted), None)
            if key is not None:
                line = meta.line_of(key)
                facts[name] = Fact(to_text(meta[key]), f"metadata:{key}", Location(stack.path, line, line))
    return FactSource(Origin.OWN, facts)


# -- grants and trusts -----------------------------------------------------------------------------


def add_document(
    stack: Stack,
    value: Any,
    where: Location,
    principal: LinkTarget,
    types: tuple[str, ...],
    via: str,
    source: str,
    block: Location,
) -> None:
    """One Grant per statement of a policy document (or one unknown Grant saying why)."""
    document = parse_document(policy_value(value), stack.path, where.start_line, where.end_line)
    if document.unknown or value is None:
        reason = document.unknown or "the policy document is missing"
        stack.builder.add_grant(Grant(None, (), (), via, source, where, block, unknown=reason), principal, types)
        return
    for statement in document.statements:
        stack.builder.add_grant(statement_grant(statement, via, source, block), principal, types)


def add_trusts(stack: Stack, value: Any, where: Location, identity: Ref, via: str, block: Location) -> None:
    """One Trust per statement of an assume-role policy document."""
    document = parse_document(policy_value(value), stack.path, where.start_line, where.end_line)
    if document.unknown:
        stack.builder.add_trust(
            Trust("", (), (), (), via, where, block, unknown=document.unknown, platform=PLATFORM), identity, ROLE
        )
        return
    for statement in document.statements:
        stack.builder.add_trust(
            Trust(
                "",
                statement.principals,
                statement.actions,
                statement.conditions,
                via,
                Location(statement.path, statement.line, statement.end_line),
                block,
                statement.effect,
                statement.unknown,
                platform=PLATFORM,
            ),
            identity,
            ROLE,
        )


def service_trust(stack: Stack, service: str, identity: Ref, via: str, block: Location) -> None:
    """The trust a generated role gets (SAM: the service that runs the function)."""
    trust = Trust(
        "", (TrustPrincipal("Service", service),), ("sts:AssumeRole",), (), via, block, block, platform=PLATFORM
    )
    stack.builder.add_trust(trust, identity, ROLE)


def attach(
    stack: Stack, policies: Any, principal: LinkTarget, types: tuple[str, ...], where: Location, via: str
) -> None:
    """Managed policies (ARNs, names or references) attached to a principal, resolved after every template."""
    for policy in links(policies):
        stack.builder.attachments.append(PendingAttachment(policy, principal, types, where, via))
