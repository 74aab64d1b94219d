"""Facts about one grant: wildcard actions, write access on every resource, admin roles and policies."""

from __future__ import annotations

import re

from nhilint.analyse.cloud_roles import AZURE_ESCALATION_ACTIONS, azure_action_matches
from nhilint.data import GRAPH, graph_admin
from nhilint.iam import catalog
from nhilint.model import Grant, Inventory, K8sRule, PermissionDocument, TargetRef

# AWS managed policies that are administrator or near-administrator, by name.
AWS_ADMIN_POLICIES = frozenset({"AdministratorAccess", "IAMFullAccess", "PowerUserAccess"})
GCP_ADMIN_ROLES = frozenset({"roles/owner", "roles/editor"})
AZURE_ADMIN_ROLES = frozenset({"owner", "contributor", "user access administrator"})
K8S_ADMIN_ROLES = frozenset({"ClusterRole/cluster-admin"})
# OAuth scopes of a SaaS admin API that manage the tenant (`okta.users.manage`, `okta.apps.manage`...).
OKTA_ADMIN_SCOPE = re.compile(r"^okta\.[A-Za-z]+\.manage$")
# IAM actions that let the holder grant itself anything when allowed on every resource: write or attach a
# policy on its own role, user or group, or write a new default version of a policy it holds.
SELF_GRANTING = frozenset(
    {
        "iam:putrolepolicy",
        "iam:attachrolepolicy",
        "iam:putuserpolicy",
        "iam:attachuserpolicy",
        "iam:putgrouppolicy",
        "iam:attachgrouppolicy",
        "iam:createpolicyversion",
    }
)
_SELF_GRANTING_SERVICES = frozenset(key.partition(":")[0] for key in SELF_GRANTING)
# GCP permissions that let the holder grant itself any role where it holds them.
GCP_SELF_GRANTING = frozenset(
    {
        "resourcemanager.projects.setIamPolicy",
        "resourcemanager.folders.setIamPolicy",
        "resourcemanager.organizations.setIamPolicy",
    }
)
# Snowflake system roles that administer the account, its users and roles, or every object in it.
SNOWFLAKE_ADMIN_ROLES = frozenset({"ACCOUNTADMIN", "SECURITYADMIN", "SYSADMIN"})
# MongoDB Atlas roles with full control of the organisation (Organization Owner: every project, user, API
# key and billing) or of a project (Project Owner: its clusters, database users and access list).
ATLAS_ADMIN_ROLES = frozenset({"ORG_OWNER", "GROUP_OWNER"})


def is_wildcard_action(action: str) -> bool:
    return action == "*" or action.endswith(":*")


def wildcard_actions(grant: Grant) -> list[str]:
    if grant.permission_type != "action" or grant.effect != "Allow" or grant.not_actions:
        return []
    return [a for a in grant.permissions if is_wildcard_action(a)]


def any_resource(grant: Grant) -> bool:
    return grant.not_resources or "*" in grant.scope


def full_admin_statement(grant: Grant) -> bool:
    """`Action: *` on `Resource: *`: the statement form of AdministratorAccess."""
    return (
        grant.permission_type == "action"
        and grant.effect == "Allow"
        and not grant.not_actions
        and "*" in grant.permissions
        and "*" in grant.scope
        and not grant.not_resources
    )


def write_actions(grant: Grant, service_wildcards: bool = False) -> list[str]:
    """Actions that reach Write or Permissions management, per the IAM catalog; wildcards (`*`, `s3:*`) left
    out unless `service_wildcards` (then only `*` is)."""
    found: list[str] = []
    for action in grant.permissions:
        if action == "*" or (is_wildcard_action(action) and not service_wildcards):
            continue
        if catalog.access_levels(action) & {"Write", "Permissions management"} and catalog.expand(action):
            found.append(action)
    return found


def admin_role(grant: Grant) -> str | None:
    """The admin policy or role this grant confers, if it is one of the well-known ones."""
    for permission in grant.permissions:
        if grant.permission_type == "managed_policy":
            name = permission.rsplit("/", 1)[-1]
            if name in AWS_ADMIN_POLICIES and ":aws:policy/" in permission:
                return name
        elif grant.permission_type == "role":
            if grant.platform == "gcp" and permission in GCP_ADMIN_ROLES:
                return permission
            if grant.platform == "azure" and permission.lower() in AZURE_ADMIN_ROLES and _broad_azure_scope(grant):
                return permission
            if grant.platform == "kubernetes" and permission in K8S_ADMIN_ROLES:
                return permission
            if grant.platform == "snowflake" and permission.upper() in SNOWFLAKE_ADMIN_ROLES:
                return permission
            if grant.platform == "mongodbatlas" and permission.upper() in ATLAS_ADMIN_ROLES:
                return permission
        elif grant.permission_type == "scope" and grant.platform == "okta" and OKTA_ADMIN_SCOPE.match(permission):
            return permission
        elif grant.permission_type == "app_role":
            if GRAPH in grant.scope and graph_admin(permission):  # tier 0 of the shipped Graph table
                return f"{permission} on {GRAPH}"
        elif isinstance(permission, K8sRule) and grant.effect == "Allow" and _k8s_wildcard(permission):
            return "wildcard verbs on wildcard resources"
    if full_admin_statement(grant):
        return "Action * on Resource *"
    return None


