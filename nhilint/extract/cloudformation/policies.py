"""CloudFormation policies: inline `Policies` and `ManagedPolicyArns` of principals, `AWS::IAM::Policy`,
`AWS::IAM::ManagedPolicy` (kept until its attachments are resolved) and `AWS::IAM::UserToGroupAddition`."""

from __future__ import annotations

from typing import Any

from nhilint.extract import documents
from nhilint.extract.aws_links import GROUP, PLATFORM, POLICY, ROLE, USER
from nhilint.extract.cloudformation.base import (
    Handler,
    Stack,
    add_document,
    attach,
    identity_id,
    link,
    links,
    name_of,
    policy_value,
    text_of,
)
from nhilint.extract.pending import ManagedPolicy, PendingAttachment, PendingMembership
from nhilint.iam.policy import parse_document
from nhilint.model import Grant, PermissionDocument, Unknown
from nhilint.parse.cloudformation import Resource
from nhilint.values import LDict, Ref


def principal_policies(stack: Stack, resource: Resource, props: LDict, me: Ref, types: tuple[str, ...]) -> None:
    """`Policies` (inline) and `ManagedPolicyArns` of a role, user or group."""
    address = me.address
    policies = props.get("Policies")
    for policy in policies if isinstance(policies, list) else [policies] if policies is not None else []:
        if not isinstance(policy, dict):
            reason = policy.reason if isinstance(policy, Unknown) else "a Policies entry is not a mapping"
            grant = Grant(
                None, (), (), "inline policy", address, stack.at(props, "Policies"), resource.location, unknown=reason
            )
            stack.builder.add_grant(grant, me, types)
            continue
        name = text_of(policy.get("PolicyName", "inline"))
        where = stack.at(policy, "PolicyDocument") if isinstance(policy, LDict) else stack.at(props, "Policies")
        add_document(
            stack, policy.get("PolicyDocument"), where, me, types, f"inline policy {name}", address, resource.location
        )
    attach(
        stack,
        props.get("ManagedPolicyArns"),
        me,
        types,
        stack.at(props, "ManagedPolicyArns"),
        f"ManagedPolicyArns of {address}",
    )


def _targets(props: LDict, *keys: tuple[str, tuple[str, ...]]) -> list[tuple[Any, tuple[str, ...]]]:
    return [(target, types) for key, types in keys for target in links(props.get(key))]


def policy(stack: Stack, resource: Resource) -> None:
    """AWS::IAM::Policy: an inline policy embedded in each role, user and group it names."""
    props = stack.properties(resource)
    address = stack.address(resource.logical_id)
    via = f"inline policy {text_of(props.get('PolicyName', resource.logical_id))} ({address})"
    targets = _targets(props, ("Roles", ROLE), ("Users", USER), ("Groups", GROUP)) or [(None, ROLE)]
    written = PermissionDocument(identity_id(address), "inline_policy", PLATFORM, address, resource.location)
    documents.add(stack.builder, documents.Written(written, ()))
    for target, types in targets:
        add_document(
            stack,
            props.get("PolicyDocument"),
            stack.at(props, "PolicyDocument"),
            target,
            types,
            via,
            address,
            resource.location,
        )


def principal_policy(key: str, types: tuple[str, ...]) -> Handler:
    """AWS::IAM::RolePolicy / UserPolicy / GroupPolicy: one inline policy of one principal."""

    def handler(stack: Stack, resource: Resource) -> None:
        props = stack.properties(resource)
        address = stack.address(resource.logical_id)
        via = f"inline policy {text_of(props.get('PolicyName', resource.logical_id))} ({address})"
        add_document(
            stack,
            props.get("PolicyDocument"),
            stack.at(props, "PolicyDocument"),
            link(props.get(key)),
            types,
            via,
            address,
            resource.location,
        )

    return handler


def managed_policy(stack: Stack, resource: Resource) -> None:
    props = stack.properties(resource)
    address = stack.address(resource.logical_id)
    where = stack.at(props, "PolicyDocument")
    document = parse_document(policy_value(props.get("PolicyDocument")), stack.path, where.start_line, where.end_line)
    managed = ManagedPolicy(
        identity_id(address), address, name_of(props.get("ManagedPolicyName")), document, resource.location
    )
    stack.builder.add_policy(managed, POLICY[0])
    written = PermissionDocument(managed.id, "managed_policy", PLATFORM, address, resource.location, managed.name)
    documents.add(stack.builder, documents.Written(written, ()))
    for target, types in _targets(props, ("Roles", ROLE), ("Users", USER), ("Groups", GROUP)):
        stack.builder.attachments.append(PendingAttachment(Ref(address), target, types, resource.location, address))


def user_to_group(stack: Stack, resource: Resource) -> None:
    props = stack.properties(resource)
    group_target = link(props.get("GroupName"))
    for user_target in links(props.get("Users")):
        stack.builder.memberships.append(
            PendingMembership(
                user_target, group_target, text_of(group_target), resource.location, stack.address(resource.logical_id)
            )
        )
