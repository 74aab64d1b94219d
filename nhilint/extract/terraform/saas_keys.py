"""SaaS keys and service users (Terraform): Datadog API and application keys, GitHub deploy keys with write
access, Snowflake service users.

Like the applications in `saas`, these hold standing access to a tenant with no person signing in:

- Datadog `datadog_api_key` (submits data for the organisation) and `datadog_application_key` (calls the
  API as the user that created it) are each an identity of kind `api_token` and its `api_key` credential,
  which never expires. An application key's `scopes` are its grants; a key without scopes carries every
  permission of its user, recorded as the scope `*`.
- GitHub `github_repository_deploy_key` with `read_only = false` can push to its repository: a
  `contents:write` grant whose principal is the key itself (the `deploy_key` credential `misc` records).
- Snowflake `snowflake_service_user`, `snowflake_legacy_service_user` and `snowflake_user` with
  `type = "SERVICE"` are identities of kind `service_account`. Each of `rsa_public_key` / `rsa_public_key_2`
  (two slots, so a key can be replaced without downtime) is a `public_key` credential; `days_to_expiry`
  is their validity. `default_role` is a `role` grant: the role every session of the user starts in,
  admin-equivalent for ACCOUNTADMIN, SECURITYADMIN and SYSADMIN (NHI-PRIV-004).
  `snowflake_grant_account_role` with a `user_name` grants its role to that user.
"""

from __future__ import annotations

from typing import Any, Final

from nhilint.extract.builder import Builder
from nhilint.extract.common import (
    Handler,
    add_identity,
    as_list,
    credential_of,
    identity_id,
    link,
    text_of,
)
from nhilint.model import (
    ActionPattern,
    CredentialKind,
    Fact,
    Grant,
    Identity,
    PermissionType,
    Platform,
    Unknown,
)
from nhilint.parse.terraform import TfResource
from nhilint.values import to_text

DATADOG: Final = "datadog"
GITHUB: Final = "github"
SNOWFLAKE: Final = "snowflake"
SNOWFLAKE_USERS = ("snowflake_service_user", "snowflake_legacy_service_user", "snowflake_user")
RSA_SLOTS = ("rsa_public_key", "rsa_public_key_2")
ALL_USER_PERMISSIONS = "*"  # an application key without scopes: everything its user may do


def _key(resource: TfResource, builder: Builder, identity: Identity, kind: CredentialKind, suffix: str) -> None:
    credential = credential_of(resource, builder, kind, identity.platform, part=suffix)
    builder.add_credential(credential, identity.id, ())


def _grant(
    resource: TfResource,
    principal: str,
    permissions: list[str],
    scope: str,
    via: str,
    attr: str,
    platform: Platform,
    unknown: str | None = None,
    permission_type: PermissionType = "scope",
) -> Grant:
    return Grant(
        principal,
        tuple(ActionPattern(p) for p in permissions),
        (scope,),
        via,
        resource.address,
        resource.at(attr),
        resource.location,
        permission_type=permission_type,
        platform=platform,
        unknown=unknown,
    )


# -- Datadog ---------------------------------------------------------------------------------------


def datadog_api_key(resource: TfResource, builder: Builder) -> None:
    identity = add_identity(resource, builder, "api_token", DATADOG, "name", None)
    _key(resource, builder, identity, "api_key", "key")


def datadog_application_key(resource: TfResource, builder: Builder) -> None:
    identity = add_identity(resource, builder, "api_token", DATADOG, "name", None)
    _key(resource, builder, identity, "api_key", "key")
    scopes = resource.get("scopes")
    if isinstance(scopes, Unknown):
        grant = _grant(resource, identity.id, [], DATADOG, "application key scopes", "scopes", DATADOG, scopes.reason)
    elif scopes:
        texts = [t for t in (to_text(s) for s in as_list(scopes)) if isinstance(t, str)]
        grant = _grant(resource, identity.id, texts, DATADOG, "application key scopes", "scopes", DATADOG)
    else:
        via = "unscoped application key: every permission of the user that created it"
        grant = _grant(resource, identity.id, [ALL_USER_PERMISSIONS], DATADOG, via, "name", DATADOG)
    builder.inventory.grants.append(grant)


