"""What GCP and Azure roles let an identity become or grant: the escalation tables, as data in one place.

NHI-PRIV-007 (escalation findings) and the blast radius (who can become whom) both read these tables, so a
role added here is understood by both. The GCP table lists, for each predefined role it knows, only the
permissions that matter for escalation or impersonation — not the role's full permission set:

- impersonation: minting a service account's tokens or keys, or signing as it;
- `iam.serviceAccounts.actAs`, which is an escalation only together with a permission to create something
  that runs as the account (a VM, a function, a Cloud Run service or job);
- `*.setIamPolicy`: grant oneself (or anyone) any role on the resource, project, folder or organization;
- `iam.roles.update`: add permissions to a custom role one already holds.

Roles outside the table (service-admin roles such as `roles/storage.admin`, which set IAM policy on their
own resources only) are not interpreted. `roles/owner` and `roles/editor` are in the table so that a target
holding them is described, but granting them is NHI-PRIV-004's finding. Custom roles defined in the code
(`google_project_iam_custom_role`, `google_organization_iam_custom_role`) contribute their own permission
list: the extractor appends it after the role's name in `Grant.permissions`.

Azure: the built-in roles that may write role assignments (`Owner`, `User Access Administrator`,
`Role Based Access Control Administrator`) or change what compute runs (`Contributor`, `Virtual Machine
Contributor`, `Automation Contributor`, `Website Contributor`) and, for custom role definitions in the code,
their `actions` less their `not_actions`, matched the way Azure matches action wildcards (`*` spans `/`),
case-insensitively. The `runs_as` methods (VM run command, Automation runbooks, App Service deployment) need
compute in the grant's scope that runs as another managed identity (`azure_scope_contains`); the
`vault_access_policy` method (writing a key vault or its access policies), a key vault in the scope that
uses access policies rather than RBAC (`azure_scope_contains_vault`).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from nhilint.analyse.privesc_methods import catalogue_data
from nhilint.model import Grant, RoleRef, TargetRef, Usage
from nhilint.model_stores import KeyVault

# -- GCP -------------------------------------------------------------------------------------------

GET_ACCESS_TOKEN = "iam.serviceAccounts.getAccessToken"
GET_OPENID_TOKEN = "iam.serviceAccounts.getOpenIdToken"
SIGN_BLOB = "iam.serviceAccounts.signBlob"
SIGN_JWT = "iam.serviceAccounts.signJwt"
IMPLICIT_DELEGATION = "iam.serviceAccounts.implicitDelegation"
CREATE_KEY = "iam.serviceAccountKeys.create"
ACT_AS = "iam.serviceAccounts.actAs"
UPDATE_ROLE = "iam.roles.update"


@cache
def _gcp_kind(kind: str) -> frozenset[str]:
    """The permissions of the catalogue's detected GCP methods of one kind (nhilint/data/escalation/gcp.yaml);
    for `deploy` methods, the creating permissions (their other need is actAs)."""
    found: set[str] = set()
    for method in catalogue_data("gcp")["methods"]:
        if method.get("kind") == kind and method.get("detected", True):
            found.update(p for need in method["needs"] for p in need if p != ACT_AS)
    return frozenset(found)


def gcp_impersonate() -> frozenset[str]:
    """Permissions that let the holder act as a service account on its own (tokens, keys, signatures)."""
    return _gcp_kind("impersonate")


def gcp_deploy() -> frozenset[str]:
    """Creating something that runs as a service account: with actAs, code of one's choosing runs as it."""
    return _gcp_kind("deploy")


# The deploy permissions the predefined roles below carry (a subset of `gcp_deploy()`).
_DEPLOY_ROLES = frozenset(
    {"compute.instances.create", "cloudfunctions.functions.create", "run.services.create", "run.jobs.create"}
)

_TOKEN_CREATOR = frozenset({GET_ACCESS_TOKEN, GET_OPENID_TOKEN, SIGN_BLOB, SIGN_JWT, IMPLICIT_DELEGATION})
_SET_POLICY = frozenset(
    {
        "resourcemanager.projects.setIamPolicy",
        "resourcemanager.folders.setIamPolicy",
        "resourcemanager.organizations.setIamPolicy",
        "iam.serviceAccounts.setIamPolicy",
    }
)

