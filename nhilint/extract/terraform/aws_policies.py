"""AWS IAM policies (Terraform): managed and inline policies, their attachments, group memberships, trusts.

Managed policies are collected first and turned into grants when their attachments are resolved, so one
policy attached to three roles gives each role its own grants, pointing at the statement a user would edit.
CloudFormation shares these grant shapes (`statement_grant`) and principal types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nhilint.extract.builder import Builder
from nhilint.extract.common import Handler, as_list, identity_id, ref_or_text
from nhilint.iam.policy import Document, Statement, parse_document
from nhilint.model import ActionPattern, Grant, Location, Membership, PolicyRef, Trust, Unknown
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import Ref, to_text

PLATFORM = "aws"
ROLE = ("aws_iam_role",)
USER = ("aws_iam_user",)
GROUP = ("aws_iam_group",)
POLICY = ("aws_iam_policy",)
ROLE_OR_PROFILE = ("aws_iam_role", "aws_iam_instance_profile")


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A customer managed policy in the code (aws_iam_policy), kept until its attachments are resolved."""

    id: str
    address: str
    name: str | Unknown | None
    document: Document
    location: Location


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
    builder.policies[policy.id] = policy
    builder.register(resource.address, policy.id, resource.type, policy.name)


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
    builder.extra["memberships"].append((user_ref, group_ref, resource.location, resource.address))


def attach_policies(
    builder: Builder, policy: Any, principal: Any, types: tuple[str, ...], location: Location, via: str
) -> None:
    builder.attachments.append((policy, principal, types, location, via))


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


def statement_grant(statement: Statement, via: str, source: str, block: Location) -> Grant:
    return Grant(
        principal=None,
        permissions=tuple(ActionPattern(a) for a in statement.actions),
        scope=statement.resources,
        via=via,
        source=source,
        location=Location(statement.path, statement.line, statement.end_line),
        block=block,
        effect=statement.effect,
        not_actions=statement.not_actions,
        not_resources=statement.not_resources,
        conditions=statement.conditions,
        unknown=statement.unknown,
    )


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


# -- after every resource is seen ------------------------------------------------------------------


def resolve_attachments(builder: Builder) -> None:
    for policy_ref, principal, types, location, via in builder.attachments:
        policy_id = builder.resolve(policy_ref, POLICY, PLATFORM)
        policy = builder.policies.get(policy_id) if isinstance(policy_id, str) else None
        if policy is not None:
            label = f"managed policy {policy.address} attached by {via}"
            if policy.document.unknown:
                grant = Grant(
                    None,
                    (),
                    (),
                    label,
                    policy.address,
                    policy.location,
                    policy.location,
                    unknown=policy.document.unknown,
                )
                builder.add_grant(grant, principal, types)
            for statement in policy.document.statements:
                builder.add_grant(statement_grant(statement, label, policy.address, policy.location), principal, types)
            continue
        text = to_text(policy_ref) if not isinstance(policy_ref, Unknown) else policy_ref
        if isinstance(text, Unknown):
            builder.add_grant(
                Grant(
                    None,
                    (),
                    (),
                    f"policy attached by {via}",
                    via,
                    location,
                    location,
                    permission_type="managed_policy",
                    unknown=text.reason,
                ),
                principal,
                types,
            )
            continue
        builder.add_grant(
            Grant(
                None,
                (PolicyRef(text),),
                (),
                f"managed policy attached by {via}",
                via,
                location,
                location,
                permission_type="managed_policy",
            ),
            principal,
            types,
        )
    attached = {p for p, *_ in builder.attachments}
    attached_ids = {builder.resolve(p, POLICY, PLATFORM) for p in attached}
    for policy in builder.policies.values():
        if policy.id in attached_ids:
            continue
        for statement in policy.document.statements:
            builder.inventory.grants.append(
                statement_grant(
                    statement,
                    f"managed policy {policy.address} (not attached in the scanned code)",
                    policy.address,
                    policy.location,
                )
            )


def resolve_memberships(builder: Builder) -> None:
    for user_ref, group_ref, location, via in builder.extra.get("memberships", []):
        group_id = builder.resolve(group_ref, GROUP, PLATFORM)
        shown = group_id if isinstance(group_id, str) else str(group_ref)
        grant = Grant(
            None, (Membership(shown),), (), f"group membership {via}", via, location, location, permission_type="group"
        )
        builder.add_grant(grant, user_ref, USER)
