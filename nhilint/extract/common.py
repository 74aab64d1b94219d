"""Helpers every Terraform extractor shares: identities with their lifecycle sources, literal secrets, rotation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from nhilint.extract.builder import Builder
from nhilint.extract.lifecycle import Origin
from nhilint.extract.tag_text import plain_tags as plain_tags  # re-exported for the Terraform tables
from nhilint.model import (
    Credential,
    CredentialKind,
    Fact,
    Identity,
    IdentityKind,
    Lifecycle,
    LiteralSecret,
    Location,
    Platform,
    Unknown,
)
from nhilint.parse import hcl
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import LDict, Ref, ref_marker, to_text

Handler = Callable[[TfResource, Builder], None]


def text_or_unknown(value: Any) -> str | Unknown | None:
    if value is None:
        return None
    return to_text(value)


def identity_id(platform: str, address: str) -> str:
    return f"{platform}:{address}"


def add_identity(
    resource: TfResource,
    builder: Builder,
    kind: IdentityKind,
    platform: Platform,
    name_attr: str | None = "name",
    tags_attr: str | None = "tags",
    default_tags: bool = False,
    attributes: tuple[tuple[str, str], ...] = (),
) -> Identity:
    """Create the Identity for a resource, with name, tags and the lifecycle facts they give."""
    name = text_or_unknown(resource.get(name_attr)) if name_attr else None
    if name is None and name_attr and resource.has(f"{name_attr}_prefix"):
        name = Unknown(f"{name_attr}_prefix: the name is generated at apply")
    tags = resource.get(tags_attr) if tags_attr and resource.has(tags_attr) else None
    tag_source, tag_origin = tag_provenance(resource, tags_attr) if tags_attr else ("tag", Origin.OWN)
    identity = Identity(
        id=identity_id(platform, resource.address),
        kind=kind,
        platform=platform,
        address=resource.address,
        location=resource.location,
        name=name,
        tags=plain_tags(tags),
        lifecycle=builder.lifecycle(
            resource.location,
            tags,
            tag_source,
            resource.provider_tags if default_tags else None,
            resource.at(tags_attr) if tags_attr else None,
            tag_origin,
        ),
        multiplicity=resource.multiplicity,
        attributes=attributes,
    )
    return builder.add_identity(identity, resource.type)


def credential_of(
    resource: TfResource,
    builder: Builder,
    kind: CredentialKind,
    platform: Platform,
    *,
    part: str = "",
    tags: bool = False,
    default_tags: bool = False,
    location: Location | None = None,
    of: str | Unknown | None = None,
    expires: Fact | None = None,
    rotation: Fact | None = None,
    secret_in_code: Location | None = None,
    attributes: tuple[tuple[str, str], ...] = (),
) -> Credential:
    """The Credential of a resource (or of one `part` of it, e.g. a client secret beside its application):
    id, address, location and its lifecycle facts, from the block's comments and, with `tags`, its own
    `tags` (and the provider's default tags with `default_tags`)."""
    lifecycle: Lifecycle
    if tags:
        default = resource.provider_tags if default_tags else None
        lifecycle = builder.lifecycle(resource.location, resource.get("tags"), "tag", default, resource.at("tags"))
    else:
        lifecycle = builder.lifecycle(resource.location)
    address = f"{resource.address}.{part}" if part else resource.address
    return Credential(
        id=identity_id(platform, address),
        kind=kind,
        platform=platform,
        address=resource.address,
        location=location or resource.location,
        of=of,
        expires=expires,
        rotation=rotation,
        lifecycle=lifecycle,
        secret_in_code=secret_in_code,
        attributes=attributes,
    )


def tag_provenance(resource: TfRecord, tags_attr: str) -> tuple[str, Origin]:
    """`tag` (own), or `module input …` when the tags come from a variable the module caller set."""
    expr = resource.expr(tags_attr)
    if expr is None or resource.instance.parent is None:
        return "tag", Origin.OWN
    for name in variables_in(expr):
        if name in resource.instance.inputs:
            return f"module input {resource.instance.prefix.rstrip('.')}", Origin.MODULE_INPUT
    return "tag", Origin.OWN


def variables_in(expr: hcl.Expr) -> Iterator[str]:
    for node in walk(expr):
        if isinstance(node, hcl.GetAttr) and isinstance(node.base, hcl.Name) and node.base.name == "var":
            yield node.name


def walk(expr: hcl.Expr) -> Iterator[hcl.Expr]:
    """Every node of an expression tree."""
    stack: list[Any] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, str) or node is None:
            continue
        yield node
        if isinstance(node, hcl.Template):
            stack.extend(node.parts)
        elif isinstance(node, hcl.GetAttr):
            stack.append(node.base)
        elif isinstance(node, hcl.Index):
            stack.extend((node.base, node.key))
        elif isinstance(node, hcl.Splat):
            stack.append(node.base)
        elif isinstance(node, hcl.Call):
            stack.extend(node.args)
        elif isinstance(node, hcl.TupleExpr):
            stack.extend(node.items)
        elif isinstance(node, hcl.ObjectExpr):
            for key, value in node.items:
                stack.extend((key, value))
        elif isinstance(node, hcl.Conditional):
            stack.extend((node.test, node.then, node.otherwise))
        elif isinstance(node, hcl.BinaryOp):
            stack.extend((node.left, node.right))
        elif isinstance(node, hcl.UnaryOp):
            stack.append(node.operand)
        elif isinstance(node, hcl.ForExpr):
            stack.extend((node.collection, node.key, node.value, node.condition))


