"""Permission documents: every policy, Role and role definition of the code, and the principals it reaches.

Extractors record each document they read with its statements as principal-less Grants (`add`), and the
in-code role names a grant may name it by. Once the scan is linked (`settle`, after `Builder.finish`), each
document finds its uses among the inventory's grants: those written inside it (a policy document data
source rendered into a policy), those whose `source` is its address (a managed policy's attachments, a
Role's bindings) and those naming it as a role (an Azure role assignment, a GCP IAM binding). Each such
grant gets the document's id; the document gets their principals. A document nothing uses gets its own
statements as grants without a principal, so the rules see what is written before anything is attached.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from nhilint.extract.builder import Builder
from nhilint.model import Grant, Location, PermissionDocument, RoleRef, Unknown
from nhilint.values import to_text

if TYPE_CHECKING:
    from nhilint.extract.rbac import Role

# A ClusterRole carrying one of these labels is aggregated by the API server into the built-in role of that
# name, which the cluster binds to others: it is in use even when no binding of the scan names it.
AGGREGATE_LABEL = "rbac.authorization.k8s.io/aggregate-to-"


@dataclass(frozen=True, slots=True)
class Written:
    """One document as read: its statements (grants without a principal) and the role names that name it."""

    document: PermissionDocument
    statements: tuple[Grant, ...]
    role_names: tuple[str, ...] = ()
    in_use: str | None = None  # why it is in use although no grant of the scan comes from it


@dataclass(slots=True)
class Documents:
    """The documents extractors read, kept on the Builder (`builder.side(Documents)`) until `settle`."""

    written: list[Written] = field(default_factory=list)


def add(builder: Builder, written: Written) -> None:
    builder.side(Documents).written.append(written)


def settle(builder: Builder) -> None:
    """Link every document to the grants that come from it (see the module docstring)."""
    inventory = builder.inventory
    grants = inventory.grants
    entries = [*builder.side(Documents).written, *_kubernetes_roles(builder)]
    by_source: dict[str, list[int]] = {}
    by_path: dict[str, list[int]] = {}
    roles: list[int] = []
    for index, grant in enumerate(grants):
        by_source.setdefault(grant.source, []).append(index)
        by_path.setdefault(grant.location.path, []).append(index)
        if grant.permission_type == "role" and grant.permissions:
            roles.append(index)
    written_in: dict[int, PermissionDocument] = {}  # grant index -> the innermost document it is written in
    named_by: dict[int, PermissionDocument] = {}  # grant index -> the document attached, by address or name
    used: list[tuple[Written, list[int]]] = []
    for entry in entries:
        document = entry.document
        inside = [i for i in by_path.get(document.location.path, []) if _within(grants[i].location, document.location)]
        for i in inside:
            if i not in written_in or _span(document.location) < _span(written_in[i].location):
                written_in[i] = document
        others = [*by_source.get(document.address, [])]
        if entry.role_names:
            others += [i for i in roles if _names(grants[i], document.platform, entry.role_names)]
        for i in others:
            named_by.setdefault(i, document)
        used.append((entry, sorted(set(inside) | set(others))))
    # a policy names the document that is attached (the managed policy rendering a policy document), else
    # the one it is written in (a policy document rendered into a role's inline policy)
    for index, document in {**written_in, **named_by}.items():
        grants[index] = replace(grants[index], document=document.id)
    taken = {(g.location.path, g.location.start_line) for g in grants}
    for entry, indices in used:
        document = _attachments(entry, [grants[i] for i in indices])
        inventory.documents[document.id] = document
        if indices or not document.unattached:
            continue
        for statement in entry.statements:
            if not statement.permissions:
                continue  # what cannot be read is reported once something uses it
            where = (statement.location.path, statement.location.start_line)
            if where not in taken:  # a document included in another, both unused: its statements once
                taken.add(where)
                grants.append(replace(statement, principal=None, document=document.id))


def _attachments(entry: Written, uses: list[Grant]) -> PermissionDocument:
    principals = sorted({g.principal for g in uses if isinstance(g.principal, str)})
    unknown = next((g.unknown for g in uses if g.principal is None and g.unknown), None)
    return replace(entry.document, attached_to=tuple(principals), attachment_unknown=unknown or entry.in_use)


def _within(inner: Location, outer: Location) -> bool:
    return outer.start_line <= inner.start_line and inner.end_line <= outer.end_line


def _span(location: Location) -> int:
    return location.end_line - location.start_line


def _names(grant: Grant, platform: str, names: tuple[str, ...]) -> bool:
    """Whether a role grant names the document: by role name, or by a reference to its address."""
    if grant.platform != platform:
        return False
    role = grant.permissions[0]
    target = role.target if isinstance(role, RoleRef) else None
    if target is not None:
        return any(target.address == n or target.address.startswith(f"{n}[") for n in names)
    return str(role) in names


# -- Kubernetes: Roles and ClusterRoles of manifests and of the Terraform provider -----------------------


def _kubernetes_roles(builder: Builder) -> Iterator[Written]:
    """The Roles the manifest and Terraform Kubernetes extractors read. Only those extractors load
    nhilint.extract.rbac: where neither ran there is no Role, and importing them here would load the
    Kubernetes code into every scan (tests/test_lazy_imports.py)."""
    if "nhilint.extract.rbac" not in sys.modules:
        return
    from nhilint.extract.rbac import TerraformObjects

    objects = sys.modules.get("nhilint.extract.manifests.objects")
    manifest_roles: list[Role] = builder.side(objects.State).roles if objects is not None else []
    for role in [*manifest_roles, *builder.side(TerraformObjects).roles]:
        yield role_document(role)


def role_document(role: Role) -> Written:
    """A Role or ClusterRole and its rules as grants of nobody (their scope: the cluster, or its namespace)."""
    cluster = role.kind == "ClusterRole"
    namespace = to_text(role.meta.namespace) if role.meta.namespace is not None else "default"
    scope = ("cluster",) if cluster else (f"namespace/{namespace if isinstance(namespace, str) else '<unknown>'}",)
    from nhilint.extract.rbac import describe

    via = f"{describe(role.kind, role.address)} (not bound in the scanned code)"
    statements = tuple(
        Grant(
            None,
            (rule.permission,) if rule.permission is not None else (),
            scope,
            via,
            role.address,
            rule.location,
            role.location,
            "k8s_rule",
            unknown=rule.unknown,
            platform="kubernetes",
        )
        for rule in role.rules
    )
    document = PermissionDocument(
        f"kubernetes:{role.address}",
        "k8s_cluster_role" if cluster else "k8s_role",
        "kubernetes",
        role.address,
        role.location,
        role.meta.name if isinstance(role.meta.name, str | Unknown) else None,
    )
    return Written(document, statements, in_use=_aggregated(role.meta.labels) if cluster else None)


def _aggregated(labels: object) -> str | None:
    if not isinstance(labels, Mapping):
        return None
    for key, value in labels.items():
        if isinstance(key, str) and key.startswith(AGGREGATE_LABEL) and to_text(value) == "true":
            return f"aggregated into the built-in ClusterRole {key.removeprefix(AGGREGATE_LABEL)}"
    return None
