"""JUnit XML for CI systems that read it: one test case per rule, a failure per finding."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree

from nhilint import redact
from nhilint.api import Report
from nhilint.model import Finding
from nhilint.rules import RULES


def render(report: Report) -> str:
    report = redact.report(report, inventory=False)
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_rule[finding.rule_id].append(finding)
    failing = {id(f) for f in report.failing()}
    known = {rule.id for rule in RULES}  # then rules of other tools (checkov) whose findings the report holds
    rules = [*RULES, *(rule for rule_id, rule in sorted(report.external_rules.items()) if rule_id not in known)]
    suite = ElementTree.Element("testsuite", name="nhilint", tests=str(len(rules)),
                                failures=str(sum(1 for rule in rules if any(id(f) in failing
                                                                            for f in by_rule[rule.id]))))
    for rule in rules:
        case = ElementTree.SubElement(suite, "testcase", classname="nhilint", name=f"{rule.id} {rule.name}")
        findings = by_rule.get(rule.id, [])
        blocking = [f for f in findings if id(f) in failing]
        if blocking:
            failure = ElementTree.SubElement(case, "failure", message=f"{len(blocking)} finding(s)",
                                             type=str(max(f.severity for f in blocking)))
            failure.text = "\n".join(f"{f.location.path}:{f.location.start_line}: {f.message}" for f in blocking)
        elif findings:
            output = ElementTree.SubElement(case, "system-out")
            output.text = "\n".join(f"{f.location.path}:{f.location.start_line}: {f.message}" for f in findings)
    ElementTree.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suite, encoding="unicode") + "\n"