def resource_refs(block: hcl.Block, resource_type: str) -> list[str]:
    """Names of `resource_type` resources referenced anywhere in a block (including nested blocks)."""
    found: list[str] = []
    stack = [block]
    while stack:
        current = stack.pop()
        for attribute in current.body.attributes.values():
            for node in walk(attribute.expr):
                if (
                    isinstance(node, hcl.GetAttr)
                    and isinstance(node.base, hcl.Name)
                    and node.base.name == resource_type
                    and node.name not in found
                ):
                    found.append(node.name)
        stack.extend(current.body.blocks)
    return found


def rotation_from_time_rotating(resource: TfResource, builder: Builder) -> Fact | None:
    """A credential that a `time_rotating` resource replaces (replace_triggered_by, keepers…) rotates."""
    names = resource_refs(resource.block, "time_rotating")
    if not names:
        return None
    address = f"{resource.instance.prefix}time_rotating.{names[0]}"
    info = builder.time_rotations.get(address)
    if info is not None:
        return Fact(info.period, f"time_rotating:{address}", info.location)
    return Fact(Unknown(f"time_rotating.{names[0]} is not in the scanned code"), f"time_rotating:{address}")


def literal_secret(resource: TfRecord, attribute: str) -> Location | None:
    """Where a secret value is written literally (not from a variable, a reference or a function)."""
    expr = resource.expr(attribute)
    if expr is None:
        return None
    if isinstance(expr, hcl.Literal) and isinstance(expr.value, str) and expr.value.strip():
        return resource.at(attribute)
    if isinstance(expr, hcl.ObjectExpr):
        for _, value in expr.items:
            if isinstance(value, hcl.Literal) and isinstance(value.value, str) and value.value.strip():
                return Location(resource.path, value.line, value.line)
    return None


def add_literal_secret(resource: TfResource, builder: Builder, attribute: str, platform: Platform) -> bool:
    location = literal_secret(resource, attribute)
    if location is None:
        return False
    builder.inventory.literal_secrets.append(
        LiteralSecret(resource.address, attribute, location, resource.location, None, platform)
    )
    return True


def ref_or_text(value: Any) -> Ref | str | Unknown | None:
    """A link target: keep Refs, render everything else to text (Unknown when it cannot be)."""
    if value is None or isinstance(value, Ref | Unknown):
        return value
    if isinstance(value, list) and len(value) == 1:
        return ref_or_text(value[0])
    return to_text(value)


Link = Ref | str | Unknown | None


def link(value: Any) -> Link:
    """A link target: Refs (also `${…}` markers with instance keys), literal text, or Unknown."""
    target = ref_or_text(value)
    return (ref_marker(target) or target) if isinstance(target, str) else target


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def ldict_location(value: Any, fallback: Location) -> Location:
    if isinstance(value, LDict) and value.line and value.path:
        return Location(value.path, value.line, value.end_line)
    return fallback


def expr_text(expr: hcl.Expr | None) -> str:
    """An expression as written (`${var.project}`), to show a value that could not be evaluated."""

    def inner(node: Any) -> str:
        if isinstance(node, hcl.Name):
            return node.name
        if isinstance(node, hcl.GetAttr):
            return f"{inner(node.base)}.{node.name}"
        if isinstance(node, hcl.Index):
            literal = node.key.value if isinstance(node.key, hcl.Literal) else None
            key = f'"{literal}"' if isinstance(literal, str) else literal if literal is not None else inner(node.key)
            return f"{inner(node.base)}[{key}]"
        return "…"

    if isinstance(expr, hcl.Template):
        return "".join(p if isinstance(p, str) else f"${{{inner(p)}}}" for p in expr.parts)
    return f"${{{inner(expr)}}}" if expr is not None else ""


def text_of(record: TfRecord, attr: str) -> tuple[str, str | None]:
    """(text, unknown reason): Refs render as markers, unevaluated values as the expression written."""
    text = to_text(record.get(attr))
    if isinstance(text, Unknown):
        return expr_text(record.expr(attr)), text.reason
    return text, None


def data_record(record: TfRecord, attr: str, data_type: str) -> TfRecord | None:
    """The `data "<data_type>"` block an attribute refers to (`data.google_iam_policy.x.policy_data`)."""
    expr = record.expr(attr)
    node = expr.parts[0] if isinstance(expr, hcl.Template) and len(expr.parts) == 1 else expr
    names: list[str] = []
    while isinstance(node, hcl.GetAttr | hcl.Index):
        if isinstance(node, hcl.GetAttr):
            names.append(node.name)
        node = node.base
    if not isinstance(node, hcl.Name) or node.name != "data" or len(names) < 2 or names[-1] != data_type:
        return None
    return record.instance.data_record(f"{data_type}.{names[-2]}")
