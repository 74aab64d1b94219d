"""No `NotAction` or `NotResource` in an Allow statement.

`Allow` + `NotAction: iam:*` grants every other action of every service, including those AWS adds later;
`Allow` + `NotResource` grants every resource but a few. Both are allow-lists written as deny-lists.
Use them only with `Deny`. A `NotAction` on `Resource: "*"` is also NHI-PRIV-002's: the resources are a
second problem with a second fix. The finding names the policy the statement is written in; a policy no
identity in the scan uses is reported on itself, one severity lower.

Anti-pattern::

    { Effect = "Allow", NotAction = ["iam:*", "organizations:*"], Resource = "*" }

Best practice: list the allowed actions; put exclusions in a `Deny` statement or a permissions boundary.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule
from nhilint.rules.holders import holder


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for grant in ctx.inventory.grants:
        if grant.permission_type != "action" or grant.effect != "Allow":
            continue
        if not (grant.not_actions or grant.not_resources):
            continue
        held = holder(ctx, grant)
        what = " and ".join(
            w for w, on in (("NotAction", grant.not_actions), ("NotResource", grant.not_resources)) if on
        )
        fix = "list the allowed actions, and deny exclusions in a Deny statement"
        if not grant.not_actions:
            fix = "list the allowed resources, and deny exclusions in a Deny statement"
        yield rule.finding(
            held.granted(f"an Allow with {what}") + f"{held.suffix}: {fix}",
            grant.location,
            held.subject,
            f"{grant.via}: {what}",
            grant.block,
            severity=held.severity(rule),
        )


RULE = Rule(
    "NHI-PRIV-003", "not-action-allow", Severity.HIGH, "NHI5", "Allow statement uses NotAction or NotResource", check
)
