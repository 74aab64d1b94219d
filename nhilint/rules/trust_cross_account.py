"""Cross-account trust needs `sts:ExternalId`.

A role that another AWS account may assume is how third parties (SaaS vendors, auditors, CI services) get
standing access. Without an `sts:ExternalId` condition the vendor can be tricked into using its access on
your behalf (the confused deputy), and a stolen vendor credential reaches you directly. Accounts listed in
`settings.known_accounts` (your own organisation's) and the current account are not reported.

Anti-pattern::

    principals { type = "AWS"  identifiers = ["arn:aws:iam::999988887777:root"] }

Best practice::

    principals { type = "AWS"  identifiers = ["arn:aws:iam::999988887777:root"] }
    condition  { test = "StringEquals"  variable = "sts:ExternalId"  values = [var.vendor_external_id] }
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nhilint.model import CURRENT_ACCOUNT, Finding, Severity, Unknown
from nhilint.rules.base import Context, Rule, label

_ACCOUNT_RE = re.compile(r"^(?:arn:aws[a-z-]*:(?:iam|sts)::(?P<arn>[^:]+):.*|(?P<bare>\d{12}))$")


def account_of(identifier: str) -> str | None:
    match = _ACCOUNT_RE.match(identifier)
    if not match:
        return None
    return match.group("arn") or match.group("bare")


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    known = set(ctx.settings.known_accounts)
    for trust in ctx.inventory.trusts:
        subject = identities.get(trust.identity)
        if subject is None or trust.effect != "Allow":
            continue
        if any(c.key.lower() == "sts:externalid" for c in trust.conditions):
            continue
        for principal in trust.principals:
            if principal.type != "AWS":
                continue
            if isinstance(principal.identifier, Unknown):
                yield rule.finding(
                    f"could not evaluate the account trusted by {label(subject)}: {principal.identifier.reason}",
                    trust.location,
                    subject,
                    trust.via,
                    trust.block,
                    True,
                    ctx,
                )
                continue
            account = account_of(principal.identifier)
            if account is None or account == CURRENT_ACCOUNT or account in known:
                continue
            yield rule.finding(
                f"account {account} may assume {label(subject)} without an sts:ExternalId condition",
                trust.location,
                subject,
                f"{trust.via}: {principal.identifier}",
                trust.block,
            )


RULE = Rule(
    "NHI-TRUST-002",
    "cross-account-no-external-id",
    Severity.HIGH,
    "NHI3",
    "Cross-account trust without sts:ExternalId",
    check,
)
