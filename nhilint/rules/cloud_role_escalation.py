"""GCP and Azure grants that let a machine identity grant itself more, or become another identity.

An identity that can mint another service account's tokens, or write role assignments, holds everything
that account or that scope allows, whatever its own roles say. Reported, one finding per grant:

- GCP (the methods of `nhilint/data/escalation/gcp.yaml`, from Rhino Security Labs' GCP research): a role
  carrying `iam.serviceAccountKeys.create`, `iam.serviceAccounts.getAccessToken`, `signBlob`, `signJwt`,
  `implicitDelegation` or `storage.hmacKeys.create`; `iam.serviceAccounts.actAs` when the same identity
  may also create VMs, create or update Cloud Functions, create Cloud Run services/jobs or Cloud Scheduler
  jobs (from any of its grants); `setIamPolicy` on a project, folder, organization, service account or any
  resource; `iam.roles.update`. Deployment Manager and Cloud Build run as Google-managed service agents whose
  roles the code does not hold: the catalogue lists them as not decidable statically. The predefined roles
  covered are the ones listed in `nhilint/analyse/cloud_roles.py` (`roles/iam.serviceAccountTokenCreator`,
  `serviceAccountUser`, `serviceAccountKeyAdmin`, `workloadIdentityUser`, `serviceAccountAdmin`,
  `securityAdmin`, `roleAdmin`, `roles/resourcemanager.projectIamAdmin`, `folderIamAdmin`,
  `organizationAdmin`, and the compute/functions/run roles that deploy); custom roles defined in the code
  are read from their permission list. On a project (or folder, organization) the grant reaches every
  service account there; on one service account in the code the finding names it and what it holds:
  `service account ci → TokenCreator on service account deployer (roles/owner)`, critical when that
  account is an administrator.
- Azure (`nhilint/data/escalation/azure.yaml`): `Owner`, `User Access Administrator` and `Role Based
  Access Control Administrator` at any scope,
  and custom role definitions whose actions (less their NotActions) include
  `Microsoft.Authorization/roleAssignments/write` (`*`, `Microsoft.Authorization/*/write` …) or
  `roleDefinitions/write`. Role-assignment write at resource-group scope still lets the identity give
  itself any role on everything in that group. An assignment with an ABAC `condition` (Microsoft's
  constrained delegation) is not reported. Without role-assignment write, a role that can change what compute
  runs (`Contributor`, `Virtual Machine Contributor`, `Automation Contributor`, `Website Contributor`, or
  custom actions: VM run command, Automation runbook write and job start, App Service deployment) is an
  escalation when compute in its scope (a VM, Automation account, web or function app, matched by resource
  group or resource) runs as a managed identity that holds roles the holder does not: the finding names
  the chain, `A → VirtualMachineRunCommand on vm → B (Owner)`, critical when B is an administrator.
  A role that writes key vaults or their access policies (`Key Vault Contributor`, `Contributor`, custom
  `Microsoft.KeyVault/vaults/write` or `vaults/accessPolicies/write`) on a scope holding a vault that uses
  access policies lets the identity grant itself the vault's data: `A → KeyVaultAccessPolicy on kv → its
  secrets, keys and certificates`. Not on a vault using RBAC (its access policies are ignored; the role
  assignments are the control); a vault whose permission model cannot be evaluated gives a "could not
  evaluate" finding. Every chain of one grant is named in one finding.
- Azure federated identity credentials whose exact subject is broader than it looks, which NHI-TRUST-003
  (missing or wildcard subjects) does not see: GitHub's `repo:ORG/REPO:pull_request` (a workflow run for
  any pull request, with code nobody has reviewed) and `system:serviceaccount:NS:default` (every Pod of the
  namespace that names no ServiceAccount).

Administrator grants (`roles/owner`, `roles/editor`, Azure Owner or User Access Administrator at
subscription scope) are NHI-PRIV-004's findings, not repeated here. Grants to people and groups
(`user:`, `group:`) are not reported: they are not machine identities.

Anti-pattern::

    resource "google_service_account_iam_member" "ci_as_deployer" {
      service_account_id = google_service_account.deployer.name
      role               = "roles/iam.serviceAccountTokenCreator"
      member             = "serviceAccount:${google_service_account.ci.email}"
    }

Best practice: give the pipeline's own service account the roles it needs; where one account must act as
another, bind the narrowest role on that one account, and keep the target account's own roles small.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nhilint.analyse.cloud_roles import (
    ACT_AS,
    CREATE_KEY,
    ROLE_ASSIGNMENT_WRITE,
    UPDATE_ROLE,
    azure_custom_actions,
    azure_escalating,
    azure_runs_as,
    azure_scope_contains,
    azure_scope_contains_vault,
    azure_vault_access,
    gcp_deploy,
    gcp_escalating,
    gcp_impersonate,
    gcp_permissions,
    gcp_role,
    gcp_role_label,
)
from nhilint.analyse.privilege import admin_role
from nhilint.model import Finding, Grant, Identity, Inventory, RoleRef, Severity, TargetRef, Trust
from nhilint.rules.base import Context, Rule, label, short_address

NON_HUMAN_MEMBERS = ("serviceAccount:", "principalSet:", "principal:")
_PULL_REQUEST_RE = re.compile(r"^repo:([^:]+):pull_request$")
_DEFAULT_SA_RE = re.compile(r"^system:serviceaccount:([^:]+):default$")


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    inventory = ctx.inventory
    held: dict[str, list[Grant]] = {}
    for grant in inventory.grants:
        if grant.principal and grant.effect == "Allow" and grant.platform in ("gcp", "azure"):
            held.setdefault(grant.principal, []).append(grant)
    targets = _account_targets(inventory)
    for principal, grants in held.items():
        subject = inventory.identities.get(principal)
        if subject is None and not principal.startswith(NON_HUMAN_MEMBERS):
            continue
        who = label(subject) if subject else principal
        deploy = next((gcp_role(g) for g in grants if gcp_permissions(g) & gcp_deploy()), None)
        for grant in grants:
            if admin_role(grant) is not None:
                continue  # NHI-PRIV-004
            if grant.platform == "gcp":
                found = _gcp(rule, inventory, grant, subject, who, deploy, targets)
            else:
                found = _azure(rule, ctx, grant, subject, who) if subject is not None else None
            if found is not None:
                yield found
    yield from _federated(rule, inventory)


def _account_targets(inventory: Inventory) -> dict[tuple[str, int, str], str]:
    """(via, line, path) of a service-account IAM resource -> the in-code account it is on (from its Trust)."""
    found: dict[tuple[str, int, str], str] = {}
    for trust in inventory.trusts:
        if trust.identity in inventory.identities:
            found[(trust.via, trust.block.start_line, trust.block.path)] = trust.identity
    return found


def _gcp(
    rule: Rule,
    inventory: Inventory,
    grant: Grant,
    subject: Identity | None,
    who: str,
    deploy: str | None,
    targets: dict[tuple[str, int, str], str],
) -> Finding | None:
    """`deploy`: a role of the same identity that creates workloads (what makes actAs an escalation)."""
    escalating = gcp_escalating(gcp_permissions(grant), deploy is not None)
    role = gcp_role(grant)
    if not escalating or role is None:
        return None
    kind, _, where = (grant.scope[0] if grant.scope else "project/?").partition("/")
    severity = None
    if kind == "serviceAccount":
        target = inventory.identities.get(targets.get((grant.via, grant.block.start_line, grant.block.path), ""))
        name = label(target) if target else f"service account {where}"
        holds, admin = holdings(target, inventory) if target else ("not in the scanned code", False)
        head = f"{who} → {gcp_role_label(role)} on {name} ({holds})"
        severity = Severity.CRITICAL if admin else None
        accounts, scope_text = name, name
    else:
        head = f"{who} holds {_role_text(role)} on {kind} {where}"
        accounts, scope_text = f"every service account of {kind} {where}", f"{kind} {where}"
    clauses = []
    if CREATE_KEY in escalating:
        clauses.append(f"create keys for {accounts}")
    if any(p in gcp_impersonate() and p != CREATE_KEY for p in escalating):
        clauses.append(f"mint access tokens of, or sign as, {accounts}")
    if ACT_AS in escalating:
        clauses.append(f"run code as {accounts} in what it deploys with {_role_text(deploy or '?')}")
    if any(p.endswith(".setIamPolicy") for p in escalating):
        clauses.append(
            f"change who may act as {accounts}"
            if kind == "serviceAccount"
            else f"change the IAM policy of {scope_text} and grant itself any role there"
        )
    if UPDATE_ROLE in escalating:
        clauses.append(f"add permissions to the custom roles of {scope_text}, its own included")
    message = f"{head}: it can {' and '.join(clauses)} ({', '.join(escalating)})"
    return rule.finding(
        message, grant.location, subject, f"{grant.via}: {', '.join(escalating)}", grant.block, severity=severity
    )


def holdings(target: Identity, inventory: Inventory) -> tuple[str, bool]:
    """What an impersonated account holds, administrator roles first, and whether one of them is admin."""
    roles: dict[str, bool] = {}
    for grant in inventory.grants_of(target.id):
        if grant.effect == "Allow" and grant.permissions:
            roles.setdefault(grant.permissions[0], admin_role(grant) is not None)
    if not roles:
        return "no roles in the scanned code", False
    ordered = sorted(roles, key=lambda r: (not roles[r], r))
    shown = ", ".join(_role_text(r) for r in ordered[:3]) + (
        f" and {len(ordered) - 3} more" if len(ordered) > 3 else ""
    )
    return shown, any(roles.values())


def _role_text(role: str) -> str:
    """A role as written; a reference to an in-code custom role as its short address."""
    return gcp_role_label(role) if isinstance(role, RoleRef) and role.target is not None else role


def _azure(rule: Rule, ctx: Context, grant: Grant, subject: Identity, who: str) -> Finding | None:
    actions = azure_escalating(grant)
    if any(c.operator == "ABAC" for c in grant.conditions):
        return None
    if not actions:
        return _azure_in_scope(rule, ctx, grant, subject, who)
    role = grant.permissions[0]
    scope = _azure_scope(grant.scope[0] if grant.scope else "")
    written = azure_custom_actions(grant, actions)
    role_text = f"custom role {role!r} ({', '.join(written)})" if written else role
    can = (
        "assign itself (or anyone) any role there"
        if ROLE_ASSIGNMENT_WRITE in actions
        else "widen role definitions there, its own included"
    )
    return rule.finding(
        f"{who} holds {role_text} on {scope}: it can {can} ({', '.join(actions)})",
        grant.location,
        subject,
        f"{grant.via}: {role} on {grant.scope[0] if grant.scope else '?'}",
        grant.block,
    )


def _azure_in_scope(rule: Rule, ctx: Context, grant: Grant, subject: Identity, who: str) -> Finding | None:
    """What the grant's scope holds that it can take over: compute running as a more privileged managed
    identity, key vaults using access policies. One finding naming every chain."""
    scope = grant.scope[0] if grant.scope else ""
    if not scope:
        return None
    chains, used, admin = _runs_as_chains(ctx.inventory, grant, subject, who, scope)
    vaults, unknown, vault_actions = _vault_chains(ctx.inventory, grant, who, scope)
    used.extend(a for a in vault_actions if a not in used)
    clauses = []
    if chains:
        clauses.append(f"act as the managed identity of compute there by changing what it runs: {_shown(chains)}")
    if vaults:
        clauses.append(
            f"grant itself the secrets, keys and certificates of key vaults there that use access policies: "
            f"{_shown(vaults)}"
        )
    if not clauses and not unknown:
        return None
    evidence = f"{grant.via}: {grant.permissions[0]} on {scope}"
    if not clauses:
        return rule.finding(
            f"could not evaluate whether {who} can grant itself the data of key vaults in the scope of "
            f"{_azure_role_text(grant, _vault_actions(grant))} on {_azure_scope(scope)}: {'; '.join(unknown)}",
            grant.location,
            subject,
            evidence,
            grant.block,
            unknown=True,
            ctx=ctx,
        )
    also = f"; could not evaluate {'; '.join(unknown)}" if unknown else ""
    held = f"{who} holds {_azure_role_text(grant, used)} on {_azure_scope(scope)}"
    return rule.finding(
        f"{held}: it can {'; and it can '.join(clauses)} ({', '.join(used)}){also}",
        grant.location,
        subject,
        evidence,
        grant.block,
        severity=Severity.CRITICAL if admin else None,
    )


def _runs_as_chains(
    inventory: Inventory, grant: Grant, subject: Identity, who: str, scope: str
) -> tuple[list[str], list[str], bool]:
    """Changing what compute in the grant's scope runs, when it runs as a more privileged managed identity:
    `A → run command on VM x → B (Owner on …)`; with the actions used and whether a target is admin."""
    own = _held(inventory, subject.id)
    chains: list[str] = []
    used: list[str] = []
    admin = False
    for method, actions in azure_runs_as(grant):
        for usage in inventory.usages:
            target = inventory.identities.get(usage.identity)
            if (
                target is None
                or target.id == subject.id
                or usage.attribute("runs") not in method.runs_on
                or not azure_scope_contains(scope, usage)
                or not _held(inventory, target.id) - own
            ):
                continue
            holds, is_admin = holdings(target, inventory)
            admin = admin or is_admin
            chains.append(f"{who} → {method.name} on {short_address(usage.workload)} → {label(target)} ({holds})")
            used.extend(a for a in actions if a not in used)
    return chains, used, admin


def _vault_chains(inventory: Inventory, grant: Grant, who: str, scope: str) -> tuple[list[str], list[str], list[str]]:
    """Key vaults in the grant's scope whose access policies it can write: the chains for vaults using access
    policies (`A → KeyVaultAccessPolicy on kv → its secrets, keys and certificates`) and the actions they use,
    and what could not be evaluated for vaults whose permission model is unknown. Vaults using RBAC are left
    out: there the role assignments are the control."""
    chains: list[str] = []
    unknown: list[str] = []
    used: list[str] = []
    for method, actions in azure_vault_access(grant):
        for vault in inventory.key_vaults:
            if vault.authorization == "rbac" or not azure_scope_contains_vault(scope, vault):
                continue
            where = short_address(vault.address)
            if vault.authorization == "unknown":
                unknown.append(f"whether key vault {where} uses access policies ({vault.unknown})")
            else:
                chains.append(f"{who} → {method.name} on {where} → its secrets, keys and certificates")
                used.extend(a for a in actions if a not in used)
    return chains, unknown, used


def _vault_actions(grant: Grant) -> list[str]:
    return list(dict.fromkeys(a for _, actions in azure_vault_access(grant) for a in actions))


def _shown(chains: list[str]) -> str:
    return "; ".join(chains[:3]) + (f"; and {len(chains) - 3} more" if len(chains) > 3 else "")


def _held(inventory: Inventory, identity: str) -> set[tuple[str, str]]:
    """(role, scope) of an identity's Allow role grants: what it holds, to tell a more privileged identity."""
    return {
        (str(g.permissions[0]).lower(), str(g.scope[0] if g.scope else "").lower())
        for g in inventory.grants_of(identity)
        if g.effect == "Allow" and g.permissions
    }


