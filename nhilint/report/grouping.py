"""Folding repeats for the human-facing reporters (text, GitHub annotations, Markdown): display only.

A reusable Terraform module called from several root modules yields one finding per calling root at the same
line, with the same rule and a message that differs only in the identity (its address). A reviewer reading
seven identical lines, or GitHub showing seven identical annotations on one line, learns nothing from the
repeats; folded, the entry says once what is wrong and which identities it covers. Findings fold when they
share rule id, file, line and severity, and their messages are equal once the identity is taken out: its id,
and its address or the longest tail of it at a `/` that the message names (messages leave out the
root-module directory). Findings without an identity never fold. JSON, SARIF, JUnit, baselines and
fingerprints keep every finding; only these three reporters call `fold`.

Returns plain (unescaped) text: each reporter escapes it its own way (`nhilint/report/escape.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nhilint.model import Finding

LISTED = 3  # identities named in a folded entry before "and N more"
_PREFIX_ENDS = "/:."  # a shared prefix is cut after one of these, a shared suffix from one of these on
_SUFFIX_STARTS = "/."
_HOLE = "\x00"  # stands for the identity in a message while comparing


@dataclass(frozen=True, slots=True)
class Entry:
    """One displayed finding: a single finding, or several that differ only in their identity."""

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def suffix(self) -> str:
        """`""` for a single finding; ` (7 identities: a, b, c and 4 more)` for a folded one."""
        if len(self.findings) == 1:
            return ""
        names = brief_names([f.identity or "" for f in self.findings])
        if len(names) <= LISTED + 1:
            listed = f"{', '.join(names[:-1])} and {names[-1]}"
        else:
            listed = f"{', '.join(names[:LISTED])} and {len(names) - LISTED} more"
        return f" ({len(names)} identities: {listed})"


def fold(findings: Iterable[Finding]) -> list[Entry]:
    """The findings as entries, in their order; a folded entry stands where its first finding stood."""
    groups: list[list[Finding]] = []
    open_groups: dict[tuple[str, str, int, str, str], list[Finding]] = {}
    for finding in findings:
        key = _key(finding)
        group = open_groups.get(key) if key else None
        if group is not None and all(f.identity != finding.identity for f in group):
            group.append(finding)
            continue
        group = [finding]
        groups.append(group)
        if key and key not in open_groups:
            open_groups[key] = group
    return [Entry(tuple(group)) for group in groups]


def _key(finding: Finding) -> tuple[str, str, int, str, str] | None:
    if not finding.identity:
        return None
    message = finding.message.replace(finding.identity, _HOLE)
    if finding.address:  # messages name the address without its root-module directory: the longest tail named
        parts = finding.address.split("/")
        tails = ("/".join(parts[i:]) for i in range(len(parts)))
        named = next((t for t in tails if t and t in message), None)
        if named:
            message = message.replace(named, _HOLE)
    location = finding.location
    return (finding.rule_id, location.path, location.start_line, str(finding.severity), message)


def brief_names(identities: list[str]) -> list[str]:
    """The identities with what they all share at both ends taken off, at a `/`, `:` or `.` boundary:
    `aws:examples/a/module.eks.aws_iam_role.this[0]` and `aws:tests/b/module.eks…` read `examples/a`, `tests/b`."""
    if len(set(identities)) < 2:
        return identities
    prefix = _common_prefix(identities)
    cut = max(prefix.rfind(c) for c in _PREFIX_ENDS) + 1
    rests = [i[cut:] for i in identities]
    suffix = _common_prefix([r[::-1] for r in rests])[::-1]
    starts = [i for i, c in enumerate(suffix) if c in _SUFFIX_STARTS]
    drop = len(suffix) - starts[0] if starts else 0
    names = [r[: len(r) - drop] for r in rests]
    return names if all(names) else identities


def _common_prefix(texts: list[str]) -> str:
    first, last = min(texts), max(texts)
    size = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), min(len(first), len(last)))
    return first[:size]
