"""What a change does to access: the question a reviewer asks of an infrastructure pull request.

Findings say what is wrong with the code as it stands; this compares two inventories (the merge base and
the pull request) and says, per identity, what the change *adds*: a new identity (and whether it has an
owner), a removed identity, a new grant (permissions or scope the identity did not have), a wider trust
(a new principal, a condition removed, a condition value broadened, e.g. an OIDC subject that now admits
any repository), a new credential (long-lived or not). Narrowing is not listed: it needs no review.

Everything is compared by what it means, never by where it is written, so moving a block to another file
lists nothing. The grants, trusts and credentials of an identity that the change adds are summed up by
its own "adds identity" line (and judged by the rules); listing them again would bury the signal.
Conditions on grants and Deny statements are not compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from nhilint.model import Condition, Credential, Grant, Identity, Inventory, Location, Trust, TrustPrincipal, Unknown

ORDER = ("identity_added", "identity_removed", "grant_added", "trust_widened", "credential_added")
_SHOWN = 4


@dataclass(frozen=True, slots=True)
class Change:
    """One access change: `kind` (one of ORDER), the identity it is about, a sentence, and where to look."""

    kind: str
    identity: str | None
    message: str
    location: Location

    @property
    def sort_key(self) -> tuple[str, int, str]:
        return (self.identity or "", ORDER.index(self.kind), self.message)


def diff(base: Inventory, head: Inventory) -> list[Change]:
    """Every access change from `base` to `head`, sorted by identity, kind and message."""
    added = set(head.identities) - set(base.identities)
    changes = [
        *_identities(base, head),
        *_grants(base, head, added),
        *_trusts(base, head, added),
        *_credentials(base, head, added),
    ]
    return sorted(set(changes), key=lambda c: c.sort_key)


def _text(value: str | Unknown) -> str:
    return value if isinstance(value, str) else str(value)


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:_SHOWN])
    return shown + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def _owner(identity: Identity) -> str:
    owner = identity.lifecycle.owner
    if owner is None:
        return "no owner"
    return f"owner {owner.value}" if isinstance(owner.value, str) else "owner could not be evaluated"


def _identities(base: Inventory, head: Inventory) -> Iterator[Change]:
    for key in sorted(set(head.identities) - set(base.identities)):
        identity = head.identities[key]
        yield Change("identity_added", key, f"adds identity {key} ({_owner(identity)})", identity.location)
    for key in sorted(set(base.identities) - set(head.identities)):
        yield Change("identity_removed", key, f"removes identity {key}", base.identities[key].location)


# Grants ------------------------------------------------------------------------------------------------

Pair = tuple[str, str, bool, bool]


def _pairs(grant: Grant) -> list[Pair]:
    """(permission, scope, NotAction, NotResource) for every permission on every scope of an Allow grant."""
    scopes = grant.scope or ("",)
    return [(p, s, grant.not_actions, grant.not_resources) for p in grant.permissions for s in scopes]


def _allows(grants: Iterable[Grant]) -> dict[str, set[Pair]]:
    by_principal: dict[str, set[Pair]] = {}
    for grant in grants:
        if grant.principal is not None and grant.effect == "Allow":
            by_principal.setdefault(grant.principal, set()).update(_pairs(grant))
    return by_principal


def _grants(base: Inventory, head: Inventory, added: set[str]) -> Iterator[Change]:
    before = _allows(base.grants)
    for grant in head.grants:
        if grant.principal is None or grant.effect != "Allow" or grant.principal in added:
            continue
        new = [p for p in _pairs(grant) if p not in before.get(grant.principal, set())]
        if not new:
            continue
        permissions = list(dict.fromkeys(("NotAction " if n else "") + p for p, _, n, _ in new))
        scopes = list(dict.fromkeys(("NotResource " if n else "") + s for _, s, _, n in new if s))
        where = f" on {_listed(scopes)}" if scopes else ""
        yield Change(
            "grant_added",
            grant.principal,
            f"adds grant {_listed(permissions)}{where} to {grant.principal} ({grant.via})",
            grant.location,
        )


# Trusts ------------------------------------------------------------------------------------------------


def _key(principal: TrustPrincipal) -> tuple[str, str]:
    return (principal.type, _text(principal.identifier))


def _conditions(trust: Trust) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for condition in trust.conditions:
        values.setdefault(condition.key.lower(), []).extend(_text(v) for v in condition.values)
    return values


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern))


def _covered(value: str, allowed: list[str]) -> bool:
    return any(value == a or (("*" in a or "?" in a) and _glob(a).fullmatch(value)) for a in allowed)


def _widening(before: Trust, after: Trust) -> list[tuple[str, list[str], list[str]]]:
    """(condition key, values before, values now admitted) for each condition `after` no longer enforces."""
    old, new = _conditions(before), _conditions(after)
    names = {c.key.lower(): c.key for c in before.conditions}  # keys compare case-insensitively, as in IAM
    found = []
    for key, values in old.items():
        broader = [v for v in new.get(key, []) if not _covered(v, values)]
        if key not in new or broader:
            found.append((names[key], values, broader))
    return found


def _github_reach(key: str, admitted: list[str]) -> str:
    """`to any repository`, `to any repository of acme`… for a GitHub OIDC subject, else ``."""
    if not key.lower().endswith(":sub") or "token.actions.githubusercontent.com" not in key.lower():
        return ""
    if not admitted:
        return "to any repository"
    for value in admitted:
        repo, _, ref = value.removeprefix("repo:").partition(":")
        owner, _, name = repo.partition("/")
        if value in ("*", "repo:*") or "*" in owner:
            return "to any repository"
        if "*" in name:
            return f"to any repository of {owner}"
        if "*" in ref:
            return f"to any branch or environment of {repo}"
    return ""


def _describe(identity: str, widened: list[tuple[str, list[str], list[str]]]) -> str:
    reach = next((r for r in (_github_reach(k, a) for k, _, a in widened) if r), "")
    details = [
        f"{key}: {_listed(was)} -> {_listed(now)}" if now else f"removes condition {key} ({_listed(was)})"
        for key, was, now in widened
    ]
    return f"widens the trust of {identity}{' ' + reach if reach else ''} ({'; '.join(details)})"


def _trusts(base: Inventory, head: Inventory, added: set[str]) -> Iterator[Change]:
    before: dict[str, list[Trust]] = {}
    for trust in base.trusts:
        if trust.effect == "Allow":
            before.setdefault(trust.identity, []).append(trust)
    for trust in head.trusts:
        if trust.effect != "Allow" or trust.identity in added:
            continue
        old = before.get(trust.identity, [])
        for principal in trust.principals:
            holding = [t for t in old if _key(principal) in {_key(p) for p in t.principals}]
            if not holding:
                who = "anyone" if principal.type == "*" else f"{principal.type} {_text(principal.identifier)}"
                conditions = _condition_text(trust.conditions)
                yield Change(
                    "trust_widened",
                    trust.identity,
                    f"widens the trust of {trust.identity} to {who}{conditions}",
                    trust.location,
                )
                continue
            options = [_widening(t, trust) for t in holding]
            if all(options):
                yield Change(
                    "trust_widened", trust.identity, _describe(trust.identity, min(options, key=len)), trust.location
                )


def _condition_text(conditions: tuple[Condition, ...]) -> str:
    if not conditions:
        return " (no condition)"
    return " (" + "; ".join(f"{c.key} {_listed([_text(v) for v in c.values])}" for c in conditions) + ")"


# Credentials -------------------------------------------------------------------------------------------


def _long_lived(credential: Credential) -> bool:
    return credential.static and credential.expires is None and credential.rotation is None


def _credentials(base: Inventory, head: Inventory, added: set[str]) -> Iterator[Change]:
    known = {c.id for c in base.credentials}
    for credential in head.credentials:
        if credential.id in known or credential.of in added:
            continue
        kind = credential.kind.replace("_", " ")
        of = credential.of if isinstance(credential.of, str) else None
        what = f"a long-lived {kind}" if _long_lived(credential) else kind
        to = f" to {of}" if of else " (attached to no identity)"
        yield Change("credential_added", of, f"adds {what} {credential.id}{to}", credential.location)
