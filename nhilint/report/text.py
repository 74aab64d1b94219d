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
        lines.append(summary(report))
    return "\n".join(lines) + "\n"


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
    if inventory.errors:
        text += f"; {len(inventory.errors)} files could not be parsed"
    return text
