"""GitHub workflow commands: `::error file=…,line=…::message`, so findings appear on the pull request diff."""

from __future__ import annotations

from nhilint import redact
from nhilint.model import Finding, Severity
from nhilint.report.escape import printable
from nhilint.report.grouping import fold
from nhilint.result import Report

COMMAND = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def _escape_data(text: str) -> str:
    """GitHub's escapes for `%`, CR and LF; any other control character (ANSI escape…) as a backslash escape."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, folded: str = "") -> str:
    """`folded`: the suffix naming the identities of a folded entry (`grouping.Entry.suffix`), or ""."""
    location = finding.location
    properties = ",".join(
        [
            f"file={_escape_property(location.path)}",
            f"line={location.start_line}",
            f"endLine={max(location.end_line, location.start_line)}",
            f"title={_escape_property(f'{finding.rule_id} ({finding.severity})')}",
        ]
    )
    who = folded or (f" [{finding.identity}]" if finding.identity else "")
    return f"::{COMMAND[finding.severity]} {properties}::{_escape_data(finding.message + who)}"


def render(report: Report, quiet: bool = False) -> str:
    """One annotation per finding, repeats across identities folded (`grouping.fold`), then the summary line
    (not with `--quiet`, as in text output)."""
    from nhilint.report.text import summary

    report = redact.report(report, inventory=False)
    entries = fold(report.findings)
    lines = [annotation(e.first, e.suffix) for e in entries]
    if not quiet:
        lines.append(summary(report, shown=len(entries)))
    return "".join(f"{line}\n" for line in lines)