# -- GitHub ----------------------------------------------------------------------------------------


def deploy_key_write(resource: TfResource, builder: Builder) -> None:
    """A deploy key with `read_only = false` pushes to its repository (the provider's default is read only)."""
    if not resource.has("read_only"):
        return
    read_only = resource.get("read_only")
    if read_only is True or to_text(read_only) == "true":
        return
    repository, _ = text_of(resource, "repository")
    unknown = read_only.reason if isinstance(read_only, Unknown) else None
    principal = identity_id(GITHUB, resource.address)  # the deploy_key credential: the key is the principal
    builder.inventory.grants.append(
        _grant(resource, principal, ["contents:write"], repository, "writable deploy key", "read_only", GITHUB, unknown)
    )


# -- Snowflake -------------------------------------------------------------------------------------


def snowflake_user(resource: TfResource, builder: Builder) -> None:
    if resource.type == "snowflake_user" and str(to_text(resource.get("type"))).upper() != "SERVICE":
        return  # a person's login (type PERSON or unset)
    attributes: tuple[tuple[str, str], ...] = ()
    days, days_unknown = text_of(resource, "days_to_expiry") if resource.has("days_to_expiry") else ("", None)
    if days:
        attributes = (("days_to_expiry", days),)
    identity = add_identity(resource, builder, "service_account", SNOWFLAKE, "name", None, attributes=attributes)
    for slot in RSA_SLOTS:
        if resource.get(slot) is not None:  # an empty slot (unset, or null from a variable) holds no key
            _rsa_key(resource, builder, identity, slot, days, days_unknown)
    if resource.has("default_role"):
        role, reason = text_of(resource, "default_role")
        role = _role_name(resource.get("default_role"), role)
        permissions = [] if reason else [role]
        via = f"default role of {resource.address}"
        builder.inventory.grants.append(
            _grant(resource, identity.id, permissions, "account", via, "default_role", SNOWFLAKE, reason, "role")
        )


def _rsa_key(
    resource: TfResource, builder: Builder, identity: Identity, slot: str, days: str, days_unknown: str | None
) -> None:
    """One registered public key; the user's `days_to_expiry` bounds how long it signs in."""
    expires = None
    attributes: tuple[tuple[str, str], ...] = (("slot", slot),)
    if days_unknown:
        expires = Fact(Unknown(days_unknown), "days_to_expiry", resource.at("days_to_expiry"))
    elif days.isdigit():
        expires = Fact(f"{days} days", "days_to_expiry", resource.at("days_to_expiry"))
        attributes += (("validity_seconds", str(int(days) * 86400)),)
    credential = credential_of(
        resource,
        builder,
        "public_key",
        SNOWFLAKE,
        part=slot,
        location=resource.at(slot) or resource.location,
        expires=expires,
        attributes=attributes,
    )
    builder.add_credential(credential, identity.id, ())


def snowflake_role_grant(resource: TfResource, builder: Builder) -> None:
    if not resource.has("user_name"):
        return  # a role granted to a role, not to a user
    role, reason = text_of(resource, "role_name")
    role = _role_name(resource.get("role_name"), role)
    user = link(resource.get("user_name"))
    grant = Grant(
        None,
        () if reason else (ActionPattern(role),),
        ("account",),
        f"account role grant {resource.address}",
        resource.address,
        resource.at("role_name"),
        resource.location,
        permission_type="role",
        platform=SNOWFLAKE,
        unknown=reason,
    )
    builder.add_grant(grant, user, SNOWFLAKE_USERS)


def _role_name(value: Any, text: str) -> str:
    """Snowflake folds unquoted identifiers to upper case: `sysadmin` is SYSADMIN."""
    return text.upper() if isinstance(value, str) and not text.startswith('"') else text


HANDLERS: dict[str, Handler] = {
    "datadog_api_key": datadog_api_key,
    "datadog_application_key": datadog_application_key,
    "github_repository_deploy_key": deploy_key_write,
    **{user_type: snowflake_user for user_type in SNOWFLAKE_USERS},
    "snowflake_grant_account_role": snowflake_role_grant,
}
