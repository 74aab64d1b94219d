"""Links between CloudFormation objects, resolved once every template has been read.

Instance profiles become aliases of their role; managed policy attachments become one Grant per statement
of the policy (or one grant naming an AWS managed policy); group memberships, Secrets Manager rotations and
OIDC provider names (so trust rules name the issuer, not the logical id) are filled in.
"""

from __future__ import annotations

from dataclasses import replace

from nhilint.extract.cloudformation.base import State, text_of
from nhilint.extract.terraform.aws_policies import GROUP, PLATFORM, POLICY, ROLE, USER, statement_grant
from nhilint.model import Fact, Grant, Membership, PolicyRef, Unknown
from nhilint.parse.cfn_eval import marker
from nhilint.values import Ref, to_text


def resolve_links(state: State) -> None:
    """Resolve instance-profile aliases, attachments, memberships, rotations and OIDC provider names."""
    builder = state.builder
    for address, name, target in state.aliases:
        role_id = builder.resolve(target, ROLE, PLATFORM)
        if isinstance(role_id, str):
            builder.register(address, role_id, "aws_iam_instance_profile", name)
    _resolve_attachments(state)
    for user_target, group_target, where, via in state.memberships:
        group_id = builder.resolve(group_target, GROUP, PLATFORM)
        shown = group_id if isinstance(group_id, str) else text_of(group_target)
        builder.add_grant(
            Grant(
                None, (Membership(shown),), (), f"group membership {via}", via, where, where, permission_type="group"
            ),
            user_target,
            USER,
        )
    _resolve_rotations(state)
    _name_oidc_providers(state)


def _resolve_attachments(state: State) -> None:
    builder = state.builder
    attached: set[str] = set()
    for policy_ref, principal, types, where, via in state.attachments:
        policy_id = builder.resolve(policy_ref, POLICY, PLATFORM)
        managed = builder.policies.get(policy_id) if isinstance(policy_id, str) else None
        if managed is not None:
            attached.add(managed.id)
            label = f"managed policy {managed.address} attached by {via}"
            if managed.document.unknown:
                builder.add_grant(
                    Grant(
                        None,
                        (),
                        (),
                        label,
                        managed.address,
                        managed.location,
                        managed.location,
                        unknown=managed.document.unknown,
                    ),
                    principal,
                    types,
                )
            for statement in managed.document.statements:
                builder.add_grant(
                    statement_grant(statement, label, managed.address, managed.location), principal, types
                )
            continue
        text = policy_ref if isinstance(policy_ref, Unknown) else to_text(policy_ref)
        if isinstance(text, Unknown):
            builder.add_grant(
                Grant(
                    None,
                    (),
                    (),
                    f"policy attached by {via}",
                    via,
                    where,
                    where,
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
                where,
                where,
                permission_type="managed_policy",
            ),
            principal,
            types,
        )
    for policy_id in state.policy_ids:
        managed = builder.policies[policy_id]
        if policy_id in attached:
            continue
        for statement in managed.document.statements:
            builder.inventory.grants.append(
                statement_grant(
                    statement,
                    f"managed policy {managed.address} (not attached in the scanned code)",
                    managed.address,
                    managed.location,
                )
            )


def _resolve_rotations(state: State) -> None:
    by_id: dict[str, Fact] = {}
    for target, fact in state.rotations:
        secret_id = state.builder.resolve(target, ("aws_secretsmanager_secret",), PLATFORM)
        if isinstance(secret_id, str):
            by_id[secret_id] = fact
    credentials = state.builder.inventory.credentials
    for index, credential in enumerate(credentials):
        if credential.id in by_id and credential.rotation is None:
            credentials[index] = replace(credential, rotation=by_id[credential.id])


def _name_oidc_providers(state: State) -> None:
    """`!Ref GitHubOidc` / `!GetAtt GitHubOidc.Arn` as a Federated principal -> `oidc-provider/<issuer>`."""
    if not state.oidc:
        return
    names = {marker(Ref(address)): host for address, host in state.oidc.items()}
    names.update({marker(Ref(address, "Arn")): host for address, host in state.oidc.items()})
    trusts = state.builder.inventory.trusts
    for index, trust in enumerate(trusts):
        principals = tuple(
            replace(p, identifier=f"oidc-provider/{names[p.identifier]}")
            if p.type == "Federated" and isinstance(p.identifier, str) and p.identifier in names
            else p
            for p in trust.principals
        )
        if principals != trust.principals:
            trusts[index] = replace(trust, principals=principals)
