"""A Markdown summary for `$GITHUB_STEP_SUMMARY` or a PR comment: findings by rule, owner coverage, identities."""

from __future__ import annotations

from collections import Counter

from nhilint import redact
from nhilint.report.escape import markdown_cell, printable
from nhilint.report.grouping import fold
from nhilint.report.json_report import rule_by_id
from nhilint.report.text import plural
from nhilint.result import Report, parse_errors


def render(report: Report) -> str:
    report = redact.report(report, inventory=False)
    inventory = report.inventory
    identities = list(inventory.identities.values())
    owned = sum(1 for i in identities if i.lifecycle.owner is not None and i.lifecycle.owner.known)
    expiring = sum(1 for i in identities if i.lifecycle.expires is not None and i.lifecycle.expires.known)
    failing = report.failing()
    lines = [
        "## nhilint",
        "",
        f"**{plural(len(report.findings), 'finding')}** ({len(failing)} at or above `{report.config.fail_on}`) "
        f"in {plural(len(inventory.files), 'file')}: {plural(len(identities), 'identity', 'identities')}, "
        f"{plural(len(inventory.credentials), 'credential')}, {plural(len(inventory.grants), 'grant')}.",
        "",
        f"- Owner coverage: {owned}/{plural(len(identities), 'identity', 'identities')}"
        + (f" ({100 * owned // len(identities)}%)" if identities else ""),
        f"- Expiry coverage: {expiring}/{plural(len(identities), 'identity', 'identities')}",
        f"- Suppressed: {len(report.suppressed)}; parse errors: {len(parse_errors(inventory))}",
        "",
    ]
    if report.changes:  # --new-only: what the change does to access, the reviewer's question
        lines += ["### Identities added or changed", ""]
        lines += [printable(f"- `{c.location.path}:{c.location.start_line}` {c.message}") for c in report.changes]
        lines.append("")
    if report.findings:
        counts = Counter(f.rule_id for f in report.findings)
        lines += ["| Rule | Findings | What it checks |", "|---|---:|---|"]
        for rule_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            rule = rule_by_id(rule_id) or report.external_rules.get(rule_id)  # external: checkov checks
            summary = markdown_cell(rule.summary) if rule else ""
            lines.append(f"| `{markdown_cell(rule_id)}` | {count} | {summary} |")
        lines += [
            "",
            "<details><summary>Findings</summary>",
            "",
            "| Where | Rule | Severity | Message |",
            "|---|---|---|---|",
        ]
        for entry in fold(report.findings):  # every cell escaped: a path or message may hold `|` or a newline
            finding = entry.first
            where = markdown_cell(f"{finding.location.path}:{finding.location.start_line}")
            lines.append(
                f"| `{where}` | {markdown_cell(finding.rule_id)} | {markdown_cell(f'{finding.severity}')} | "
                f"{markdown_cell(finding.message + entry.suffix)} |"
            )
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
