"""Azure compute that runs code as a managed identity (Terraform): what it is and where it is.

A VM, scale set, App Service, Function App, Container App or Automation account with an `identity` block runs
code as that identity, so whoever may change that code (run a command, publish a runbook, deploy a site)
acts as the identity. The usage of the identity (`extract.terraform.azure.identity_blocks`) carries these
facts for the escalation analysis (nhilint.analyse.cloud_roles, NHI-PRIV-007).

Where something is placed: its resource group, as a literal name or a reference to an in-code group. Once every
resource is read, a reference to a group whose name is a literal also gets that name (`settle_placement`), so
a role assignment's scope matches whether it names the group by reference or by its id written out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Final

from nhilint.extract.common import link
from nhilint.model import Unknown
from nhilint.parse.terraform import TfResource

if TYPE_CHECKING:
    from nhilint.extract.builder import Builder
from nhilint.values import Ref, refs_in_text, to_text

# Compute that runs code as its managed identity, by what the escalation catalogue calls it (`runs_on` in
# nhilint/data/escalation/azure.yaml): whoever can change what it runs acts as its identity.
COMPUTE: Final = {
    **dict.fromkeys(
        ("azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine", "azurerm_virtual_machine"),
        "virtual_machine",
    ),
    **dict.fromkeys(
        (
            "azurerm_linux_virtual_machine_scale_set",
            "azurerm_windows_virtual_machine_scale_set",
            "azurerm_virtual_machine_scale_set",
            "azurerm_orchestrated_virtual_machine_scale_set",
        ),
        "vm_scale_set",
    ),
    **dict.fromkeys(
        (
            "azurerm_linux_web_app",
            "azurerm_windows_web_app",
            "azurerm_linux_web_app_slot",
            "azurerm_windows_web_app_slot",
            "azurerm_app_service",
        ),
        "web_app",
    ),
    **dict.fromkeys(
        (
            "azurerm_linux_function_app",
            "azurerm_windows_function_app",
            "azurerm_linux_function_app_slot",
            "azurerm_windows_function_app_slot",
            "azurerm_function_app",
            "azurerm_function_app_flex_consumption",
        ),
        "function_app",
    ),
    "azurerm_container_app": "container_app",
    "azurerm_automation_account": "automation_account",
}


def compute_placement(resource: TfResource) -> tuple[tuple[str, str], ...]:
    """For compute that runs code as its identity (COMPUTE): what it is and where it is, so the escalation
    analysis can tell whether a grant's scope contains it (`runs`, `name`, `resource_group` literal or
    `resource_group_address` when written as a reference)."""
    category = COMPUTE.get(resource.type)
    if category is None:
        return ()
    placed = [("runs", category)]
    name = to_text(resource.get("name")) if resource.has("name") else None
    if isinstance(name, str):
        placed.append(("name", name))
    group = _link(resource.get("resource_group_name")) if resource.has("resource_group_name") else None
    if isinstance(group, Ref):
        placed.append(("resource_group_address", group.address))
    elif isinstance(group, str):
        placed.append(("resource_group", group))
    return tuple(placed)


def principal_link(value: object) -> Ref | str | Unknown | None:
    """A `principal_id`/`object_id` as a link; `azurerm_linux_virtual_machine.vm.identity[0].principal_id`
    names the VM's system-assigned identity (`<address>.identity`)."""
    target = link(value)
    if isinstance(target, Ref) and (target.attribute or "").startswith("identity"):
        return Ref(f"{target.address}.identity")
    return target


def _link(value: object) -> Ref | str | None:
    target = link(value)
    return None if isinstance(target, Unknown) else target


@dataclass
class ResourceGroups:
    """The literal names of the resource groups in the code, by address (a Builder side record)."""

    names: dict[str, str] = field(default_factory=dict)


def resource_group(resource: TfResource, builder: Builder) -> None:
    """An `azurerm_resource_group`: remembered by address when its name is a literal (not one made of other
    resources' attributes, `"${random_id.prefix.hex}-rg"`, known only after apply)."""
    name = to_text(resource.get("name")) if resource.has("name") else None
    if isinstance(name, str) and not refs_in_text(name):
        builder.side(ResourceGroups).names[resource.address] = name


def settle_placement(builder: Builder) -> None:
    """Compute and key vaults that name their group by reference also get its literal name."""
    names = builder.side(ResourceGroups).names
    if not names:
        return
    usages = builder.inventory.usages
    for index, usage in enumerate(usages):
        placed = dict(usage.attributes)
        group = names.get(placed.get("resource_group_address") or "")
        if group is not None and "resource_group" not in placed:
            usages[index] = replace(usage, attributes=(*usage.attributes, ("resource_group", group)))
    vaults = builder.inventory.key_vaults
    for index, vault in enumerate(vaults):
        group = names.get(vault.resource_group_address or "")
        if group is not None and vault.resource_group is None:
            vaults[index] = replace(vault, resource_group=group)
