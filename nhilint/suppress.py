"""Inline suppressions: `# nhilint:ignore NHI-PRIV-001 -- reason [until YYYY-MM-DD]`.

A suppression sits directly above a block or inside it, names one or more rule ids (or `all`), and must
give a reason after `--`. With `until`, it stops working after that date (written last, closing punctuation
allowed; `until` and a digit elsewhere in the reason is a date nhilint will not guess at). Malformed and expired
suppressions, and those naming a rule id that does not exist (a typo would otherwise silence nothing without
a word), are reported by NHI-SUPP-001 and suppress nothing. The known ids are passed in (`known`): this
module sits below the rule registry.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from nhilint.model import Finding, Suppressed
from nhilint.model_inputs import Annotation

_SUPPRESSION_RE = re.compile(
    r"^(?P<ids>(?:all|NHI-[A-Z0-9]+-\d{3})(?:\s*,\s*(?:all|NHI-[A-Z0-9]+-\d{3}))*)"
    r"(?:\s+until\s+(?P<until>\S+))?"
    r"\s*(?:--\s*(?P<reason>.*?))?"
    # A last word that starts with a digit is a date (checked below), before closing punctuation.
    r"(?:\s+until\s+(?P<until2>\d\S*?)[.,;)]*)?\s*$"
)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# `until` and a digit anywhere else in the reason: a date that would otherwise be read as words, and so
# suppress forever.
_UNTIL_IN_REASON = re.compile(r"\buntil\s+(\d\S*)", re.I)


@dataclass(frozen=True, slots=True)
class Suppression:
    rule_ids: tuple[str, ...]
    reason: str
    until: date | None
    annotation: Annotation


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a suppression suppresses nothing (NHI-SUPP-001's message); `expired` holds it when only its date
    has passed."""

    annotation: Annotation
    message: str
    expired: Suppression | None = None


def parse(annotation: Annotation, known: Collection[str] | None = None) -> Suppression | Problem:
    """One `nhilint:ignore` annotation; with `known` (the registry's rule ids), an unknown id is a Problem."""
    match = _SUPPRESSION_RE.match(annotation.text)
    if not match:
        return Problem(annotation, "malformed suppression; write `nhilint:ignore NHI-XXX-000 -- reason`")
    reason = (match.group("reason") or "").strip()
    if not reason:
        return Problem(annotation, "suppression without a reason; add `-- why this is acceptable`")
    stray = _UNTIL_IN_REASON.search(reason)
    if stray:
        return Problem(annotation, f"suppression date {stray.group(1)} is not read; end with `until YYYY-MM-DD`")
    until_text = match.group("until") or match.group("until2")
    until = None
    if until_text:
        if not _DATE_RE.fullmatch(until_text):  # fromisoformat also takes 20270131 and week dates
            return Problem(annotation, f"suppression date {until_text} is not YYYY-MM-DD")
        try:
            until = date.fromisoformat(until_text)
        except ValueError:
            return Problem(annotation, f"suppression date {until_text} is not a valid date")
    ids = tuple(i.strip() for i in match.group("ids").split(","))
    unknown = [i for i in ids if known is not None and i != "all" and i not in known]
    if unknown:
        return Problem(annotation, f"suppression names unknown rule {', '.join(unknown)}; `nhilint rules` lists them")
    return Suppression(ids, reason, until, annotation)


def judge(annotation: Annotation, today: date, known: Collection[str] | None) -> Suppression | Problem:
    """Whether a `nhilint:ignore` works on `today`: the one judgement that `scan` applies, NHI-SUPP-001
    reports and `nhilint suppressions` lists. A Problem suppresses nothing."""
    parsed = parse(annotation, known)
    if isinstance(parsed, Suppression) and parsed.until is not None and parsed.until < today:
        message = (
            f"suppression of {', '.join(parsed.rule_ids)} expired on {parsed.until.isoformat()} and no longer applies"
        )
        return Problem(annotation, message, parsed)
    return parsed


def active(annotations: list[Annotation], today: date, known: Collection[str] | None = None) -> list[Suppression]:
    judged = (judge(a, today, known) for a in annotations if a.verb == "ignore")
    return [j for j in judged if isinstance(j, Suppression)]


def _covers(suppression: Suppression, finding: Finding) -> bool:
    if "all" not in suppression.rule_ids and finding.rule_id not in suppression.rule_ids:
        return False
    block = suppression.annotation.block
    for where in (finding.block, finding.location):
        if where is None or where.path != block.path:
            continue
        if where.start_line == block.start_line or block.start_line <= where.start_line <= block.end_line:
            return True
    return False


def apply(findings: list[Finding], suppressions: list[Suppression]) -> tuple[list[Finding], list[Suppressed]]:
    """Split findings into those that stand and those an active suppression covers."""
    if not suppressions:
        return findings, []
    kept: list[Finding] = []
    silenced: list[Suppressed] = []
    for finding in findings:
        if finding.rule_id.startswith("NHI-SUPP-"):
            kept.append(finding)
            continue
        match = next((s for s in suppressions if _covers(s, finding)), None)
        if match is None:
            kept.append(finding)
        else:
            silenced.append(Suppressed(finding, match.reason, match.until))
    return kept, silenced
