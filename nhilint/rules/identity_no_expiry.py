"""Every identity should carry an expiry or review-by date.

Identities outlive the projects that create them. An `expires` (or `review-by`) tag or an inline
`# nhilint:expires 2027-03-31` comment makes the review happen: NHI-EXP-003 fails the build on that day.
The default policy reports this at `low`; `strict` raises it. A value that is not a date is reported too.
IAM groups (containers of principals) are not reported.

Anti-pattern::

    resource "google_service_account" "etl" { account_id = "etl-loader" }

Best practice::

    # nhilint:expires 2027-03-31
    resource "google_service_account" "etl" { account_id = "etl-loader" }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, fact_where, label, parse_date, unknown_reason
from nhilint.rules.owner_missing import CONTAINER_KINDS


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for identity in ctx.inventory.identities.values():
        if identity.kind in CONTAINER_KINDS:
            continue
        expiry = identity.lifecycle.expires
        if expiry is None:
            yield rule.finding(f"{label(identity)} has no expiry or review-by date", identity.location, identity)
        elif not isinstance(expiry.value, str):
            yield rule.finding(
                f"could not evaluate the expiry of {label(identity)}: {unknown_reason(expiry)}",
                fact_where(expiry, identity.location),
                identity,
                expiry.source,
                identity.location,
                True,
                ctx,
            )
        elif parse_date(expiry.value) is None:
            yield rule.finding(
                f"expiry {expiry.value!r} of {label(identity)} is not a date (use YYYY-MM-DD)",
                fact_where(expiry, identity.location),
                identity,
                expiry.source,
                identity.location,
            )


RULE = Rule(
    "NHI-EXP-004", "identity-no-expiry", Severity.LOW, "NHI1", "Identity has no expiry or review-by date", check
)