def admin_equivalent(grant: Grant) -> str | None:
    """Why a grant that is no well-known admin role still lets its holder grant itself anything: IAM
    self-granting actions on every resource, an Azure custom role writing role assignments at subscription
    scope, a GCP custom role that sets the IAM policy of its project, folder or organization. Kept apart
    from `admin_role`, which the escalation analysis reads as "already admin"."""
    granting = self_granting(grant)
    if granting:
        return f"{', '.join(granting)} on Resource *: admin-equivalent, it can grant itself any permission"
    if grant.platform == "azure" and grant.permission_type == "role" and _broad_azure_scope(grant):
        custom = azure_self_granting(grant)
        if custom:
            role = grant.permissions[0]
            return f"{', '.join(custom)} in custom role {role}: admin-equivalent, it can assign itself any role"
    if grant.platform == "gcp" and grant.permission_type == "role":
        custom = [p for p in grant.permissions[1:] if p in GCP_SELF_GRANTING]
        if custom:
            role = grant.permissions[0]
            return f"{', '.join(custom)} in custom role {role}: admin-equivalent, it can grant itself any role"
    return None


def self_granting(grant: Grant) -> list[str]:
    """The actions of an Allow on every resource (no conditions) that let the holder grant itself anything
    (`iam:*`, `iam:PutRolePolicy`, `iam:CreatePolicyVersion`...), as written."""
    if grant.permission_type != "action" or grant.effect != "Allow" or grant.not_actions or grant.conditions:
        return []
    if "*" not in grant.scope or grant.not_resources:
        return []
    found: list[str] = []
    for pattern in grant.permissions:
        if pattern.partition(":")[0].lower() not in _SELF_GRANTING_SERVICES:
            continue  # another service (or a wildcard one, which `expand` does not expand): no catalogue read
        expanded = catalog.expand(pattern) or ()
        if any(f"{a.service}:{a.name}".lower() in SELF_GRANTING for a in expanded):
            found.append(pattern)
    return found


def azure_self_granting(grant: Grant) -> list[str]:
    """The actions of an Azure custom role (after its NotActions) that write role assignments or role
    definitions (`*`, `Microsoft.Authorization/*`...), as written; [] for a built-in role."""
    excluded = [v for c in grant.conditions if c.operator == "NotActions" for v in c.values if isinstance(v, str)]
    if any(c.operator == "ABAC" for c in grant.conditions):
        return []  # constrained delegation
    found: list[str] = []
    for pattern in grant.permissions[1:]:
        if any(
            azure_action_matches(pattern, action) and not any(azure_action_matches(x, action) for x in excluded)
            for action in AZURE_ESCALATION_ACTIONS
        ):
            found.append(pattern)
    return found


def unattached_document(inventory: Inventory, grant: Grant) -> PermissionDocument | None:
    """The document a grant of nobody is written in, when no identity in the scan uses it."""
    if grant.principal is not None or grant.document is None:
        return None
    document = inventory.documents.get(grant.document)
    return document if document is not None and document.unattached else None


def source_document(inventory: Inventory, grant: Grant) -> PermissionDocument | None:
    """The document of the code a grant's permissions are written in (a policy, Role, role definition)."""
    return inventory.documents.get(grant.document) if grant.document else None


def k8s_wildcards(permission: object) -> list[str]:
    """What an RBAC rule leaves open with `*`: its verbs, resources (`*`, `*/scale`) or API groups."""
    if not isinstance(permission, K8sRule) or not permission.resources:
        return []
    found = []
    if "*" in permission.verbs:
        found.append("wildcard verbs")
    if any(r == "*" or r.startswith("*/") for r in permission.resources):
        found.append("wildcard resources")
    if "*" in permission.api_groups:
        found.append("wildcard API groups")
    return found


def _k8s_wildcard(rule: K8sRule) -> bool:
    """`*` verbs on `*` resources of the core group or every group (or on every non-resource URL)."""
    if "*" not in rule.verbs:
        return False
    every_resource = "*" in rule.resources and any(g in ("", "*") for g in rule.api_groups or ("",))
    return every_resource or "*" in rule.non_resource_urls


def _broad_azure_scope(grant: Grant) -> bool:
    """Subscription or management-group scope (or one nhilint cannot evaluate, treated as broad)."""
    for scope in grant.scope:
        lowered = scope.lower()
        if "/resourcegroups/" in lowered:
            continue
        if lowered.startswith("/subscriptions/") or "managementgroups" in lowered or lowered in ("/", ""):
            return True
        if isinstance(scope, TargetRef):  # a reference to a subscription / management group resource
            return scope.kind in ("subscription", "management_group")
    return not grant.scope
