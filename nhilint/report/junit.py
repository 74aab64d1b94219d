"""JUnit XML for CI systems that read it: one test case per rule, every finding listed with its severity.

A rule fails (one `<failure>`, typed with the highest severity) when it has findings at or above `fail_on`;
its findings below the threshold are listed in `<system-out>`, so no finding is missing from the report.
Text from the scanned files goes through `printable`: XML 1.0 cannot hold control characters.
"""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree

from nhilint import redact
from nhilint.model import Finding
from nhilint.report.escape import printable
from nhilint.report.text import plural
from nhilint.result import Report
from nhilint.rules import RULES


def _line(finding: Finding) -> str:
    who = f" [{finding.identity}]" if finding.identity else ""
    return printable(
        f"{finding.location.path}:{finding.location.start_line}: {finding.severity} {finding.message}{who}"
    )


def render(report: Report) -> str:
    report = redact.report(report, inventory=False)
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_rule[finding.rule_id].append(finding)
    failing = {id(f) for f in report.failing()}
    known = {rule.id for rule in RULES}  # then rules of other tools (checkov) whose findings the report holds
    rules = [*RULES, *(rule for rule_id, rule in sorted(report.external_rules.items()) if rule_id not in known)]
    cases = [(rule.id, f"{rule.id} {rule.name}") for rule in rules]
    named = {rule.id for rule in rules}
    cases += [(rule_id, rule_id) for rule_id in sorted(by_rule) if rule_id not in named]  # a finding never drops
    suite = ElementTree.Element(
        "testsuite",
        name="nhilint",
        tests=str(len(cases)),
        failures=str(sum(1 for rule_id, _ in cases if any(id(f) in failing for f in by_rule[rule_id]))),
    )
    for rule_id, name in cases:
        case = ElementTree.SubElement(suite, "testcase", classname="nhilint", name=printable(name))
        findings = by_rule.get(rule_id, [])
        blocking = [f for f in findings if id(f) in failing]
        others = [f for f in findings if id(f) not in failing]
        if blocking:
            failure = ElementTree.SubElement(
                case,
                "failure",
                type=str(max(f.severity for f in blocking)),
                message=f"{plural(len(blocking), 'finding')} at or above {report.config.fail_on}",
            )
            failure.text = "\n".join(_line(f) for f in blocking)
        if others:
            output = ElementTree.SubElement(case, "system-out")
            output.text = "\n".join(_line(f) for f in others)
    ElementTree.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suite, encoding="unicode") + "\n"
