"""`nhilint explain-identity`: one identity's full picture, for the reviewer who asks "what is this, really?".

The inventory lists every identity in a line and the scan lists findings; neither answers, for one
identity, who owns it and where that is written, what it can do and through which statement, who may
become it, what runs as it, which other identities it can become, and what is wrong with it. This puts
all of that on one page, each item with the file:line it comes from.

An identity is named by its id (`aws:aws_iam_role.ci`), its address, a unique suffix of either made of
whole segments, starting at a `.`, `/`, `:` or `#` boundary (`aws_iam_role.ci`, `ci`; never `platform_ci`), or
its name. A name that matches several identities is a usage error listing them; one that matches none is a
usage error listing the closest identities (by difflib similarity), so a typo is not silently resolved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher

from nhilint import redact
from nhilint.model import Credential, Fact, Grant, Identity, Inventory, Trust, Unknown
from nhilint.report.escape import printable
from nhilint.result import Report
from nhilint.values import readable_symbols

MAX_CANDIDATES = 20
MAX_CLOSE = 5
_BOUNDARIES = "./:#"


class NotFound(LookupError):
    """No identity, or several, match a name; the message lists the candidates."""


def find(inventory: Inventory, name: str, shown: Callable[[str], str] = printable) -> Identity:
    """The identity `name` stands for; NotFound lists the candidates, each passed through `shown` (the
    command's redactor, then `printable`: an id holds a file name or a name from the code)."""
    identities = inventory.identities
    if name in identities:
        return identities[name]
    exact = [i for i in identities.values() if i.address == name]
    if len(exact) == 1:
        return exact[0]
    matches = exact or [
        i for i in identities.values() if _suffix(i.id, name) or _suffix(i.address, name) or i.name == name
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        close = [shown(i) for i in closest(identities.values(), name)]
        hint = "the closest:\n  " + "\n  ".join(close) if close else "`nhilint inventory` lists them"
        raise NotFound(f"no identity matches {shown(repr(name))}; {hint}")
    ids = sorted(i.id for i in matches)
    more = f"\n  … and {len(ids) - MAX_CANDIDATES} more" if len(ids) > MAX_CANDIDATES else ""
    listed = "\n  ".join(shown(i) for i in ids[:MAX_CANDIDATES])
    raise NotFound(f"{shown(repr(name))} matches {len(ids)} identities; give one of:\n  {listed}{more}")


def _suffix(text: str, name: str) -> bool:
    """`name` is the whole of `text`'s last segments: it starts at a `.`, `/`, `:` or `#` boundary (the last
    one before a CloudFormation logical id)."""
    return text.endswith(name) and (len(text) == len(name) or text[-len(name) - 1] in _BOUNDARIES)


def closest(identities: Iterable[Identity], name: str) -> list[str]:
    """The ids of up to MAX_CLOSE identities most like `name` (difflib), best first: compared with the id,
    the address and its last segment, so `ci` finds `aws_iam_role.platform_ci` and `aws_iam_role.cl`."""
    scored: list[tuple[float, str]] = []
    for identity in identities:
        last = re.split(r"[./:#]", identity.address)[-1]
        score = max(SequenceMatcher(None, name, text).ratio() for text in (identity.id, identity.address, last))
        if name in last:
            score = max(score, 0.6)
        if score >= 0.6:
            scored.append((-score, identity.id))
    return [ident for _, ident in sorted(scored)[:MAX_CLOSE]]


def render(report: Report, identity: Identity) -> str:
    """The page, with every value from the code redacted (nhilint/redact.py) before it is formatted."""
    blast = report.analysis.blast
    redactor = redact.for_inventory(report.inventory)
    report = redact.report(report)
    original = identity.id  # the blast radius was computed on the unredacted inventory
    identity = redactor.apply(identity)
    blast_text = redactor.text  # routes and reach summaries come from the unredacted analysis
    inventory = report.inventory
    lines = [f"{identity.id}", f"  {identity.kind.replace('_', ' ')} ({identity.platform}) at {identity.location}"]
    if identity.name is not None:
        lines.append(f"  name: {_value(identity.name)}")
    if identity.multiplicity:
        lines.append(f"  instances: {identity.multiplicity}")
    for title, attr in (("owner", "owner"), ("purpose", "purpose"), ("expires", "expires"), ("retire-on", "retire_on")):
        lines.append(f"  {title}: {_fact(identity.lifecycle.get(attr))}")
    credentials = inventory.credentials_of(identity.id)
    _section(lines, "credentials", [_credential(c) for c in credentials])
    _section(lines, "grants (what it may do)", [_grant(g) for g in inventory.grants_of(identity.id)])
    _section(lines, "trusts (who may become it)", [_trust(t) for t in inventory.trusts_of(identity.id)])
    _section(
        lines,
        "used by (workloads that run as it)",
        [f"{u.location}: {u.workload} ({u.kind})" for u in inventory.usages_of(identity.id)],
    )
    lines.append("reaches")
    direct = blast.direct[original].summary(12) if original in blast.direct else "-"
    lines.append(f"  directly: {blast_text(direct)}")
    lines.append(f"  in total: {blast_text(blast.reach(original).summary(12))}")
    routes = blast.routes(original)
    _section(
        lines,
        "can become (and how)",
        [
            line
            for r in routes
            for line in (
                blast_text("any role (unbounded)" if r.unbounded else r.target),
                *(
                    f"    {e.location}: {blast_text(e.source)} -> {blast_text(e.target)}: {blast_text(e.how)}"
                    for e in r.edges
                ),
            )
        ],
    )
    subjects = {identity.id, *(c.id for c in credentials)}
    findings = [
        f"{f.location}: {f.rule_id} {f.severity} {f.message}" for f in report.findings if f.identity in subjects
    ]
    findings += [
        f"{s.finding.location}: {s.finding.rule_id} {s.finding.severity} {s.finding.message} (suppressed: {s.reason})"
        for s in report.suppressed
        if s.finding.identity in subjects
    ]
    _section(lines, "findings", findings)
    # The id line as it is, the rest with readable symbols; every line escaped (a name cannot start a line).
    return "\n".join(printable(line) for line in [lines[0], *map(readable_symbols, lines[1:])]) + "\n"


def _section(lines: list[str], title: str, items: list[str]) -> None:
    lines.append(f"{title}" + ("" if items else ": none"))
    lines.extend(f"  {item}" for item in items)


def _value(value: str | Unknown | None) -> str:
    if value is None:
        return "-"
    return value if isinstance(value, str) else f"<unknown: {value.reason}>"


def _fact(fact: Fact | None) -> str:
    if fact is None:
        return "-"
    where = f", {fact.location}" if fact.location else ""
    return f"{_value(fact.value)} (from {fact.source}{where})"


def _credential(credential: Credential) -> str:
    expires = _fact(credential.expires or credential.lifecycle.expires)
    rotation = _fact(credential.rotation)
    static = "static" if credential.static else "short-lived"
    return (
        f"{credential.location}: {credential.kind} {credential.address} ({static}; expires {expires}; "
        f"rotation {rotation})"
    )


def _grant(grant: Grant) -> str:
    permissions = ", ".join(grant.permissions) or "?"
    if grant.not_actions:
        permissions = f"everything but {permissions}"
    scope = ", ".join(grant.scope) or "-"
    text = f"{grant.location}: {grant.effect} {permissions} on {scope}, via {grant.via}"
    if grant.conditions:
        text += " if " + "; ".join(f"{c.operator} {c.key}" for c in grant.conditions)
    return text + (f" [unknown: {grant.unknown}]" if grant.unknown else "")


def _trust(trust: Trust) -> str:
    principals = ", ".join(f"{p.type} {_value(p.identifier)}" for p in trust.principals) or "?"
    text = f"{trust.location}: {trust.effect} {principals}"
    if trust.actions:
        text += f" to {', '.join(trust.actions)}"
    if trust.conditions:
        text += " if " + "; ".join(
            f"{c.operator} {c.key} {', '.join(_value(v) for v in c.values)}" for c in trust.conditions
        )
    return text + f", via {trust.via}"
