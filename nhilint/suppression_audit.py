"""Suppression governance: every inline `nhilint:ignore`, whether it still works and still matters.

An accepted risk is only as good as its review. `nhilint suppressions PATH...` lists each suppression
with its file, line, rule ids, reason and `until`, whether it is active, expired or invalid (judged by
`nhilint.suppress.judge`, exactly as `scan` and NHI-SUPP-001 judge it), how many findings it matches as
written, and how many it suppresses (none unless it is active). A suppression that matches nothing is dead
weight that would silently hide the next, unrelated finding on that block, so it is worth removing; an
expired or invalid one that still matches is a risk that is back on the table. Matching uses the same
block rules as `nhilint.suppress`."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from nhilint import __version__, suppress
from nhilint.model import Finding, Inventory
from nhilint.model_inputs import Annotation
from nhilint.report.escape import printable

_RULE_ID_RE = re.compile(r"\b(?:all|NHI-[A-Z0-9]+-\d{3})\b")


@dataclass(frozen=True, slots=True)
class Listed:
    """One inline suppression as an auditor sees it."""

    annotation: Annotation
    rule_ids: tuple[str, ...]
    reason: str | None
    until: date | None
    problem: str | None  # why it suppresses nothing (NHI-SUPP-001's message); None when it works
    expired: bool
    matches: int  # findings it covers as written, whether or not it works
    identity: str | None

    @property
    def status(self) -> str:
        return "expired" if self.expired else "invalid" if self.problem else "active"

    @property
    def suppresses(self) -> int:
        """The findings it silences in a scan: only a working suppression silences any."""
        return 0 if self.problem else self.matches


def audit(inventory: Inventory, findings: Sequence[Finding], today: date, known: Collection[str]) -> list[Listed]:
    """List every `ignore` annotation, judged as `scan` judges it (nhilint.suppress.judge, with the registry's
    rule ids `known`); `findings` are the scan's findings with no suppression applied."""
    findings = list(findings)
    owners = {(i.location.path, i.location.start_line): i.id for i in inventory.identities.values()}
    owners.update({(c.location.path, c.location.start_line): c.id for c in inventory.credentials})
    listed = []
    for annotation in inventory.annotations:
        if annotation.verb != "ignore":
            continue
        judged = suppress.judge(annotation, today, known)
        expired = False
        if isinstance(judged, suppress.Suppression):
            probe, problem = judged, None
        elif judged.expired is not None:
            probe, problem, expired = judged.expired, judged.message, True
        else:
            ids = tuple(_RULE_ID_RE.findall(annotation.text))
            probe, problem = suppress.Suppression(ids, "", None, annotation), judged.message
        _, covered = suppress.apply(findings, [probe]) if probe.rule_ids else ([], [])
        block = annotation.block
        listed.append(
            Listed(
                annotation,
                probe.rule_ids,
                probe.reason or None,
                probe.until,
                problem,
                expired,
                len(covered),
                owners.get((block.path, block.start_line)),
            )
        )
    return sorted(listed, key=lambda item: item.annotation.location)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_text(items: list[Listed]) -> str:
    lines = []
    for item in items:
        where = item.annotation.location
        until = f" until {item.until.isoformat()}" if item.until is not None else ""
        if item.problem is None:
            state = f"active{until}, " + (f"matches {_plural(item.matches, 'finding')}" if item.matches else "unused")
        else:
            why = f"expired on {item.until.isoformat()}" if item.expired and item.until else f"invalid ({item.problem})"
            use = f" (it would match {_plural(item.matches, 'finding')})" if item.matches else ", unused"
            state = f"{why}, suppresses nothing{use}"
        reason = f" -- {item.reason}" if item.reason else ""
        lines.append(printable(f"{where.path}:{where.start_line}: {','.join(item.rule_ids) or '?'} {state}{reason}"))
    lines.append(summary(items))
    return "\n".join(lines) + "\n"


def summary(items: list[Listed]) -> str:
    states = Counter(item.status for item in items)
    unused = sum(1 for item in items if not item.matches)
    counts = ", ".join(f"{states[s]} {s}" for s in ("active", "expired", "invalid"))
    return f"nhilint: {_plural(len(items), 'suppression')} ({counts}; {unused} unused)"


def render_json(items: list[Listed], today: date) -> str:
    states = Counter(item.status for item in items)
    document: dict[str, Any] = {
        "version": "1",
        "tool": {"name": "nhilint", "version": __version__},
        "today": today.isoformat(),
        "summary": {
            "suppressions": len(items),
            "active": states["active"],
            "expired": states["expired"],
            "invalid": states["invalid"],
            "unused": sum(1 for item in items if not item.matches),
        },
        "suppressions": [_item(item) for item in items],
    }
    return json.dumps(document, indent=2) + "\n"


def _item(item: Listed) -> dict[str, Any]:
    return {
        "file": item.annotation.location.path,
        "line": item.annotation.location.start_line,
        "block_line": item.annotation.block.start_line,
        "identity": item.identity,
        "rule_ids": list(item.rule_ids),
        "reason": item.reason,
        "until": item.until.isoformat() if item.until else None,
        "status": item.status,
        "expired": item.expired,
        "problem": item.problem,
        "matches": item.matches,
        "suppresses": item.suppresses,
        "used": item.matches > 0,
    }
