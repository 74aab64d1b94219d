"""AWS IAM policies (Terraform): managed and inline policies, their attachments, group memberships, trusts.

Managed policies, attachments and memberships are recorded here and resolved by nhilint.extract.aws_links,
which CloudFormation shares.
"""

from __future__ import annotations

import re
from typing import Any

from nhilint.extract import documents
from nhilint.extract.aws_links import GROUP, PLATFORM, ROLE, USER, statement_grant
from nhilint.extract.builder import Builder
from nhilint.extract.common import Handler, as_list, identity_id, ref_or_text
from nhilint.extract.pending import ManagedPolicy, PendingAttachment, PendingMembership
from nhilint.iam.policy import parse_document
from nhilint.model import Grant, Location, PermissionDocument, Trust
from nhilint.parse.terraform import TerraformProject, TfRecord, TfResource
from nhilint.parse.terraform.policy_documents import render
from nhilint.parse.terraform.records import SourceFile, instance_suffix
from nhilint.values import LDict, Ref, to_text

POLICY_DOCUMENT = "aws_iam_policy_document"

# -- grants ----------------------------------------------------------------------------------------


def managed_policy(resource: TfResource, builder: Builder) -> None:
    document = parse_document(
        resource.get("policy"),
        resource.path,
        resource.value_line("policy"),
        errors=builder.inventory.errors,
        limits=builder.limits,
    )
    policy = ManagedPolicy(
        identity_id(PLATFORM, resource.address),
        resource.address,
        to_text(resource.get("name")) if resource.has("name") else None,
        document,
        resource.location,
    )
    builder.add_policy(policy, resource.type)
    written = PermissionDocument(policy.id, "managed_policy", PLATFORM, policy.address, policy.location, policy.name)
    documents.add(builder, documents.Written(written, ()))


def policy_documents(project: TerraformProject, builder: Builder) -> None:
    """Every `data "aws_iam_policy_document"` granting permissions (no `principals`: not a trust or resource
    policy), as a permission document whether or not a policy of the scan renders it.

    One that something in its module refers to (a policy nhilint could not evaluate, a `source_policy_documents`
    list, an output a caller uses) is taken as in use even when no grant of the scan comes from it.
    """
    referenced: dict[str, set[str]] = {}  # module directory -> names of policy documents referred to
    for instance in project.instances():
        module = instance.module
        if module.dir not in referenced:
            referenced[module.dir] = _references(module.files)
        for source, block in module.blocks("data"):
            if len(block.labels) != 2 or block.labels[0] != POLICY_DOCUMENT:
                continue
            record = TfRecord(instance, source, block)
            with instance.evaluating(source.path):
                rendered = render(record)
            address = f"{instance.prefix}data.{POLICY_DOCUMENT}.{block.labels[1]}"
            in_use = "referred to by code that is not a policy of an identity in the scan"
            used = in_use if block.labels[1] in referenced[module.dir] else None
            for key, value in rendered if isinstance(rendered, list) else [(None, rendered)]:
                _policy_document(builder, record, f"{address}{instance_suffix(key)}", value, used)


_REFERENCE = re.compile(rf"\bdata\.{POLICY_DOCUMENT}\.([A-Za-z0-9_-]+)")


def _references(files: list[SourceFile]) -> set[str]:
    """Names of the policy documents the module's code refers to, outside each document's own block."""
    found: set[str] = set()
    for source in files:
        own = {
            (line, block.labels[1])
            for block in source.body.blocks
            if block.type == "data" and len(block.labels) == 2 and block.labels[0] == POLICY_DOCUMENT
            for line in range(block.line, block.end_line + 1)
        }
        for number, text in enumerate(source.text_lines, start=1):
            found.update(name for name in _REFERENCE.findall(text) if (number, name) not in own)
    return found


def _policy_document(builder: Builder, record: TfRecord, address: str, value: object, in_use: str | None) -> None:
    json = value.get("json") if isinstance(value, LDict) else None
    document = parse_document(json, record.path, record.block.line, limits=builder.limits)
    if document.unknown or any(s.principals for s in document.statements):
        return
    via = f"policy document {address} (not used by a policy in the scanned code)"
    statements = tuple(statement_grant(s, via, address, record.location) for s in document.statements)
    written = PermissionDocument(identity_id(PLATFORM, address), "policy_document", PLATFORM, address, record.location)
    documents.add(builder, documents.Written(written, statements, in_use=in_use))


