"""Every identity needs a retirement hook: a `retire-on` trigger or a workload that uses it.

An identity is retired safely when something says when it goes away. nhilint accepts either a `retire-on`
tag or `# nhilint:retire-on app:payments` comment naming the trigger (a workload, a vendor contract, a
ticket), or a workload in the scanned code that runs as the identity (a Lambda role, an instance profile,
an ECS task role, a Pod's ServiceAccount, a compute `service_account`): when that workload is deleted, the
identity is visibly orphaned. An identity with neither is an orphan in the making. Groups are exempt.

Anti-pattern::

    resource "aws_iam_role" "vendor_sync" { ... }        # nothing uses it, nothing retires it

Best practice::

    resource "aws_iam_role" "vendor_sync" {
      ...
      tags = { retire-on = "contract:ACME-2027" }
    }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, fact_where, label, unknown_reason

EXEMPT_KINDS = frozenset({"group", "service_linked_role"})


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    used = {usage.identity for usage in ctx.inventory.usages}
    for identity in ctx.inventory.identities.values():
        if identity.kind in EXEMPT_KINDS or identity.id in used:
            continue
        retire_on = identity.lifecycle.retire_on
        if retire_on is None:
            yield rule.finding(
                f"{label(identity)} has no retirement hook: no retire-on tag and no workload in the scanned "
                "code uses it",
                identity.location,
                identity,
            )
        elif not retire_on.known:
            yield rule.finding(
                f"could not evaluate the retire-on of {label(identity)}: {unknown_reason(retire_on)}",
                fact_where(retire_on, identity.location),
                identity,
                retire_on.source,
                identity.location,
                True,
                ctx,
            )


RULE = Rule(
    "NHI-RET-001",
    "no-retirement-hook",
    Severity.MEDIUM,
    "NHI1",
    "Identity has no retire-on trigger and no workload uses it",
    check,
)
