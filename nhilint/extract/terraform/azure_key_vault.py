"""Azure Key Vault access policies (Terraform): the secret, key and certificate permissions they give.

A vault using access policies (`enable_rbac_authorization` not true) lets each policy's `object_id` use its
secrets, keys and certificates, whatever its Azure roles say: a grant as real as a role assignment. Both forms
are read: `azurerm_key_vault_access_policy` and the `access_policy {}` blocks of `azurerm_key_vault` (the
latter not when the vault says `enable_rbac_authorization = true`, where Azure ignores them). Each becomes one
Grant on the vault (scope: the vault's reference or id as written) whose permissions read `secrets/Get`,
`keys/Decrypt` …, resolved to the identity whose `principal_id`/`object_id` the policy names when it is in
the scan.
"""

from __future__ import annotations

from nhilint.extract.builder import Builder
from nhilint.extract.common import as_list, text_of
from nhilint.extract.terraform.azure_compute import principal_link
from nhilint.model import ActionPattern, Grant, TargetRef, Unknown
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import to_text

# Attribute -> the kind of vault object its permissions are on.
_PERMISSIONS = (
    ("secret_permissions", "secrets"),
    ("key_permissions", "keys"),
    ("certificate_permissions", "certificates"),
    ("storage_permissions", "storage"),
)


def access_policy(resource: TfResource, builder: Builder) -> None:
    """`azurerm_key_vault_access_policy`: one policy on the vault `key_vault_id` names."""
    scope, unknown = text_of(resource, "key_vault_id")
    _grant(resource, builder, resource, scope, unknown)


def vault_access_policies(resource: TfResource, builder: Builder) -> None:
    """The `access_policy {}` blocks of an `azurerm_key_vault`, unless the vault authorizes with RBAC."""
    if resource.has("enable_rbac_authorization") and resource.get("enable_rbac_authorization") is True:
        return
    scope = TargetRef(resource.address, "id", kind="resource")
    for block in resource.blocks("access_policy"):
        _grant(resource, builder, block, scope, None)


def _grant(resource: TfResource, builder: Builder, policy: TfRecord, scope: str, unknown: str | None) -> None:
    permissions = tuple(
        ActionPattern(f"{kind}/{text}")
        for attr, kind in _PERMISSIONS
        for item in as_list(policy.get(attr))
        if isinstance(text := to_text(item), str)
    )
    unread = [a for a, _ in _PERMISSIONS for item in as_list(policy.get(a)) if isinstance(to_text(item), Unknown)]
    reason = unknown or (f"{', '.join(dict.fromkeys(unread))} not evaluated" if unread else None)
    grant = Grant(
        None,
        permissions,
        (scope,),
        f"key vault access policy {resource.address}",
        resource.address,
        policy.location,
        resource.location,
        platform="azure",
        unknown=reason,
    )
    builder.add_grant(grant, principal_link(policy.get("object_id")), ())
