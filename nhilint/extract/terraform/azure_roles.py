"""Azure role definitions (Terraform): in-code `azurerm_role_definition`s and built-in roles by GUID.

Definitions are read in the first pass, so a role assignment naming one (by name, reference or GUID) gets its
actions; an assignment by the GUID of a built-in role reads as the role's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nhilint.extract import documents
from nhilint.extract.builder import Builder
from nhilint.extract.common import as_list, data_record, identity_id
from nhilint.extract.terraform.ai_roles import AI_BUILTIN_ROLES
from nhilint.model import ActionPattern, Condition, Grant, Permission, PermissionDocument, RoleRef, Unknown
from nhilint.parse.terraform import TfResource
from nhilint.values import Ref, to_text

ROLE_DEFINITION = "azurerm_role_definition"
Link = Ref | str | Unknown | None

# Built-in roles by definition GUID, so an assignment by id is as visible as one by name.
BUILTIN_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    **AI_BUILTIN_ROLES,
}


@dataclass(frozen=True, slots=True)
class RoleDefinition:
    """An `azurerm_role_definition`: its name, GUID and (data) actions."""

    address: str
    name: str | Unknown
    guid: str | None
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]


@dataclass(slots=True)
class RoleDefinitions:
    """The role definitions of the scan, kept on the Builder (`builder.side(RoleDefinitions)`)."""

    definitions: list[RoleDefinition] = field(default_factory=list)


def role_definition(resource: TfResource, builder: Builder) -> None:
    actions: list[str] = []
    not_actions: list[str] = []
    for block in resource.blocks("permissions"):
        for attr, into in (
            ("actions", actions),
            ("data_actions", actions),
            ("not_actions", not_actions),
            ("not_data_actions", not_actions),
        ):
            into.extend(t if isinstance(t := to_text(a), str) else str(t) for a in as_list(block.get(attr)))
    guid = resource.get("role_definition_id")
    definition = RoleDefinition(
        resource.address,
        to_text(resource.get("name")),
        guid if isinstance(guid, str) else None,
        tuple(actions),
        tuple(not_actions),
    )
    builder.side(RoleDefinitions).definitions.append(definition)
    _document(resource, builder, definition)


def _document(resource: TfResource, builder: Builder, definition: RoleDefinition) -> None:
    """The definition as a permission document: one grant of nobody on its assignable scopes."""
    name = definition.name
    scopes = [t for s in as_list(resource.get("assignable_scopes")) if isinstance(t := to_text(s), str)]
    scope = to_text(resource.get("scope")) if resource.has("scope") else None
    if not scopes and isinstance(scope, str):
        scopes = [scope]
    permissions: tuple[Permission, ...] = (RoleRef(name if isinstance(name, str) else resource.address),)
    permissions += tuple(ActionPattern(a) for a in definition.actions)
    conditions = (
        (Condition("NotActions", "azure:notActions", definition.not_actions),) if definition.not_actions else ()
    )
    blocks = resource.blocks("permissions")
    grant = Grant(
        None,
        permissions,
        tuple(scopes),
        f"role definition {resource.address} (not assigned in the scanned code)",
        resource.address,
        blocks[0].location if blocks else resource.location,
        resource.location,
        permission_type="role",
        conditions=conditions,
        platform="azure",
    )
    written = PermissionDocument(
        identity_id("azure", resource.address), "role_definition", "azure", resource.address, resource.location, name
    )
    names = (name, resource.address) if isinstance(name, str) else (resource.address,)
    documents.add(builder, documents.Written(written, (grant,), names))


def role_of(resource: TfResource, builder: Builder, target: Link) -> tuple[str | Unknown, RoleDefinition | None]:
    """The role's name (or id as written) and, for an in-code definition, the definition; `target` is the
    `role_definition_id` as a link."""
    definitions = builder.side(RoleDefinitions).definitions
    if resource.has("role_definition_name"):
        name = to_text(resource.get("role_definition_name"))
        return name, next((d for d in definitions if d.name == name), None)
    data = data_record(resource, "role_definition_id", ROLE_DEFINITION)
    if data is not None and isinstance(data.get("name"), str):
        return data.get("name"), None
    if isinstance(target, Ref):
        found = next(
            (d for d in definitions if d.address == target.address or d.address.startswith(f"{target.address}[")), None
        )
        return (found.name, found) if found else (to_text(target), None)
    if isinstance(target, str):
        guid = target.rstrip("/").rsplit("/", 1)[-1].split("|")[0].lower()
        found = next((d for d in definitions if d.guid and d.guid.lower() == guid), None)
        return (found.name if found else BUILTIN_ROLES.get(guid, target)), found
    return target or Unknown("no role_definition_name or role_definition_id"), None
