"""No role that anyone can assume.

A trust policy with `Principal: "*"` (or `AWS: "*"`) lets any AWS account, including an attacker's,
assume the role, unless a condition pins the caller: `aws:PrincipalOrgID`, `aws:PrincipalAccount`,
`aws:PrincipalArn`, `aws:SourceAccount`, `aws:SourceArn` or `aws:SourceOrgID` are accepted as such pins.
A trust policy nhilint cannot evaluate is reported here as unknown.

Anti-pattern::

    principals { type = "AWS"  identifiers = ["*"] }

Best practice::

    principals { type = "AWS"  identifiers = ["arn:aws:iam::111122223333:role/deployer"] }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity, Trust
from nhilint.rules.base import Context, Rule, label

PINNING_KEYS = frozenset(
    {
        "aws:principalorgid",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:principalorgpaths",
    }
)


def pinned(trust: Trust) -> bool:
    return any(c.key.lower() in PINNING_KEYS for c in trust.conditions)


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    for trust in ctx.inventory.trusts:
        subject = identities.get(trust.identity)
        if subject is None:
            continue
        if trust.unknown and not trust.principals:
            yield rule.finding(
                f"could not evaluate who may assume {label(subject)}: {trust.unknown}",
                trust.location,
                subject,
                trust.via,
                trust.block,
                True,
                ctx,
            )
            continue
        if trust.effect != "Allow" or pinned(trust):
            continue
        if any(p.identifier == "*" and p.type in ("*", "AWS") for p in trust.principals):
            yield rule.finding(
                f'anyone may assume {label(subject)} (Principal "*" without a pinning condition)',
                trust.location,
                subject,
                f"{trust.via}: Principal *",
                trust.block,
            )


RULE = Rule("NHI-TRUST-001", "trust-anyone", Severity.CRITICAL, "NHI6", "Role is assumable by anyone", check)
