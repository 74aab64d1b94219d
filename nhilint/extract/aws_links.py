"""AWS links resolved once a format's resources are all read; Terraform and CloudFormation share this.

Instance profiles become aliases of their role; managed policy attachments become one Grant per statement of
the policy (so one policy attached to three roles gives each role its own grants, pointing at the statement
a user would edit), or one grant naming a policy outside the code; group memberships become grants;
Secrets Manager rotations reach their secret; trust principals naming an OIDC provider of the code name its
issuer. Each format calls `resolve_aws_links` when it finishes; the Builder's pending lists are consumed, so
a format resolves what it wrote against everything read so far.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from nhilint.extract.builder import Builder
from nhilint.extract.pending import ManagedPolicy, PendingAttachment
from nhilint.iam.policy import Statement
from nhilint.model import ActionPattern, Fact, Grant, Location, Membership, PolicyRef, Unknown
from nhilint.values import to_text

PLATFORM: Final = "aws"
ROLE = ("aws_iam_role",)
USER = ("aws_iam_user",)
GROUP = ("aws_iam_group",)
POLICY = ("aws_iam_policy",)
ROLE_OR_PROFILE = ("aws_iam_role", "aws_iam_instance_profile")
SECRET = ("aws_secretsmanager_secret",)
INSTANCE_PROFILE = "aws_iam_instance_profile"


def statement_grant(statement: Statement, via: str, source: str, block: Location) -> Grant:
    """One IAM policy statement as a Grant (the principal is linked by the caller)."""
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


def resolve_aws_links(builder: Builder) -> None:
    """Resolve instance-profile aliases, attachments, memberships, rotations and OIDC provider names."""
    for alias in builder.aliases:
        role_id = builder.resolve(alias.role, ROLE, PLATFORM)
        if isinstance(role_id, str):
            builder.register(alias.address, role_id, INSTANCE_PROFILE, alias.name)
    builder.aliases.clear()
    _resolve_attachments(builder)
    _resolve_memberships(builder)
    _resolve_rotations(builder)
    _name_oidc_providers(builder)


def _resolve_attachments(builder: Builder) -> None:
    attached: set[str] = set()
    for attachment in builder.attachments:
        policy_id = builder.resolve(attachment.policy, POLICY, PLATFORM)
        managed = builder.policies.get(policy_id) if isinstance(policy_id, str) else None
        if managed is not None:
            attached.add(managed.id)
            _managed_grants(builder, managed, attachment)
        else:
            _named_policy_grant(builder, attachment)
    builder.attachments.clear()
    for policy_id in builder.unsettled_policies:
        if policy_id in attached:
            continue
        managed = builder.policies[policy_id]
        for statement in managed.document.statements:
            builder.inventory.grants.append(
                statement_grant(
                    statement,
                    f"managed policy {managed.address} (not attached in the scanned code)",
                    managed.address,
                    managed.location,
                )
            )
    builder.unsettled_policies.clear()


def _managed_grants(builder: Builder, managed: ManagedPolicy, attachment: PendingAttachment) -> None:
    """A policy of the code attached to a principal: one grant per statement (one if it is not readable)."""
    label = f"managed policy {managed.address} attached by {attachment.via}"
    principal, types = attachment.principal, attachment.principal_types
    if managed.document.unknown:
        grant = Grant(
            None,
            (),
            (),
            label,
            managed.address,
            managed.location,
            managed.location,
            unknown=managed.document.unknown,
        )
        builder.add_grant(grant, principal, types)
    for statement in managed.document.statements:
        builder.add_grant(statement_grant(statement, label, managed.address, managed.location), principal, types)


def _named_policy_grant(builder: Builder, attachment: PendingAttachment) -> None:
    """A policy outside the code (an AWS managed policy ARN, a name): one grant naming it."""
    policy, via, where = attachment.policy, attachment.via, attachment.location
    text = policy if isinstance(policy, Unknown) else to_text(policy)
    if isinstance(text, Unknown):
        grant = Grant(
            None,
            (),
            (),
            f"policy attached by {via}",
            via,
            where,
            where,
            permission_type="managed_policy",
            unknown=text.reason,
        )
    else:
        grant = Grant(
            None,
            (PolicyRef(text),),
            (),
            f"managed policy attached by {via}",
            via,
            where,
            where,
            permission_type="managed_policy",
        )
    builder.add_grant(grant, attachment.principal, attachment.principal_types)


def _resolve_memberships(builder: Builder) -> None:
    for membership in builder.memberships:
        group_id = builder.resolve(membership.group, GROUP, PLATFORM)
        shown = group_id if isinstance(group_id, str) else membership.shown
        via, where = membership.via, membership.location
        grant = Grant(
            None, (Membership(shown),), (), f"group membership {via}", via, where, where, permission_type="group"
        )
        builder.add_grant(grant, membership.user, USER)
    builder.memberships.clear()


def _resolve_rotations(builder: Builder) -> None:
    by_id: dict[str, Fact] = {}
    for pending in builder.rotations:
        secret_id = builder.resolve(pending.secret, SECRET, PLATFORM)
        if isinstance(secret_id, str):
            by_id[secret_id] = pending.rotation
    builder.rotations.clear()
    if not by_id:
        return
    credentials = builder.inventory.credentials
    for index, credential in enumerate(credentials):
        if credential.id in by_id and credential.rotation is None:
            credentials[index] = replace(credential, rotation=by_id[credential.id])


def _name_oidc_providers(builder: Builder) -> None:
    """A Federated principal naming an OIDC provider of the code gets its issuer as `provider`, and reads
    `oidc-provider/<issuer>` (as the provider's ARN ends) rather than the reference."""
    issuers = {name: provider.issuer for provider in builder.oidc_providers for name in provider.names}
    builder.oidc_providers.clear()
    if not issuers:
        return
    trusts = builder.inventory.trusts
    for index, trust in enumerate(trusts):
        principals = tuple(
            replace(p, identifier=f"oidc-provider/{issuers[p.identifier]}", provider=issuers[p.identifier])
            if p.type == "Federated" and isinstance(p.identifier, str) and p.identifier in issuers
            else p
            for p in trust.principals
        )
        if principals != trust.principals:
            trusts[index] = replace(trust, principals=principals)
