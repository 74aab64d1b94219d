"""No `NotAction` or `NotResource` in an Allow statement.

`Allow` + `NotAction: iam:*` grants every other action of every service, including those AWS adds later;
`Allow` + `NotResource` grants every resource but a few. Both are allow-lists written as deny-lists.
Use them only with `Deny`.

Anti-pattern::

    { Effect = "Allow", NotAction = ["iam:*", "organizations:*"], Resource = "*" }

Best practice: list the allowed actions; put exclusions in a `Deny` statement or a permissions boundary.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, label, short_address


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    for grant in ctx.inventory.grants:
        if grant.permission_type != "action" or grant.effect != "Allow":
            continue
        if not (grant.not_actions or grant.not_resources):
            continue
        subject = identities.get(grant.principal) if grant.principal else None
        who = label(subject) if subject else f"policy {short_address(grant.source)}"
        what = " and ".join(
            w for w, on in (("NotAction", grant.not_actions), ("NotResource", grant.not_resources)) if on
        )
        yield rule.finding(
            f"{who} is granted an Allow with {what}", grant.location, subject, f"{grant.via}: {what}", grant.block
        )


RULE = Rule(
    "NHI-PRIV-003", "not-action-allow", Severity.HIGH, "NHI5", "Allow statement uses NotAction or NotResource", check
)
