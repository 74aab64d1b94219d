"""GCP custom roles defined in the code (`google_project_iam_custom_role`, `google_organization_iam_custom_role`).

A custom role's name says nothing about what it allows, so a binding of one is only as readable as its
permission list. The roles are read in the first pass; when a binding names one (by reference,
`google_project_iam_custom_role.x.id` / `.name`, or by its full name `projects/P/roles/R`,
`organizations/O/roles/R`), the extractor appends the role's permissions after its name in
`Grant.permissions`, as the Azure extractor does for in-code role definitions. A role whose permissions
cannot be evaluated contributes nothing (the binding then holds only the role name).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nhilint.extract import documents
from nhilint.extract.builder import Builder
from nhilint.extract.common import as_list, identity_id
from nhilint.model import ActionPattern, Grant, Permission, PermissionDocument, RoleRef
from nhilint.parse.terraform import TfResource
from nhilint.values import ref_marker, to_text

TYPES = ("google_project_iam_custom_role", "google_organization_iam_custom_role")


@dataclass(frozen=True, slots=True)
class CustomRole:
    address: str
    name: str | None  # projects/P/roles/R or organizations/O/roles/R, when evaluable
    permissions: tuple[str, ...]


@dataclass(slots=True)
class CustomRoles:
    """The custom roles of the scan, kept on the Builder (`builder.side(CustomRoles)`)."""

    roles: list[CustomRole] = field(default_factory=list)


def custom_role(resource: TfResource, builder: Builder, project: object = None) -> None:
    """Record the role; `project` is the provider's project when the resource does not name one."""
    permissions = tuple(t for p in as_list(resource.get("permissions")) if isinstance(t := to_text(p), str))
    if resource.type == "google_organization_iam_custom_role":
        parent: object = to_text(resource.get("org_id"))
        prefix = "organizations"
    else:
        parent = to_text(resource.get("project")) if resource.has("project") else project
        prefix = "projects"
    role_id = to_text(resource.get("role_id"))
    name = None
    if isinstance(parent, str) and isinstance(role_id, str) and "${" not in parent + role_id:
        name = f"{prefix}/{parent.removeprefix(prefix + '/')}/roles/{role_id}"
    builder.side(CustomRoles).roles.append(CustomRole(resource.address, name, permissions))
    shown = f"{prefix}/{parent}" if isinstance(parent, str) else f"{prefix}/<unknown>"
    granted: tuple[Permission, ...] = (RoleRef(name or resource.address), *(ActionPattern(p) for p in permissions))
    grant = Grant(
        None,
        granted,
        (shown.replace("projects/", "project/", 1).replace("organizations/", "organization/", 1),),
        f"custom role {resource.address} (not bound in the scanned code)",
        resource.address,
        resource.at("permissions"),
        resource.location,
        permission_type="role",
        platform="gcp",
    )
    written = PermissionDocument(
        identity_id("gcp", resource.address), "custom_role", "gcp", resource.address, resource.location, name
    )
    names = (name, resource.address) if name else (resource.address,)
    documents.add(builder, documents.Written(written, (grant,), names))


def custom_permissions(builder: Builder, role: str) -> tuple[str, ...]:
    """The permissions of the in-code custom role a binding's `role` names; () when it names none."""
    ref = ref_marker(role)
    for found in builder.side(CustomRoles).roles:
        if ref is not None and (ref.address == found.address or found.address.startswith(f"{ref.address}[")):
            return tuple(found.permissions)
        if ref is None and role == found.name:
            return tuple(found.permissions)
    return ()
