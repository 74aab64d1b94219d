"""Text output: findings grouped by identity, then a summary; `--quiet` is one `path:line: RULE …` per line.

Each finding line reads `path:line: RULE severity message`, the form editors and CI logs link to. Grouped
output puts the identity, its kind and owner above its findings (the question a reviewer asks is "what is
wrong with this identity"); quiet output adds the identity in brackets instead, for grep and pre-commit.
Severities are coloured only when writing to a terminal. Findings that differ only in their identity (one
module called from several roots) are printed once, naming the identities (`grouping.py`); quiet output
keeps one line per finding. Text that comes from the scanned files (file names,
resource names in messages) is passed through `printable`: a file named with a newline or an ANSI escape
cannot forge a finding line or colour the terminal.
"""

from __future__ import annotations

from collections import Counter

from nhilint import redact
from nhilint.model import Finding, Severity
from nhilint.report.escape import printable
from nhilint.report.grouping import Entry, fold
from nhilint.result import Report, parse_errors

COLOURS = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.HIGH: "\033[31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.INFO: "\033[2m",
}
BOLD, RESET = "\033[1m", "\033[0m"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 finding`, `2 findings`, `1 identity`, `0 identities` (`nouns` for an irregular plural)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def render(report: Report, quiet: bool = False, colour: bool = False) -> str:
    redactor = redact.for_inventory(report.inventory)
    report = redact.report(report, inventory=False)
    if quiet:
        return "".join(f"{line(f, colour)}{_bracket(f)}\n" for f in report.findings)
    lines: list[str] = []
    entries = fold(report.findings)
    groups: dict[str, list[Entry]] = {}
    for entry in entries:  # a folded entry stands under its first identity
        groups.setdefault(entry.first.identity or entry.first.address or "", []).append(entry)
    for key, group in groups.items():
        lines.append(_header(report, key, group[0].first, colour, redactor))
        lines.extend(f"  {line(e.first, colour)}{printable(e.suffix)}" for e in group)
    lines.extend(comparisons(report))
    lines.append(summary(report, shown=len(entries)))
    return "\n".join(lines) + "\n"


def line(finding: Finding, colour: bool = False) -> str:
    severity = str(finding.severity)
    if colour:
        severity = f"{COLOURS[finding.severity]}{severity}{RESET}"
    return (
        f"{printable(finding.location.path)}:{finding.location.start_line}: {printable(finding.rule_id)} "
        f"{severity} {printable(finding.message)}"
    )


def _bracket(finding: Finding) -> str:
    return f" [{printable(finding.identity)}]" if finding.identity else ""


def _header(report: Report, key: str, first: Finding, colour: bool, redactor: redact.Redactor) -> str:
    title = key or "(not tied to an identity)"
    details = []
    if first.kind and first.identity:
        details.append(first.kind.replace("_", " "))
    subject = report.inventory.identities.get(first.identity or "") or next(
        (c for c in report.inventory.credentials if first.identity and c.id == first.identity), None
    )
    if subject is not None:
        owner = subject.lifecycle.owner
        details.append(f"owner {redactor.text(owner.value)}" if owner and isinstance(owner.value, str) else "no owner")
    text = printable(f"{title} ({', '.join(details)})" if details else title)
    return f"{BOLD}{text}{RESET}" if colour else text


def comparisons(report: Report) -> list[str]:
    """The access changes (--new-only) and stale baseline entries (--baseline), each under a heading."""
    lines = []
    if report.changes:
        lines.append("access changes:")
        lines.extend(printable(f"  {c.location.path}:{c.location.start_line}: {c.message}") for c in report.changes)
    if report.stale_baseline:
        lines.append("stale baseline entries (remove them, or re-create the baseline):")
        lines.extend(
            printable(f"  {s.entry.file}:{s.entry.line}: {s.entry.rule_id} [{s.entry.identity or '-'}] {s.reason}")
            for s in report.stale_baseline
        )
    return lines


def summary(report: Report, shown: int | None = None) -> str:
    """The closing line. `shown`: the entries printed after folding repeats (`grouping.fold`), said only when
    fewer than the findings, which are always counted in full."""
    inventory = report.inventory
    counts = Counter(str(f.severity) for f in report.findings)
    order = ("critical", "high", "medium", "low", "info")
    by_severity = ", ".join(f"{counts[s]} {s}" for s in order if counts[s]) or "no findings"
    parts = [
        plural(len(inventory.files), "file"),
        plural(len(inventory.identities), "identity", "identities"),
        plural(len(inventory.credentials), "credential"),
        plural(len(inventory.grants), "grant"),
    ]
    text = f"nhilint: {plural(len(report.findings), 'finding')} ({by_severity}) in {', '.join(parts)}"
    if shown is not None and shown < len(report.findings):
        text += f"; {shown} shown (repeats across identities folded)"
    if report.suppressed:
        text += f"; {len(report.suppressed)} suppressed"
    if report.baselined:
        text += f"; {len(report.baselined)} baselined"
    if report.stale_baseline:
        text += f"; {plural(len(report.stale_baseline), 'stale baseline entry', 'stale baseline entries')}"
    if report.changes is not None:
        text += f"; {plural(len(report.changes), 'access change')}"
    if errors := parse_errors(inventory):
        unreadable = len({e.path for e in errors})
        text += f"; {plural(unreadable, 'file')} with input problems"
    return text
