"""Text output: `path:line: RULE severity message [identity]`, one finding per line, then a summary."""

from __future__ import annotations

from collections import Counter

from nhilint.api import Report


def render(report: Report, quiet: bool = False) -> str:
    lines = []
    for finding in report.findings:
        who = f" [{finding.identity}]" if finding.identity else ""
        lines.append(f"{finding.location.path}:{finding.location.start_line}: {finding.rule_id} "
                     f"{finding.severity} {finding.message}{who}")
    if not quiet:
        lines.extend(comparisons(report))
        lines.append(summary(report))
    return "\n".join(lines) + "\n"


def comparisons(report: Report) -> list[str]:
    """The access changes (--new-only) and stale baseline entries (--baseline), each under a heading."""
    lines = []
    if report.changes:
        lines.append("access changes:")
        lines.extend(f"  {c.location.path}:{c.location.start_line}: {c.message}" for c in report.changes)
    if report.stale_baseline:
        lines.append("stale baseline entries (remove them, or re-create the baseline):")
        lines.extend(f"  {s.entry.file}:{s.entry.line}: {s.entry.rule_id} [{s.entry.identity or '-'}] {s.reason}"
                     for s in report.stale_baseline)
    return lines


def summary(report: Report) -> str:
    inventory = report.inventory
    counts = Counter(str(f.severity) for f in report.findings)
    order = ("critical", "high", "medium", "low", "info")
    by_severity = ", ".join(f"{counts[s]} {s}" for s in order if counts[s]) or "no findings"
    parts = [
        f"{len(inventory.files)} files",
        f"{len(inventory.identities)} identities",
        f"{len(inventory.credentials)} credentials",
        f"{len(inventory.grants)} grants",
    ]
    text = f"nhilint: {len(report.findings)} findings ({by_severity}) in {', '.join(parts)}"
    if report.suppressed:
        text += f"; {len(report.suppressed)} suppressed"
    if report.baselined:
        text += f"; {len(report.baselined)} baselined"
    if report.stale_baseline:
        text += f"; {len(report.stale_baseline)} stale baseline entries"
    if report.changes is not None:
        text += f"; {len(report.changes)} access changes"
    if inventory.errors:
        text += f"; {len(inventory.errors)} files could not be parsed"
    return text