def inline_policy(principal_types: tuple[str, ...], principal_attr: str) -> Handler:
    def handler(resource: TfResource, builder: Builder) -> None:
        target = ref_or_text(resource.get(principal_attr))
        name = to_text(resource.get("name")) if resource.has("name") else resource.name
        policy_grants(
            resource,
            builder,
            target,
            "policy",
            f"inline policy {name} ({resource.address})",
            resource.address,
            resource.location,
            principal_types,
        )

    return handler


def policy_attachment(principal_types: tuple[str, ...], principal_attr: str) -> Handler:
    def handler(resource: TfResource, builder: Builder) -> None:
        attach_policies(
            builder,
            ref_or_text(resource.get("policy_arn")),
            ref_or_text(resource.get(principal_attr)),
            principal_types,
            resource.location,
            resource.address,
        )

    return handler


def multi_attachment(resource: TfResource, builder: Builder) -> None:
    policy = ref_or_text(resource.get("policy_arn"))
    for attr, types in (("roles", ROLE), ("users", USER), ("groups", GROUP)):
        for principal in as_list(resource.get(attr)):
            attach_policies(builder, policy, ref_or_text(principal), types, resource.location, resource.address)


def exclusive_attachments(resource: TfResource, builder: Builder) -> None:
    attr, types = next(
        ((a, t) for a, t in (("role_name", ROLE), ("user_name", USER), ("group_name", GROUP)) if resource.has(a)),
        ("role_name", ROLE),
    )
    for arn in as_list(resource.get("policy_arns")):
        attach_policies(
            builder, ref_or_text(arn), ref_or_text(resource.get(attr)), types, resource.location, resource.address
        )


def user_group_membership(resource: TfResource, builder: Builder) -> None:
    for group_ref in as_list(resource.get("groups")):
        _membership(builder, ref_or_text(resource.get("user")), ref_or_text(group_ref), resource)


def group_membership(resource: TfResource, builder: Builder) -> None:
    for user_ref in as_list(resource.get("users")):
        _membership(builder, ref_or_text(user_ref), ref_or_text(resource.get("group")), resource)


def _membership(builder: Builder, user_ref: Any, group_ref: Any, resource: TfResource) -> None:
    builder.memberships.append(
        PendingMembership(user_ref, group_ref, str(group_ref), resource.location, resource.address)
    )


def attach_policies(
    builder: Builder, policy: Any, principal: Any, types: tuple[str, ...], location: Location, via: str
) -> None:
    builder.attachments.append(PendingAttachment(policy, principal, types, location, via))


def policy_grants(
    record: TfRecord,
    builder: Builder,
    principal: Any,
    key: str,
    via: str,
    source: str,
    block: Location,
    types: tuple[str, ...] = ROLE,
) -> None:
    document = parse_document(
        record.get(key), record.path, record.value_line(key), errors=builder.inventory.errors, limits=builder.limits
    )
    if document.unknown:
        builder.add_grant(
            Grant(None, (), (), via, source, record.at(key), block, unknown=document.unknown), principal, types
        )
        return
    for statement in document.statements:
        builder.add_grant(statement_grant(statement, via, source, block), principal, types)


def role_trusts(resource: TfResource, builder: Builder, identity: Ref, value: Any, key: str) -> None:
    document = parse_document(
        value, resource.path, resource.value_line(key), errors=builder.inventory.errors, limits=builder.limits
    )
    if document.unknown:
        builder.add_trust(
            Trust(
                "", (), (), (), key, resource.at(key), resource.location, unknown=document.unknown, platform=PLATFORM
            ),
            identity,
            ROLE,
        )
        return
    for statement in document.statements:
        builder.add_trust(
            Trust(
                "",
                statement.principals,
                statement.actions,
                statement.conditions,
                key,
                Location(statement.path, statement.line, statement.end_line),
                resource.location,
                statement.effect,
                statement.unknown,
                platform=PLATFORM,
            ),
            identity,
            ROLE,
        )
