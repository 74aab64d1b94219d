"""The model's stores of secrets whose access model decides who can reach them: Azure Key Vaults.

A Key Vault authorizes data access (its secrets, keys and certificates) either with Azure RBAC role
assignments or with its own access policies. Under access policies, whoever may write the vault (its access
policies or the vault itself, a management-plane permission) can grant itself the data: an escalation
(NHI-PRIV-007, method `azure-key-vault-access-policy`). Under RBAC the access policies are ignored and the
role assignments are the control. Kept beside nhilint.model (which holds them in `Inventory.key_vaults`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from nhilint.model_refs import Location
from nhilint.values import Unknown

# How a vault authorizes data access: `rbac`, `access_policies`, or `unknown` when the flag is written but
# cannot be evaluated (`KeyVault.unknown` says why): never guessed.
VaultAuthorization = Literal["rbac", "access_policies", "unknown"]


@dataclass(frozen=True, slots=True)
class KeyVault:
    """An Azure Key Vault the code creates, where it is, and how it authorizes data access.

    `resource_group` is the group's name (as written, or the literal name of the in-code group it names by
    reference); `resource_group_address` the address of that in-code group. Both say where the vault is, so
    that an analysis can tell whether a role assignment's scope contains it; neither is assumed when the code
    does not say.
    """

    address: str
    location: Location
    authorization: VaultAuthorization
    name: str | Unknown | None = None
    resource_group: str | Unknown | None = None
    resource_group_address: str | None = None
    unknown: str | None = None  # why `authorization` is unknown
    platform: str = "azure"

    def placement(self) -> tuple[tuple[str, str], ...]:
        """Where it is, in the terms of a compute usage's placement facts (`name`, `resource_group`,
        `resource_group_address`): what the scope analysis compares a role assignment's scope with."""
        placed = [("name", self.name)] if isinstance(self.name, str) else []
        if self.resource_group_address:
            placed.append(("resource_group_address", self.resource_group_address))
        if isinstance(self.resource_group, str):
            placed.append(("resource_group", self.resource_group))
        return tuple(placed)
