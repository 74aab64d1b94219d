"""An expiry date must not be further ahead than the policy allows (`settings.max_expiry_days`).

An expiry ten years out is no expiry at all. The limit applies to credential end dates and to identity
`expires` tags/comments, counted from today (or `--today` for reproducible builds).

Anti-pattern (with `max_expiry_days: 365`)::

    resource "azuread_application_password" "ci" {
      application_id = azuread_application.ci.id
      end_date       = "2035-01-01T00:00:00Z"
    }

Best practice::

    end_date = "2027-01-01T00:00:00Z"   # or end_date_relative / time_rotating
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, expiry_of, fact_where, label, parse_date, subjects


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    limit = ctx.settings.max_expiry_days
    for subject in subjects(ctx.inventory):
        expiry = expiry_of(subject)
        if expiry is None or not isinstance(expiry.value, str) or expiry.source.startswith("parent:"):
            continue
        when = parse_date(expiry.value)
        if when is None:
            continue
        days = (when - ctx.today).days
        if days > limit:
            yield rule.finding(
                f"{label(subject)} expires {when.isoformat()}, {days} days ahead (limit {limit})",
                fact_where(expiry, subject.location), subject, expiry.source, subject.location,
            )


RULE = Rule("NHI-EXP-002", "expiry-too-far", Severity.MEDIUM, "NHI7",
            "Expiry is further ahead than the policy allows", check)
