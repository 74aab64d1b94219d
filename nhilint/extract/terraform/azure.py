"""Azure (Terraform): Entra applications and service principals, managed identities, their secrets,
federated credentials and role assignments.

Applications, service principals, user-assigned identities and role definitions are read in the first
pass, so role assignments, credentials and usages resolve against them when they are seen.

- Lifecycle: azuread `tags` are a list of strings; `owner:team-x` / `owner=team-x` entries are read as tag
  pairs, then `# nhilint:` comments; a non-empty literal `owners` list is the owner fallback (source
  "owners"). A service principal without its own facts inherits its application's (`parent:<id>`).
- `end_date_relative` ("8760h") has no date until apply: the expiry Fact is the text
  "8760h after creation (365 days)", which counts as an expiry but is not compared with a date.
- System-assigned identities come from an `identity` block on any azurerm resource (the `PREFIXES` hook in
  `extract/terraform.py`): an identity at `<resource address>.identity`, used by the resource itself.
- Role assignments: Grant(permission_type "role", platform "azure", scope = (scope,)), permissions =
  (role name,). When the role is an in-code `azurerm_role_definition`, its `actions` and `data_actions`
  follow the name in `permissions` (so a rule sees `Microsoft.Authorization/*/write`), and its
  `not_actions`/`not_data_actions` are recorded as a Condition("NotActions", "azure:notActions", …).
- Key Vaults (where they are, RBAC or access policies) and their access policies, grants on the vault
  (nhilint.extract.terraform.azure_key_vault).
- Federated credentials are trusts on their application or managed identity: `subject` is a `sub` condition;
  a flexible credential's `claims_matching_expression` becomes one condition per claim it matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Final

from nhilint.extract.builder import Builder
from nhilint.extract.common import (
    Handler,
    Link,
    add_identity,
    add_literal_secret,
    as_list,
    credential_of,
    identity_id,
    link,
    plain_tags,
    rotation_from_time_rotating,
    text_of,
)
from nhilint.extract.lifecycle import Origin, given, inherit, resolve
from nhilint.extract.references import role_ref
from nhilint.extract.terraform.azure_compute import compute_placement, resource_group, settle_placement
from nhilint.extract.terraform.azure_compute import principal_link as principal_link  # entra_apps imports it here
from nhilint.extract.terraform.azure_key_vault import VAULT, access_policy, key_vault
from nhilint.extract.terraform.azure_roles import ROLE_DEFINITION, role_definition, role_of
from nhilint.extract.terraform.table import PlatformTable
from nhilint.model import (
    ActionPattern,
    Condition,
    CredentialKind,
    Fact,
    Grant,
    Identity,
    IdentityKind,
    Permission,
    Trust,
    TrustPrincipal,
    Unknown,
    Usage,
)
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import LDict, Ref, to_text

PLATFORM: Final = "azure"
APP = ("azuread_application",)
SP = ("azuread_service_principal",)
UAI_TYPE = "azurerm_user_assigned_identity"

_TAG_RE = re.compile(r"^\s*([^:=]+?)\s*[:=]\s*(.*?)\s*$")
_HOURS_RE = re.compile(r"^\s*(\d+)h\s*$")
_CLAIM_RE = re.compile(r"claims\[\s*'([^']+)'\s*\]\s+(matches|eq)\s+'([^']*)'\s*(?:and\s+|$)", re.IGNORECASE)
_UAI_ID_RE = re.compile(r"/userAssignedIdentities/([^/]+)$", re.IGNORECASE)


def first_link(resource: TfRecord, attrs: tuple[str, ...]) -> Link:
    return next((link(resource.get(a)) for a in attrs if resource.has(a)), None)


# -- Entra applications and service principals ------------------------------------------------------


def entra_tags(resource: TfRecord) -> Any:
    """azuread `tags = ["owner:team-x", "HideApp"]` -> {"owner": "team-x"} (Unknown stays Unknown)."""
    tags = resource.get("tags")
    if not isinstance(tags, list):
        return tags
    pairs = LDict(line=resource.line("tags"), path=resource.path)
    for item in tags:
        match = _TAG_RE.match(item) if isinstance(item, str) else None
        if match:
            pairs[match.group(1)] = match.group(2)
    return pairs


def entra_identity(resource: TfResource, builder: Builder, kind: IdentityKind, name: Any) -> Identity:
    tags = entra_tags(resource)
    owners = resource.get("owners")
    listed = isinstance(owners, list) and owners and all(isinstance(o, str) and "${" not in o for o in owners)
    owner = Fact(", ".join(owners), "owners", resource.at("owners")) if listed else None
    sources = builder.fact_sources(resource.location, tags, "tag", None, resource.at("tags"))
    lifecycle = resolve([*sources, given(Origin.OWN, owner=owner)])  # after its own tags
    identity = Identity(
        id=identity_id(PLATFORM, resource.address),
        kind=kind,
        platform=PLATFORM,
        address=resource.address,
        location=resource.location,
        name=name,
        tags=plain_tags(tags),
        lifecycle=lifecycle,
        multiplicity=resource.multiplicity,
    )
    return builder.add_identity(identity, resource.type)


def application(resource: TfResource, builder: Builder) -> None:
    name = to_text(resource.get("display_name")) if resource.has("display_name") else None
    entra_identity(resource, builder, "application", name)


def service_principal(resource: TfResource, builder: Builder) -> None:
    """Linked to its application in `finish`, where every application is known."""
    identity = entra_identity(resource, builder, "service_principal", None)
    builder.side(ServicePrincipals).apps.append((identity.id, first_link(resource, ("client_id", "application_id"))))


@dataclass(slots=True)
class ServicePrincipals:
    """Kept on the Builder (`builder.side(ServicePrincipals)`) for `finish`: (service principal id, its app)."""

    apps: list[tuple[str, Link]] = field(default_factory=list)


def _link_service_principals(builder: Builder) -> None:
    identities = builder.inventory.identities
    for sp_id, app_link in builder.side(ServicePrincipals).apps:
        sp = identities[sp_id]
        app_id = builder.lookup_address(app_link.address) if isinstance(app_link, Ref) else None
        app = identities.get(app_id) if isinstance(app_id, str) else None
        shown = app.id if app else to_text(app_link) if isinstance(app_link, Ref | str) else None
        identities[sp_id] = replace(
            sp,
            name=sp.name if sp.name is not None or app is None else app.name,
            attributes=(*sp.attributes, ("application", shown)) if isinstance(shown, str) else sp.attributes,
            lifecycle=inherit(sp.lifecycle, app) if app else sp.lifecycle,  # all four facts of its application
        )


# -- credentials -----------------------------------------------------------------------------------


def expiry(resource: TfResource) -> Fact | None:
    """`end_date` as written, or `end_date_relative` as text (its date is only known at apply)."""
    if resource.has("end_date"):
        text, reason = text_of(resource, "end_date")
        return Fact(Unknown(reason) if reason else text, "end_date", resource.at("end_date"))
    if resource.has("end_date_relative"):
        text, reason = text_of(resource, "end_date_relative")
        match = _HOURS_RE.match(text) if reason is None else None
        value = f"{text} after creation ({int(match.group(1)) / 24:g} days)" if match else f"{text} after creation"
        return Fact(Unknown(reason) if reason else value, "end_date_relative", resource.at("end_date_relative"))
    return None


def validity(resource: TfResource) -> tuple[tuple[str, str], ...]:
    """`end_date_relative = "8760h"` as the `validity_seconds` attribute NHI-EXP-002 compares with its limit."""
    if not resource.has("end_date_relative") or resource.has("end_date"):
        return ()
    text, reason = text_of(resource, "end_date_relative")
    match = _HOURS_RE.match(text) if reason is None else None
    return (("validity_seconds", str(int(match.group(1)) * 3600)),) if match else ()


def credential(kind: CredentialKind, parent_attrs: tuple[str, ...], types: tuple[str, ...], secret: bool) -> Handler:
    def handler(resource: TfResource, builder: Builder) -> None:
        cred = credential_of(
            resource,
            builder,
            kind,
            PLATFORM,
            expires=expiry(resource),
            rotation=rotation_from_time_rotating(resource, builder),
            attributes=validity(resource),
        )
        builder.add_credential(cred, first_link(resource, parent_attrs), types)
        if secret:
            add_literal_secret(resource, builder, "value", PLATFORM)

    return handler


def key_vault_secret(resource: TfResource, builder: Builder) -> None:
    """A Key Vault secret is a credential someone reads: without `expiration_date` it never expires
    (NHI-EXP-001); a literal `value` is a secret written in the code (NHI-CRED-002)."""
    expires = None
    if resource.has("expiration_date"):
        text, reason = text_of(resource, "expiration_date")
        expires = Fact(Unknown(reason) if reason else text, "expiration_date", resource.at("expiration_date"))
    credential = credential_of(
        resource,
        builder,
        "secret",
        PLATFORM,
        tags=True,
        expires=expires,
        rotation=rotation_from_time_rotating(resource, builder),
    )
    builder.add_credential(credential, None, ())
    add_literal_secret(resource, builder, "value", PLATFORM)


def federated_credential(parent_attrs: tuple[str, ...], types: tuple[str, ...]) -> Handler:
    """Trust: tokens of `issuer` whose `sub` equals `subject` (and `aud` one of the audiences)."""

    def handler(resource: TfResource, builder: Builder) -> None:
        issuer = to_text(resource.get("issuer"))
        key = issuer if isinstance(issuer, str) else "<unknown issuer>"
        conditions = []
        if resource.has("subject"):
            conditions.append(Condition("StringEquals", f"{key}:sub", (to_text(resource.get("subject")),)))
        audiences = [to_text(a) for a in as_list(resource.get("audiences", resource.get("audience")))]
        if audiences:
            conditions.append(Condition("StringEquals", f"{key}:aud", tuple(audiences)))
        trust = Trust(
            "",
            (TrustPrincipal("Federated", issuer),),
            (),
            tuple(conditions),
            f"federated identity credential {resource.address}",
            resource.at("subject"),
            resource.location,
            platform=PLATFORM,
        )
        builder.add_trust(trust, first_link(resource, parent_attrs), types)

    return handler


def flexible_federated_credential(resource: TfResource, builder: Builder) -> None:
    """`claims_matching_expression`: each `claims['C'] matches 'P'` (or `eq 'V'`) term becomes a condition on
    `<issuer>:C` (StringLike / StringEquals), so NHI-TRUST-003 reads it as it reads any OIDC trust; an
    expression it cannot read (not evaluated, `or`, other operators) is a `sub` condition with an Unknown."""
    issuer = to_text(resource.get("issuer"))
    key = issuer if isinstance(issuer, str) else "<unknown issuer>"
    expression = to_text(resource.get("claims_matching_expression"))
    conditions: list[Condition] = []
    if isinstance(expression, str):
        terms = list(_CLAIM_RE.finditer(expression.strip()))
        if terms and "".join(t.group(0) for t in terms) == expression.strip():
            conditions = [
                Condition(
                    "StringLike" if t.group(2).lower() == "matches" else "StringEquals",
                    f"{key}:{t.group(1)}",
                    (t.group(3),),
                )
                for t in terms
            ]
        else:
            expression = Unknown(f"claims_matching_expression {expression!r} is not understood")
    if isinstance(expression, Unknown):
        conditions = [Condition("StringLike", f"{key}:sub", (expression,))]
    if resource.has("audience"):
        conditions.append(Condition("StringEquals", f"{key}:aud", (to_text(resource.get("audience")),)))
    trust = Trust(
        "",
        (TrustPrincipal("Federated", issuer),),
        (),
        tuple(conditions),
        f"flexible federated identity credential {resource.address}",
        resource.at("claims_matching_expression"),
        resource.location,
        platform=PLATFORM,
    )
    builder.add_trust(trust, first_link(resource, ("application_id",)), APP)


# -- managed identities ----------------------------------------------------------------------------


def user_assigned_identity(resource: TfResource, builder: Builder) -> None:
    add_identity(resource, builder, "managed_identity", PLATFORM)


def find_uai(builder: Builder, value: Any) -> str | None:
    """An in-code user-assigned identity by reference, resource id or name."""
    target = link(value)
    found: str | Unknown | None = None
    if isinstance(target, Ref):
        found = builder.lookup_address(target.address)
    elif isinstance(target, str):
        match = _UAI_ID_RE.search(target)
        found = builder.by_name.get((UAI_TYPE, match.group(1) if match else target))
    identity = builder.inventory.identities.get(found) if isinstance(found, str) else None
    return identity.id if identity is not None and identity.kind == "managed_identity" else None


def identity_blocks(resource: TfResource, builder: Builder) -> None:
    """`identity { type = "SystemAssigned, UserAssigned" identity_ids = [...] }` on any azurerm resource."""
    used: list[str | None] = []
    for block in resource.blocks("identity"):
        kind = to_text(block.get("type"))
        if isinstance(kind, Unknown):
            builder.unresolved(
                f"{resource.address}.identity", f"identity type not evaluated: {kind.reason}", block.location
            )
            continue
        if "systemassigned" in kind.lower().replace(" ", ""):
            used.append(_system_identity(resource, builder, block).id)
        if "userassigned" in kind.lower().replace(" ", ""):
            used.extend(find_uai(builder, item) for item in as_list(block.get("identity_ids")))
    for block in resource.blocks("kubelet_identity"):
        used.append(find_uai(builder, block.get("user_assigned_identity_id")))
    placed = compute_placement(resource)
    for found in dict.fromkeys(u for u in used if u):
        usage = Usage(found, resource.address, resource.type, resource.location, attributes=placed)
        builder.add_usage(usage, None, (), PLATFORM)


def _system_identity(resource: TfResource, builder: Builder, block: TfRecord) -> Identity:
    tags = resource.get("tags") if resource.has("tags") else None
    address = f"{resource.address}.identity"
    identity = Identity(
        id=identity_id(PLATFORM, address),
        kind="managed_identity",
        platform=PLATFORM,
        address=address,
        location=block.location,
        name=to_text(resource.get("name")) if resource.has("name") else None,
        tags=plain_tags(tags),
        lifecycle=builder.lifecycle(resource.location, tags, "tag", None, resource.at("tags")),
        multiplicity=resource.multiplicity,
        attributes=(("assignment", "system"),),
    )
    return builder.add_identity(identity, "azurerm_system_assigned_identity")


# -- role definitions and assignments ---------------------------------------------------------------


def role_assignment(resource: TfResource, builder: Builder) -> None:
    name, definition = role_of(resource, builder, link(resource.get("role_definition_id")))
    scope, scope_unknown = text_of(resource, "scope")
    conditions: list[Condition] = []
    permissions: tuple[Permission, ...] = (role_ref(name),) if isinstance(name, str) else ()
    if definition is not None:
        permissions += tuple(ActionPattern(a) for a in definition.actions)
        if definition.not_actions:
            conditions.append(Condition("NotActions", "azure:notActions", definition.not_actions))
    if resource.has("condition"):
        conditions.append(Condition("ABAC", "condition", (to_text(resource.get("condition")),)))
    at = resource.at("role_definition_name" if resource.has("role_definition_name") else "role_definition_id")
    grant = Grant(
        None,
        permissions,
        (scope,),
        f"role assignment {resource.address}",
        resource.address,
        at,
        resource.location,
        permission_type="role",
        conditions=tuple(conditions),
        platform=PLATFORM,
        unknown=(name.reason if isinstance(name, Unknown) else None) or scope_unknown,
    )
    builder.add_grant(grant, principal_link(resource.get("principal_id")), ())


def finish(builder: Builder) -> None:
    _link_service_principals(builder)
    settle_placement(builder)


APP_IDS = ("application_id", "application_object_id")  # what an application credential names its application by

TABLE = PlatformTable(
    name=PLATFORM,
    first=frozenset({"azuread_application", "azuread_service_principal", UAI_TYPE, ROLE_DEFINITION, VAULT}),
    prefixes={"azurerm_": identity_blocks},
    finisher=finish,
    handlers={
        "azuread_application": application,
        "azuread_application_registration": application,
        "azuread_service_principal": service_principal,
        "azuread_application_password": credential("client_secret", APP_IDS, APP, True),
        "azuread_service_principal_password": credential("sp_password", ("service_principal_id",), SP, True),
        "azuread_application_certificate": credential("certificate", APP_IDS, APP, False),
        "azuread_service_principal_certificate": credential("certificate", ("service_principal_id",), SP, False),
        "azuread_application_federated_identity_credential": federated_credential(APP_IDS, APP),
        "azuread_application_flexible_federated_identity_credential": flexible_federated_credential,
        "azurerm_federated_identity_credential": federated_credential(
            ("parent_id", "user_assigned_identity_id"), (UAI_TYPE,)
        ),
        "azurerm_key_vault_secret": key_vault_secret,
        VAULT: key_vault,
        "azurerm_resource_group": resource_group,
        "azurerm_key_vault_access_policy": access_policy,
        UAI_TYPE: user_assigned_identity,
        ROLE_DEFINITION: role_definition,
        "azurerm_role_assignment": role_assignment,
    },
)