def _azure_role_text(grant: Grant, actions: list[str]) -> str:
    written = azure_custom_actions(grant, actions)
    role = grant.permissions[0]
    return f"custom role {role!r} ({', '.join(written)})" if written else role


def _azure_scope(scope: str) -> str:
    """`/subscriptions/S/resourceGroups/rg` -> `resource group rg`; a reference -> its short address."""
    parts = scope.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    if isinstance(scope, TargetRef):
        return short_address(scope.named("id", "name"))
    for marker, text in (
        ("resourcegroups", "resource group"),
        ("managementgroups", "management group"),
        ("subscriptions", "subscription"),
    ):
        if marker in lowered and lowered.index(marker) + 1 < len(parts) and len(parts) <= lowered.index(marker) + 2:
            return f"{text} {parts[lowered.index(marker) + 1]}"
    return scope or "an unknown scope"


def _federated(rule: Rule, inventory: Inventory) -> Iterator[Finding]:
    for trust in inventory.trusts:
        subject = inventory.identities.get(trust.identity)
        if subject is None or subject.platform != "azure" or "federated identity credential" not in trust.via:
            continue
        for condition in trust.conditions:
            if not condition.key.lower().endswith(":sub") or condition.operator != "StringEquals":
                continue
            for value in condition.values:
                broad = _broad_subject(value) if isinstance(value, str) else None
                if broad and isinstance(value, str):
                    yield _federated_finding(rule, trust, subject, value, broad)


def _broad_subject(value: str) -> str | None:
    if match := _PULL_REQUEST_RE.match(value):
        return f"the workflow of any pull request to {match.group(1)}"
    if match := _DEFAULT_SA_RE.match(value):
        return f"every Pod of namespace {match.group(1)} that names no ServiceAccount"
    return None


def _federated_finding(rule: Rule, trust: Trust, subject: Identity, value: str, broad: str) -> Finding:
    issuer = next((str(p.identifier) for p in trust.principals if p.type == "Federated"), "its issuer")
    return rule.finding(
        f"{label(subject)} may be assumed by {broad} via {issuer} (sub {value!r})",
        trust.location,
        subject,
        f"{trust.via}: sub {value}",
        trust.block,
    )


RULE = Rule(
    "NHI-PRIV-007",
    "cloud-role-escalation",
    Severity.HIGH,
    "NHI5",
    "GCP or Azure grant lets an identity grant itself more or become another identity",
    check,
)
