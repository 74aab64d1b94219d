"""A suppression that is malformed, has no reason, or has expired.

Every `# nhilint:ignore` must say why (`-- reason`); one with `until YYYY-MM-DD` stops working the day
after that date and is then reported here, so accepted risks come back for review instead of living
forever. A suppression naming a rule id that does not exist (a typo, a renamed rule) is reported too.
Such suppressions silence nothing.

Anti-pattern::

    # nhilint:ignore NHI-PRIV-001
    # nhilint:ignore NHI-PRIV-001 -- migration in progress until 2025-01-31

Best practice::

    # nhilint:ignore NHI-PRIV-001 -- vendor agent needs s3:* on its own bucket (SEC-1234) until 2027-01-31
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint import suppress
from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for annotation in ctx.inventory.annotations:
        if annotation.verb != "ignore":
            continue
        judged = suppress.judge(annotation, ctx.today, ctx.rule_ids)
        if isinstance(judged, suppress.Problem):
            evidence = judged.expired.reason if judged.expired is not None else annotation.text
            yield rule.finding(judged.message, annotation.location, None, evidence, annotation.block)


RULE = Rule(
    "NHI-SUPP-001",
    "bad-suppression",
    Severity.MEDIUM,
    "NHI1",
    "Suppression is malformed, lacks a reason, or has expired",
    check,
)
