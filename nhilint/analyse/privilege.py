"""Facts about one grant: wildcard actions, write access on every resource, admin roles and policies."""

from __future__ import annotations

import re

from nhilint.data import GRAPH, graph_admin
from nhilint.iam import catalog
from nhilint.model import Grant, K8sRule, TargetRef

# AWS managed policies that are administrator or near-administrator, by name.
AWS_ADMIN_POLICIES = frozenset({"AdministratorAccess", "IAMFullAccess", "PowerUserAccess"})
GCP_ADMIN_ROLES = frozenset({"roles/owner", "roles/editor"})
AZURE_ADMIN_ROLES = frozenset({"owner", "contributor", "user access administrator"})
K8S_ADMIN_ROLES = frozenset({"ClusterRole/cluster-admin"})
# OAuth scopes of a SaaS admin API that manage the tenant (`okta.users.manage`, `okta.apps.manage`...).
OKTA_ADMIN_SCOPE = re.compile(r"^okta\.[A-Za-z]+\.manage$")
# Snowflake system roles that administer the account, its users and roles, or every object in it.
SNOWFLAKE_ADMIN_ROLES = frozenset({"ACCOUNTADMIN", "SECURITYADMIN", "SYSADMIN"})


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


def write_actions(grant: Grant) -> list[str]:
    """Actions (not full wildcards) that reach Write or Permissions management, per the IAM catalog."""
    found: list[str] = []
    for action in grant.permissions:
        if is_wildcard_action(action):
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
