"""Suppression governance: every inline `nhilint:ignore`, whether it still works and still matters.

An accepted risk is only as good as its review. `nhilint suppressions PATH...` lists each suppression
with its file, line, rule ids, reason and `until`, whether it is active, expired or invalid, and how many
findings it matches. A suppression that matches nothing is dead weight that would silently hide the next,
unrelated finding on that block, so it is worth removing; an expired one that still matches is a risk that
is back on the table. Matching ignores expiry and uses the same block rules as `nhilint.suppress`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
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
    problem: str | None
    expired: bool
    matches: int
    identity: str | None

    @property
    def status(self) -> str:
        return "invalid" if self.problem else "expired" if self.expired else "active"


def audit(inventory: Inventory, findings: Sequence[Finding], today: date) -> list[Listed]:
    """List every `ignore` annotation; `findings` are the scan's findings with no suppression applied."""
    findings = list(findings)
    owners = {(i.location.path, i.location.start_line): i.id for i in inventory.identities.values()}
    owners.update({(c.location.path, c.location.start_line): c.id for c in inventory.credentials})
    listed = []
    for annotation in inventory.annotations:
        if annotation.verb != "ignore":
            continue
        parsed = suppress.parse(annotation)
        if isinstance(parsed, suppress.Problem):
            ids = tuple(_RULE_ID_RE.findall(annotation.text))
            probe = suppress.Suppression(ids, "", None, annotation)
            reason, until, problem = None, None, parsed.message
        else:
            ids, probe, reason, until, problem = parsed.rule_ids, parsed, parsed.reason, parsed.until, None
        _, silenced = suppress.apply(findings, [probe]) if ids else ([], [])
        block = annotation.block
        listed.append(
            Listed(
                annotation,
                ids,
                reason,
                until,
                problem,
                until is not None and until < today,
                len(silenced),
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
        if item.problem:
            state = f"invalid ({item.problem})"
        elif item.until is not None:
            state = f"{'expired on' if item.expired else 'active until'} {item.until.isoformat()}"
        else:
            state = "active"
        use = f"matches {_plural(item.matches, 'finding')}" if item.matches else "unused"
        reason = f" -- {item.reason}" if item.reason else ""
        lines.append(
            printable(f"{where.path}:{where.start_line}: {','.join(item.rule_ids) or '?'} {state}, {use}{reason}")
        )
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
        "used": item.matches > 0,
    }
