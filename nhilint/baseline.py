"""Baselines: a file of known findings, so adopting nhilint on an old estate fails only on new ones.

`nhilint baseline create` writes the current findings' fingerprints (see nhilint.fingerprint) with the
rule, identity, file, line and message for the humans who review the file; `nhilint scan --baseline FILE`
then reports only findings that are not in it. The file is sorted and carries no date or version of the
tool, so re-creating it on an unchanged tree is a no-op in version control.

Entries that no longer match anything are *stale* and reported, so the baseline shrinks as debt is paid:
the identity is gone, the finding is gone (fixed), or an inline suppression now covers it. Staleness is
not a rule finding: rules read only the inventory, which knows nothing of baselines, and an outdated
baseline is a housekeeping note, not a risk that should fail a build or be suppressible. Entries for files
that exist but were not scanned (a subdirectory, pre-commit's few files) are out of scope, neither
matched nor stale.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nhilint.fingerprint import fingerprint
from nhilint.model import Finding, Inventory, Suppressed

BASELINE_VERSION = "1"
DEFAULT_PATH = ".nhilint-baseline.json"
IDENTITY_GONE = "identity no longer exists"
FINDING_GONE = "finding no longer reported"
NOW_SUPPRESSED = "suppressed inline"
_REDACTED = "<redacted: "  # nhilint.redact.marker: an identity written so cannot be compared any more


class BaselineError(Exception):
    """A baseline file that cannot be read; the message names the file."""


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One known finding. Only `fingerprint` matches; the rest is for people reading the file."""

    file: str
    line: int
    rule_id: str
    identity: str | None
    fingerprint: str
    message: str

    @classmethod
    def of(cls, finding: Finding) -> BaselineEntry:
        return cls(
            finding.location.path,
            finding.location.start_line,
            finding.rule_id,
            finding.identity,
            fingerprint(finding),
            finding.message,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "rule_id": self.rule_id,
            "identity": self.identity,
            "file": self.file,
            "line": self.line,
            "message": self.message,
        }

    @property
    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.file, self.line, self.rule_id, self.identity or "", self.fingerprint)


@dataclass(frozen=True, slots=True)
class StaleEntry:
    """A baseline entry that matched no finding, and why."""

    entry: BaselineEntry
    reason: str


def render(
    findings: Iterable[Finding], redact: Callable[[list[BaselineEntry]], list[BaselineEntry]] | None = None
) -> str:
    """The baseline file for these findings: JSON, sorted, stable. Fingerprints are taken first, then the
    entries passed through `redact` (the command's `nhilint.redact.Redactor.apply`): the file is committed."""
    entries = sorted((BaselineEntry.of(f) for f in findings), key=lambda e: e.sort_key)
    if redact is not None:
        entries = redact(entries)
    document = {"version": BASELINE_VERSION, "tool": "nhilint", "findings": [e.as_dict() for e in entries]}
    return json.dumps(document, indent=2) + "\n"


def load(path: Path) -> list[BaselineEntry]:
    """Read a baseline file; BaselineError names the file and what is wrong with it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"baseline {path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaselineError(f"baseline {path}: not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"baseline {path}: not an nhilint baseline (version {BASELINE_VERSION}); "
            "create one with `nhilint baseline create`"
        )
    items = document.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f"baseline {path}: `findings` must be a list")
    return [_entry(path, index, item) for index, item in enumerate(items)]


def _entry(path: Path, index: int, item: Any) -> BaselineEntry:
    if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
        raise BaselineError(f"baseline {path}: findings[{index}] has no `fingerprint`")
    identity = item.get("identity")
    line = item.get("line")
    return BaselineEntry(
        str(item.get("file") or ""),
        line if isinstance(line, int) else 0,
        str(item.get("rule_id") or ""),
        identity if isinstance(identity, str) else None,
        item["fingerprint"],
        str(item.get("message") or ""),
    )


def split(
    findings: Sequence[Finding], entries: Sequence[BaselineEntry]
) -> tuple[list[Finding], list[Finding], list[BaselineEntry]]:
    """(new findings, known findings, entries that matched nothing); each entry matches one finding."""
    wanted = Counter(e.fingerprint for e in entries)
    new: list[Finding] = []
    known: list[Finding] = []
    for finding in findings:
        key = fingerprint(finding)
        if wanted[key] > 0:
            wanted[key] -= 1
            known.append(finding)
        else:
            new.append(finding)
    unmatched: list[BaselineEntry] = []
    for entry in sorted(entries, key=lambda e: e.sort_key, reverse=True):
        if wanted[entry.fingerprint] > 0:
            wanted[entry.fingerprint] -= 1
            unmatched.append(entry)
    return new, known, sorted(unmatched, key=lambda e: e.sort_key)


def stale(
    unmatched: Iterable[BaselineEntry], inventory: Inventory, suppressed: Iterable[Suppressed], root: Path
) -> list[StaleEntry]:
    """The unmatched entries that are in scope (their file was scanned, or is gone), each with its reason."""
    subjects = set(inventory.identities) | {c.id for c in inventory.credentials}
    scanned = set(inventory.files)
    silenced = {fingerprint(s.finding) for s in suppressed}
    found: list[StaleEntry] = []
    for entry in unmatched:
        if entry.file not in scanned and entry.file and (root / entry.file).exists():
            continue  # a file this scan did not cover
        if entry.identity is not None and entry.identity not in subjects and _REDACTED not in entry.identity:
            reason = IDENTITY_GONE
        elif entry.fingerprint in silenced:
            reason = NOW_SUPPRESSED
        else:
            reason = FINDING_GONE
        found.append(StaleEntry(entry, reason))
    return found
