"""An identity or credential whose expiry date has passed must be retired now.

This is the lifecycle trigger human IAM has and machine IAM lacks: on the day an `expires` tag, comment
or credential end date passes, the build starts failing until the identity is removed or its owner
extends it on purpose.

Anti-pattern (today is 2026-11-22)::

    # nhilint:expires 2026-06-30
    resource "google_service_account" "migration" { account_id = "migration-2026" }

Best practice: delete the identity, or set a new, reviewed expiry.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, expiry_of, fact_where, label, parse_date, subjects


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for subject in subjects(ctx.inventory):
        expiry = expiry_of(subject)
        if expiry is None or not isinstance(expiry.value, str) or expiry.source.startswith("parent:"):
            continue
        when = parse_date(expiry.value)
        if when is not None and when < ctx.today:
            yield rule.finding(
                f"{label(subject)} expired on {when.isoformat()}; retire it or extend it on purpose",
                fact_where(expiry, subject.location),
                subject,
                expiry.source,
                subject.location,
            )


RULE = Rule("NHI-EXP-003", "expired", Severity.HIGH, "NHI1", "Expiry date has passed", check)
