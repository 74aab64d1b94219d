"""No administrator grants to machine identities.

Reported: the AWS managed policies `AdministratorAccess`, `IAMFullAccess` and `PowerUserAccess`; a
statement allowing `Action: *` on `Resource: *`; GCP `roles/owner` and `roles/editor`; Azure `Owner`,
`Contributor` and `User Access Administrator` at subscription or management-group scope (a resource-group
scope is not reported); Microsoft Graph application permissions of tier 0 in the shipped Graph table
(`RoleManagement.ReadWrite.Directory`, `AppRoleAssignment.ReadWrite.All`, `Application.ReadWrite.All`...),
each of which lets the application make itself Global Administrator; Kubernetes `cluster-admin` and RBAC
rules with wildcard verbs on wildcard resources. A workload never needs all of that; an attacker with its
credential gets all of it.

Anti-pattern::

    resource "aws_iam_role_policy_attachment" "ci_admin" {
      role       = aws_iam_role.ci.name
      policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    }

Best practice: attach a policy that lists what the pipeline deploys.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.analyse.privilege import admin_role
from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, label, short_address


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
        admin = admin_role(grant)
        if admin is None:
            continue
        subject = identities.get(grant.principal) if grant.principal else None
        who = label(subject) if subject else (grant.principal or f"policy {short_address(grant.source)}")
        yield rule.finding(
            f"{who} is granted admin access ({admin})", grant.location, subject, f"{grant.via}: {admin}", grant.block
        )


RULE = Rule("NHI-PRIV-004", "admin-grant", Severity.CRITICAL, "NHI5", "Identity is granted administrator access", check)
