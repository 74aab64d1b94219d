"""Azure Key Vaults (Terraform): where each vault is, how it authorizes data access, and its access policies.

Every `azurerm_key_vault` becomes a `KeyVault` with its resource group and its permission model: RBAC when
`enable_rbac_authorization` (azurerm < 4) or `rbac_authorization_enabled` (azurerm 4.x) is true, access
policies when neither is (Azure's default, false, when neither is written), unknown when one is written but
cannot be evaluated and none is true (the reason is kept, the model is never guessed). The escalation
analysis (NHI-PRIV-007) reads them: writing an access-policy vault grants its data.

A vault using access policies lets each policy's `object_id` use its secrets, keys and certificates,
whatever its Azure roles say: a grant as real as a role assignment. Both forms are read:
`azurerm_key_vault_access_policy` and the `access_policy {}` blocks of `azurerm_key_vault`; neither on a vault
that authorizes with RBAC, where Azure ignores access policies (a standalone policy is dropped when the vault
it names is in the scan and uses RBAC). On a vault whose model is unknown they are read, with the reason as
the grant's `unknown`. Each becomes one Grant on the vault (scope: the vault's reference or id as written)
whose permissions read `secrets/Get`, `keys/Decrypt` …, resolved to the identity whose
`principal_id`/`object_id` the policy names when it is in the scan.
"""

from __future__ import annotations

from typing import Any

from nhilint.extract.builder import Builder
from nhilint.extract.common import as_list, link, text_of
from nhilint.extract.terraform.azure_compute import principal_link
from nhilint.model import ActionPattern, Grant, TargetRef, Unknown
from nhilint.model_stores import KeyVault, VaultAuthorization
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import Ref, refs_in_text, to_text

VAULT = "azurerm_key_vault"
# The flag that switches a vault to RBAC authorization, by provider version (azurerm < 4, azurerm 4.x).
RBAC_FLAGS = ("enable_rbac_authorization", "rbac_authorization_enabled")

# Attribute -> the kind of vault object its permissions are on.
_PERMISSIONS = (
    ("secret_permissions", "secrets"),
    ("key_permissions", "keys"),
    ("certificate_permissions", "certificates"),
    ("storage_permissions", "storage"),
)


def authorization(resource: TfRecord) -> tuple[VaultAuthorization, str | None]:
    """How a vault authorizes data access, and why it is unknown when it is.

    The flags the code writes decide; when it writes none, a plan may still know the value the provider keeps
    (an existing vault's, from the state), which counts; otherwise Azure's default (access policies)."""
    unknown: list[str] = []
    written = [flag for flag in RBAC_FLAGS if resource.has(flag)]
    for flag in written or [flag for flag in RBAC_FLAGS if isinstance(resource.get(flag), bool)]:
        value = _flag(resource.get(flag))
        if value is True:
            return "rbac", None
        if value is None:
            unknown.append(f"{flag} not evaluated ({_why(resource.get(flag))})")
    if unknown:
        return "unknown", "; ".join(unknown)
    return "access_policies", None


def _why(value: Any) -> str:
    """Why a flag is no boolean: the Unknown's reason, or the reference it is made of (never other text)."""
    if isinstance(value, Unknown):
        return value.reason
    target = link(value)
    if isinstance(target, str) and (refs := refs_in_text(target)):
        target = refs[0][0]
    if isinstance(target, Ref):
        return f"it is {target}, known only after apply"
    return "not a boolean"


def _flag(value: Any) -> bool | None:
    """A boolean as Terraform reads it (`true`, `"true"`); None when it is not one."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def key_vault(resource: TfResource, builder: Builder) -> None:
    """An `azurerm_key_vault`: the vault, then its `access_policy {}` blocks unless it authorizes with RBAC."""
    mode, reason = authorization(resource)
    group = link(resource.get("resource_group_name")) if resource.has("resource_group_name") else None
    name = to_text(resource.get("name")) if resource.has("name") else None
    vault = KeyVault(
        resource.address,
        resource.location,
        mode,
        name=name,
        resource_group=group if isinstance(group, str | Unknown) else None,
        resource_group_address=group.address if isinstance(group, Ref) else None,
        unknown=reason,
    )
    builder.inventory.key_vaults.append(vault)
    if mode == "rbac":
        return
    scope = TargetRef(resource.address, "id", kind="resource")
    for block in resource.blocks("access_policy"):
        _grant(resource, builder, block, scope, _model_unknown(vault))


def access_policy(resource: TfResource, builder: Builder) -> None:
    """`azurerm_key_vault_access_policy`: one policy on the vault `key_vault_id` names, unless that vault is
    in the scan and authorizes with RBAC (vaults are read first)."""
    vault = _vault_of(builder, resource.get("key_vault_id"))
    if vault is not None and vault.authorization == "rbac":
        return
    scope, unknown = text_of(resource, "key_vault_id")
    _grant(resource, builder, resource, scope, unknown or (_model_unknown(vault) if vault else None))


def _vault_of(builder: Builder, value: Any) -> KeyVault | None:
    """The in-code vault a `key_vault_id` names: by reference, or by a literal id's vault name."""
    target = link(value)
    vaults = builder.inventory.key_vaults
    if isinstance(target, Ref):
        return next((v for v in vaults if v.address == target.address), None)
    if isinstance(target, str) and "/vaults/" in target.lower():
        name = target.rstrip("/").rsplit("/", 1)[-1].lower()
        named = [v for v in vaults if isinstance(v.name, str) and v.name.lower() == name]
        return named[0] if len(named) == 1 else None
    return None


def _model_unknown(vault: KeyVault) -> str | None:
    if vault.authorization != "unknown":
        return None
    return f"whether {vault.address} authorizes with RBAC (which ignores access policies): {vault.unknown}"


def _grant(resource: TfResource, builder: Builder, policy: TfRecord, scope: str, unknown: str | None) -> None:
    permissions = tuple(
        ActionPattern(f"{kind}/{text}")
        for attr, kind in _PERMISSIONS
        for item in as_list(policy.get(attr))
        if isinstance(text := to_text(item), str)
    )
    unread = [a for a, _ in _PERMISSIONS for item in as_list(policy.get(a)) if isinstance(to_text(item), Unknown)]
    notes = [
        *([unknown] if unknown else []),
        *([f"{', '.join(dict.fromkeys(unread))} not evaluated"] if unread else []),
    ]
    grant = Grant(
        None,
        permissions,
        (scope,),
        f"key vault access policy {resource.address}",
        resource.address,
        policy.location,
        resource.location,
        platform="azure",
        unknown="; ".join(notes) or None,
    )
    builder.add_grant(grant, principal_link(policy.get("object_id")), ())
