"""An expiry date must not be further ahead than the policy allows (`settings.max_expiry_days`).

An expiry ten years out is no expiry at all. The limit applies to credential end dates and to identity
`expires` tags/comments, counted from today (or `--today` for reproducible builds), and to validity
periods that start at apply (a certificate's `validity_period_hours`, a Vault TTL), counted in days.

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

from nhilint.model import Credential, Finding, Severity
from nhilint.rules.base import Context, Rule, expiry_of, fact_where, label, parse_date, subjects


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    limit = ctx.settings.max_expiry_days
    for subject in subjects(ctx.inventory):
        expiry = expiry_of(subject)
        if expiry is None or not isinstance(expiry.value, str) or expiry.source.startswith("parent:"):
            continue
        validity = _validity_days(subject) if isinstance(subject, Credential) and subject.expires is expiry else None
        if validity is not None:
            if validity > limit:
                yield rule.finding(
                    f"{label(subject)} is valid for {validity} days ({expiry.value}; limit {limit})",
                    fact_where(expiry, subject.location),
                    subject,
                    expiry.source,
                    subject.location,
                )
            continue
        when = parse_date(expiry.value)
        if when is None:
            continue
        days = (when - ctx.today).days
        if days > limit:
            yield rule.finding(
                f"{label(subject)} expires {when.isoformat()}, {days} days ahead (limit {limit})",
                fact_where(expiry, subject.location),
                subject,
                expiry.source,
                subject.location,
            )


def _validity_days(credential: Credential) -> int | None:
    """A validity period (the `validity_seconds` attribute extractors record), in whole days."""
    seconds = credential.attribute("validity_seconds")
    return int(seconds) // 86400 if seconds is not None and seconds.isdigit() else None


RULE = Rule(
    "NHI-EXP-002", "expiry-too-far", Severity.MEDIUM, "NHI7", "Expiry is further ahead than the policy allows", check
)