GCP_ROLES: dict[str, frozenset[str]] = {
    "roles/iam.serviceAccountTokenCreator": _TOKEN_CREATOR,
    "roles/iam.serviceAccountUser": frozenset({ACT_AS}),
    "roles/iam.serviceAccountKeyAdmin": frozenset({CREATE_KEY}),
    "roles/iam.workloadIdentityUser": frozenset({GET_ACCESS_TOKEN, GET_OPENID_TOKEN}),
    "roles/iam.serviceAccountAdmin": frozenset({"iam.serviceAccounts.setIamPolicy"}),
    "roles/resourcemanager.projectIamAdmin": frozenset({"resourcemanager.projects.setIamPolicy"}),
    "roles/resourcemanager.folderIamAdmin": frozenset({"resourcemanager.folders.setIamPolicy"}),
    "roles/resourcemanager.organizationAdmin": _SET_POLICY - {"iam.serviceAccounts.setIamPolicy"},
    "roles/iam.securityAdmin": _SET_POLICY,
    "roles/iam.roleAdmin": frozenset({"iam.roles.create", UPDATE_ROLE}),
    "roles/owner": _TOKEN_CREATOR | _SET_POLICY | _DEPLOY_ROLES | {ACT_AS, CREATE_KEY, UPDATE_ROLE},
    "roles/editor": _DEPLOY_ROLES | {ACT_AS, CREATE_KEY},
    # Roles that create workloads: escalation only with actAs, from this grant or another.
    "roles/compute.admin": frozenset({"compute.instances.create"}),
    "roles/compute.instanceAdmin": frozenset({"compute.instances.create"}),
    "roles/compute.instanceAdmin.v1": frozenset({"compute.instances.create"}),
    "roles/cloudfunctions.admin": frozenset({"cloudfunctions.functions.create"}),
    "roles/cloudfunctions.developer": frozenset({"cloudfunctions.functions.create"}),
    "roles/run.admin": frozenset({"run.services.create", "run.jobs.create"}),
    "roles/run.developer": frozenset({"run.services.create", "run.jobs.create"}),
}

# How findings name the impersonation roles (`A → TokenCreator on B`).
GCP_ROLE_LABELS: dict[str, str] = {
    "roles/iam.serviceAccountTokenCreator": "TokenCreator",
    "roles/iam.serviceAccountUser": "ServiceAccountUser",
    "roles/iam.serviceAccountKeyAdmin": "KeyAdmin",
    "roles/iam.workloadIdentityUser": "WorkloadIdentityUser",
    "roles/iam.serviceAccountAdmin": "ServiceAccountAdmin",
}


def gcp_role(grant: Grant) -> str | None:
    """The role a GCP role grant gives, as written (`roles/x`, `projects/p/roles/r`, a reference)."""
    if grant.platform != "gcp" or grant.permission_type != "role" or not grant.permissions:
        return None
    return grant.permissions[0]


def gcp_permissions(grant: Grant) -> frozenset[str]:
    """The permissions of a GCP role grant that this module knows: from the table, or the custom role's list."""
    role = gcp_role(grant)
    if role is None or grant.effect != "Allow":
        return frozenset()
    return GCP_ROLES.get(role, frozenset()) | frozenset(grant.permissions[1:])


def gcp_escalating(permissions: Iterable[str], can_deploy: bool) -> list[str]:
    """The escalation permissions among `permissions` (actAs counts only when the holder can deploy)."""
    found = []
    for permission in sorted(set(permissions)):
        if (
            permission in gcp_impersonate()
            or permission.endswith(".setIamPolicy")
            or permission == UPDATE_ROLE
            or (permission == ACT_AS and can_deploy)
        ):
            found.append(permission)
    return found


def gcp_can_become(permissions: Iterable[str]) -> bool:
    """Whether these permissions, on a service account or its project, let the holder act as the account."""
    return any(p in gcp_impersonate() or p == ACT_AS for p in permissions)


def gcp_role_label(role: str) -> str:
    """`TokenCreator` for the impersonation roles; a reference to an in-code custom role as its address."""
    if isinstance(role, RoleRef) and role.target is not None:
        return role.target.named("id", "name").rsplit("/", 1)[-1]
    return GCP_ROLE_LABELS.get(role, role)


# -- Azure -----------------------------------------------------------------------------------------

ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write"
ROLE_DEFINITION_WRITE = "Microsoft.Authorization/roleDefinitions/write"
AZURE_ESCALATION_ACTIONS = (ROLE_ASSIGNMENT_WRITE, ROLE_DEFINITION_WRITE)


@cache
def azure_roles() -> dict[str, tuple[str, ...]]:
    """Built-in roles (lower-case names) and the escalation actions they allow (azure.yaml `roles`)."""
    return {name: tuple(actions) for name, actions in catalogue_data("azure")["roles"].items()}


