"""Entra ID application permissions (Terraform): what an application may do in the tenant without a user.

- `azuread_application` `required_resource_access { resource_access { id, type = "Role" } }`: one Grant per
  application permission (permission_type "app_role", platform "azure"), principal the application. The
  permission is named whether it is written by GUID (looked up in the shipped Graph table,
  `nhilint/data/graph_app_permissions.json`) or through a service principal's `app_role_ids["Name"]`
  (resource or data source). Delegated scopes (`type = "Scope"`) act for a signed-in user and are not
  application permissions: they are not grants.
- `azuread_app_role_assignment`: the same Grant, held by the service principal (or managed identity) that
  `principal_object_id` names: this is the admin consent that makes an application permission real.
- The grant's scope is `Microsoft Graph` when the resource app is Graph: its id literally, the
  `published_app_ids` `MicrosoftGraph` entry, or a permission found in the Graph table when the resource app
  cannot be evaluated (GUIDs are unique, and Graph permission names are distinctive). Otherwise the resource
  app as written. NHI-PRIV-004 reads the tier of Graph permissions from the same table.
- An id or type that cannot be evaluated makes a Grant without permissions and with `unknown` set.
"""

from __future__ import annotations

from dataclasses import dataclass

from nhilint.data import GRAPH, GRAPH_APP_ID, graph_permission
from nhilint.extract.builder import Builder
from nhilint.extract.common import identity_id
from nhilint.extract.terraform.azure import PLATFORM, SP, UAI_TYPE, principal_link
from nhilint.extract.terraform.table import PlatformTable
from nhilint.model import Grant, Location, RoleRef, Unknown
from nhilint.parse import hcl
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import to_text

ROLE_ID_MAPS = ("app_role_ids", "oauth2_permission_scope_ids")
_GUID_LEN = 36


@dataclass(frozen=True, slots=True)
class AppRole:
    """One application permission as far as it can be read: its name (or GUID as written) and its API."""

    name: str | Unknown
    graph: bool


def _single(expr: hcl.Expr | None) -> hcl.Expr | None:
    """`"${x}"` is `x`."""
    if isinstance(expr, hcl.Template) and len(expr.parts) == 1 and not isinstance(expr.parts[0], str):
        return expr.parts[0]
    return expr


def _map_key(resource: TfResource, record: TfRecord, attr: str, maps: tuple[str, ...]) -> str | None:
    """The literal key of `<something>.<map>["Key"]` (the key may be a variable or local)."""
    node = _single(record.expr(attr))
    if not isinstance(node, hcl.Index) or not isinstance(node.base, hcl.GetAttr) or node.base.name not in maps:
        return None
    evaluator = resource.evaluator or resource.instance.evaluator
    key = evaluator.eval(node.key)
    return key if isinstance(key, str) else None


def graph_resource(resource: TfResource, record: TfRecord, attr: str) -> bool | None:
    """True when the resource app is Microsoft Graph, False when it is another, None when not known."""
    value = record.get(attr)
    if isinstance(value, str) and "${" not in value:
        return value.strip().lower() == GRAPH_APP_ID
    key = _map_key(resource, record, attr, ("result",))  # data.azuread_application_published_app_ids
    return key == "MicrosoftGraph" if key is not None else None


def app_role(resource: TfResource, record: TfRecord, attr: str, graph: bool | None) -> AppRole:
    """The permission an id names: a GUID from the Graph table, a `app_role_ids["Name"]` key, or Unknown."""
    value = record.get(attr)
    if isinstance(value, str) and "${" not in value:
        found = graph_permission(value) if len(value.strip()) == _GUID_LEN and graph is not False else None
        return AppRole(found.name, True) if found else AppRole(value, bool(graph))
    key = _map_key(resource, record, attr, ROLE_ID_MAPS)
    if key is not None:
        known = graph_permission(key) is not None if graph is None else graph
        return AppRole(key, known)
    text = to_text(value)
    reason = text.reason if isinstance(text, Unknown) else f"{text} is not a permission id"
    return AppRole(Unknown(f"{attr}: {reason}"), bool(graph))


def _grant(role: AppRole, resource_app: str, principal: str | None, via: str, record: TfRecord, at: Location) -> Grant:
    name = role.name
    return Grant(
        principal,
        (RoleRef(name),) if isinstance(name, str) else (),
        (GRAPH if role.graph else resource_app,),
        via,
        via.rsplit(" ", 1)[-1],
        at,
        record.location,
        permission_type="app_role",
        platform=PLATFORM,
        unknown=name.reason if isinstance(name, Unknown) else None,
    )


def required_resource_access(resource: TfResource, builder: Builder) -> None:
    """Application permissions an application asks for (and an admin consents to)."""
    principal = identity_id(PLATFORM, resource.address)
    for block in resource.blocks("required_resource_access"):
        graph = graph_resource(resource, block, "resource_app_id")
        shown = to_text(block.get("resource_app_id"))
        resource_app = shown if isinstance(shown, str) else "an API whose id is not known"
        for access in block.blocks("resource_access"):
            kind = to_text(access.get("type"))
            if kind == "Scope":
                continue  # delegated: acts for a signed-in user
            role = app_role(resource, access, "id", graph)
            if kind != "Role":
                reason = kind.reason if isinstance(kind, Unknown) else f"type {kind!r}"
                role = AppRole(Unknown(f"resource_access type not evaluated: {reason}"), role.graph)
            via = f"application permission of {resource.address}"
            grant = _grant(role, resource_app, principal, via, resource, access.at("id"))
            builder.inventory.grants.append(grant)


def app_role_assignment(resource: TfResource, builder: Builder) -> None:
    """An app role granted to a service principal or managed identity (admin consent, in code)."""
    graph = graph_resource(resource, resource, "resource_object_id")
    role = app_role(resource, resource, "app_role_id", graph)
    shown = to_text(resource.get("resource_object_id"))
    resource_app = shown if isinstance(shown, str) else "an API whose id is not known"
    grant = _grant(
        role, resource_app, None, f"app role assignment {resource.address}", resource, resource.at("app_role_id")
    )
    builder.add_grant(grant, principal_link(resource.get("principal_object_id")), (*SP, UAI_TYPE))


TABLE = PlatformTable(
    name="entra_apps",
    handlers={
        "azuread_application": required_resource_access,
        "azuread_app_role_assignment": app_role_assignment,
    },
)
