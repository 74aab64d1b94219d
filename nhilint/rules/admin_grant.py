"""No administrator grants to machine identities.

Reported: the AWS managed policies `AdministratorAccess`, `IAMFullAccess` and `PowerUserAccess`; a
statement allowing `Action: *` on `Resource: *`, and admin-equivalent ones: on `Resource: *` with no
condition, `iam:*` or any action that lets the holder grant itself anything (`iam:PutRolePolicy`,
`iam:AttachRolePolicy` and their user and group forms, `iam:CreatePolicyVersion`); GCP `roles/owner` and
`roles/editor`; Azure `Owner`, `Contributor` and `User Access Administrator` at subscription or
management-group scope (a resource-group scope is not reported), and custom role definitions whose actions
(less their NotActions) write role assignments or role definitions (`*`, `Microsoft.Authorization/*`...)
at those scopes, and GCP custom roles that set the IAM policy of a project, folder or organization, when
nothing assigns them yet (an assigned one is NHI-PRIV-007's); Microsoft Graph
application permissions of tier 0 in the shipped Graph table (`RoleManagement.ReadWrite.Directory`,
`AppRoleAssignment.ReadWrite.All`, `Application.ReadWrite.All`...), each of which lets the application
make itself Global Administrator; Kubernetes `cluster-admin` and RBAC rules with wildcard verbs on wildcard
resources. A workload never needs all of that; an attacker with its credential gets all of it.

The finding names the document the grant is written in (policy, ClusterRole, role definition). A
document that no identity in the scan uses (a managed policy, a policy document data source, a Role or
ClusterRole no binding names, a role definition nothing assigns) is reported on itself, one severity
lower, saying it is not attached to any identity in the scan.

Anti-pattern::

    resource "aws_iam_role_policy_attachment" "ci_admin" {
      role       = aws_iam_role.ci.name
      policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    }

Best practice: attach a policy that lists what the pipeline deploys.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.analyse.privilege import admin_equivalent, admin_role
from nhilint.model import Finding, Grant, Severity
from nhilint.rules.base import Context, Rule, label
from nhilint.rules.holders import holder


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    for grant in ctx.inventory.grants:
        if grant.effect != "Allow":
            continue
        attached = grant.permission_type in ("managed_policy", "role", "k8s_rule", "app_role")
        if attached and grant.unknown and not grant.permissions:
            subject = identities.get(grant.principal) if grant.principal else None
            who = label(subject) if subject else "an identity"
            yield rule.finding(
                f"could not evaluate what is attached to {who}: {grant.unknown}",
                grant.location,
                subject,
                grant.via,
                grant.block,
                True,
                ctx,
            )
            continue
        admin = admin_role(grant) or _equivalent(grant)
        if admin is None:
            continue
        held = holder(ctx, grant, grant.principal)
        yield rule.finding(
            held.granted(f"admin access ({admin})") + held.suffix,
            grant.location,
            held.subject,
            f"{grant.via}: {admin}",
            grant.block,
            severity=held.severity(rule),
        )


def _equivalent(grant: Grant) -> str | None:
    """Admin-equivalent statements of documents nothing uses. Where an identity holds one, it is an
    escalation, reported once with the methods it enables (less its Denies and boundary): an AWS policy
    write on `*` by NHI-PRIV-006, an assigned Azure or GCP custom role that writes role assignments or IAM
    policies by NHI-PRIV-007."""
    if grant.principal is not None:
        return None
    return admin_equivalent(grant)


RULE = Rule("NHI-PRIV-004", "admin-grant", Severity.CRITICAL, "NHI5", "Identity is granted administrator access", check)