def azure_action_matches(pattern: str, action: str) -> bool:
    """Azure action wildcards: `*` matches any characters, `/` included; names are case-insensitive."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower().replace("[", "[[]"))


def azure_escalating(grant: Grant) -> list[str]:
    """The escalation actions an Azure role assignment allows: built-in role, or custom actions less NotActions."""
    return [a for a in AZURE_ESCALATION_ACTIONS if azure_allows(grant, a)]


def azure_allows(grant: Grant, action: str) -> bool:
    """Whether an Azure role assignment allows `action`: a built-in role of the table (which lists only the
    actions that matter for escalation), or an in-code custom role's actions less its NotActions."""
    if grant.platform != "azure" or grant.permission_type != "role" or not grant.permissions:
        return False
    if grant.effect != "Allow":
        return False
    builtin = azure_roles().get(grant.permissions[0].lower())
    if builtin is not None:
        return action in builtin
    excluded = [v for c in grant.conditions if c.operator == "NotActions" for v in c.values if isinstance(v, str)]
    return any(azure_action_matches(p, action) for p in grant.permissions[1:]) and not any(
        azure_action_matches(p, action) for p in excluded
    )


@dataclass(frozen=True, slots=True)
class AzureMethod:
    """A catalogue method of a kind that needs a target in the grant's scope: `runs_as` (changing what compute
    of `runs_on` runs, so acting as its identity) or `vault_access_policy` (writing a key vault that uses
    access policies, so granting oneself its data)."""

    id: str
    name: str
    summary: str
    needs: tuple[tuple[str, ...], ...]
    runs_on: frozenset[str]


@cache
def azure_methods(kind: str) -> tuple[AzureMethod, ...]:
    """The detected Azure methods of one catalogue kind."""
    return tuple(
        AzureMethod(
            m["id"], m["name"], m["summary"], tuple(tuple(n) for n in m["needs"]), frozenset(m.get("runs_on", ()))
        )
        for m in catalogue_data("azure")["methods"]
        if m.get("kind") == kind and m.get("detected", True)
    )


def azure_met(grant: Grant, kind: str) -> list[tuple[AzureMethod, list[str]]]:
    """The methods of one kind a grant allows on its own, each with the actions that meet its needs."""
    found = []
    for method in azure_methods(kind):
        met = [next((a for a in need if azure_allows(grant, a)), None) for need in method.needs]
        if all(met):
            found.append((method, [a for a in met if a]))
    return found


def azure_runs_as(grant: Grant) -> list[tuple[AzureMethod, list[str]]]:
    """The runs_as methods a grant allows on its own, each with the actions that meet its needs."""
    return azure_met(grant, "runs_as")


def azure_vault_access(grant: Grant) -> list[tuple[AzureMethod, list[str]]]:
    """The key-vault methods a grant allows (writing a vault or its access policies)."""
    return azure_met(grant, "vault_access_policy")


def azure_scope_contains(scope: str, usage: Usage) -> bool:
    """Whether a role assignment's scope contains the compute of a usage (its `compute_placement` facts)."""
    return azure_scope_holds(scope, usage.workload, dict(usage.attributes))


def azure_scope_contains_vault(scope: str, vault: KeyVault) -> bool:
    """Whether a role assignment's scope contains a key vault (the vault, its resource group, or above)."""
    return azure_scope_holds(scope, vault.address, dict(vault.placement()))


def azure_scope_holds(scope: str, address: str, placed: dict[str, str]) -> bool:
    """Whether a role assignment's scope contains a resource at `address` placed as `placed` (`name`,
    `resource_group` or `resource_group_address`): a subscription or management group contains everything in
    the scan; a resource group, what is placed in it; a resource, itself. A scope or placement the code does
    not say is not assumed to match."""
    if isinstance(scope, TargetRef):
        if scope.kind in ("subscription", "management_group"):
            return True
        return scope.address in (placed.get("resource_group_address"), address)
    parts = [p.lower() for p in scope.strip("/").split("/")]
    if not parts[0]:
        return False
    if "resourcegroups" not in parts:
        return parts[0] in ("subscriptions", "providers")  # a subscription or a management group
    at = parts.index("resourcegroups")
    group = parts[at + 1] if at + 1 < len(parts) else ""
    if group != (placed.get("resource_group") or "").lower():
        return False
    return len(parts) <= at + 2 or parts[-1] == (placed.get("name") or "").lower()


def azure_custom_actions(grant: Grant, actions: Iterable[str]) -> list[str]:
    """The actions as written in a custom role that allow any of `actions` (for the finding's evidence)."""
    return [p for p in grant.permissions[1:] if any(azure_action_matches(p, a) for a in actions)]
