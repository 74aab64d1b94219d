"""Cross-account trust needs `sts:ExternalId`.

A role that another AWS account may assume is how third parties (SaaS vendors, auditors, CI services) get
standing access. Without an `sts:ExternalId` condition the vendor can be tricked into using its access on
your behalf (the confused deputy), and a stolen vendor credential reaches you directly. Accounts listed in
`settings.known_accounts` (your own organisation's) and the current account are not reported. An
ExternalId condition that any caller satisfies is the same as none: an empty value, a placeholder left in
(`changeme`, `<external-id>`, `xxxx`, `12345`…), a `StringLike` pattern of only wildcards, a `Null`
test that only asks for the key to be present, or an `…IfExists` test that passes when it is absent.

Anti-pattern::

    principals { type = "AWS"  identifiers = ["arn:aws:iam::999988887777:root"] }

Best practice::

    principals { type = "AWS"  identifiers = ["arn:aws:iam::999988887777:root"] }
    condition  { test = "StringEquals"  variable = "sts:ExternalId"  values = [var.vendor_external_id] }
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nhilint.model import CURRENT_ACCOUNT, Condition, Finding, Severity, Trust, Unknown
from nhilint.rules.base import Context, Rule, label

EXTERNAL_ID = "sts:externalid"
# Values people leave in where the vendor's external id belongs (compared lowercased, punctuation removed).
PLACEHOLDERS = frozenset(
    {
        "changeme",
        "replaceme",
        "placeholder",
        "todo",
        "tbd",
        "fixme",
        "example",
        "test",
        "none",
        "null",
        "default",
        "secret",
        "externalid",
        "yourexternalid",
        "myexternalid",
        "insertexternalidhere",
        "123",
        "1234",
        "12345",
        "123456",
        "abc",
        "abc123",
    }
)
_ACCOUNT_RE = re.compile(r"^(?:arn:aws[a-z-]*:(?:iam|sts)::(?P<arn>[^:]+):.*|(?P<bare>\d{12}))$")


def account_of(identifier: str) -> str | None:
    match = _ACCOUNT_RE.match(identifier)
    if not match:
        return None
    return match.group("arn") or match.group("bare")


def weak_value(value: str | Unknown, operator: str) -> bool:
    """An ExternalId value anyone can present: empty, a placeholder, a pattern of only wildcards."""
    if isinstance(value, Unknown):
        return False  # a variable without a default: the usual way to pass the vendor's id
    text = value.strip()
    squashed = re.sub(r"[^a-z0-9]", "", text.lower())
    return (
        squashed in PLACEHOLDERS
        or not squashed
        or len(set(squashed)) == 1  # xxxx, 0000
        or (text.startswith("<") and text.endswith(">"))
        or ("like" in operator.lower() and not text.strip("*?"))
    )


def external_id_problem(trust: Trust) -> str | None:
    """None when an ExternalId condition pins the caller; else why not (no condition, or a weak one)."""
    conditions: list[Condition] = [c for c in trust.conditions if c.key.lower() == EXTERNAL_ID]
    if not conditions:
        return "without an sts:ExternalId condition"
    why: list[str] = []
    for condition in conditions:
        operator = condition.operator.lower()
        if operator.startswith("null") or not condition.values:
            why.append(f"{condition.operator}: only asks that one is sent")
        elif operator.endswith("ifexists"):
            why.append(f"{condition.operator}: passes when none is sent")
        elif all(weak_value(v, condition.operator) for v in condition.values):
            why.append(", ".join(repr(v) for v in condition.values))
        else:
            return None
    return f"with an sts:ExternalId condition any caller meets ({'; '.join(why)})"


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    known = set(ctx.settings.known_accounts)
    for trust in ctx.inventory.trusts:
        subject = identities.get(trust.identity)
        if subject is None or trust.effect != "Allow":
            continue
        problem = external_id_problem(trust)
        if problem is None:
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
                f"account {account} may assume {label(subject)} {problem}",
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
