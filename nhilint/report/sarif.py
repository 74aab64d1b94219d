"""SARIF 2.1.0 for GitHub code scanning: plain JSON, rules with help text and OWASP tags."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from nhilint import __version__
from nhilint.fingerprint import fingerprint
from nhilint.model import Finding, Severity
from nhilint.redact import for_inventory
from nhilint.report import json_text
from nhilint.result import Report
from nhilint.rules import RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def relative_uri(path: str) -> str:
    """A relative POSIX path as an RFC 3986 relative reference: each segment percent-encoded (UTF-8).

    Only unreserved characters and `/` stay as they are, so a space, `%`, `#`, `?`, a newline or a non-ASCII
    letter cannot break the URI, and a `:` in the first segment cannot be read as a scheme.
    """
    return quote(path, safe="/")


def _rule(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc.split("\n\n", 1)[0]},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", "non-human-identity", rule.owasp_title],
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": relative_uri(finding.location.path), "uriBaseId": "SRCROOT"},
                    "region": {
                        "startLine": finding.location.start_line,
                        "endLine": max(finding.location.end_line, finding.location.start_line),
                    },
                }
            }
        ],
        "partialFingerprints": {"nhilint/v1": fingerprint(finding)},
    }
    if finding.identity:
        result["properties"] = {"identity": finding.identity, "address": finding.address}
    return result


def render(report: Report) -> str:
    known = {rule.id for rule in RULES}  # then rules of other tools (checkov) whose findings the report holds
    rules = [*RULES, *(rule for rule_id, rule in sorted(report.external_rules.items()) if rule_id not in known)]
    index = {rule.id: i for i, rule in enumerate(rules)}
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "nhilint",
                        "version": __version__,
                        "informationUri": "https://github.com/nhilint/nhilint",
                        "rules": [_rule(r) for r in rules],
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"uri": report.root.as_uri() + "/"}},
                "results": for_inventory(report.inventory).document([_result(f, index) for f in report.findings]),
            }
        ],
    }
    return json_text.dumps(document) + "\n"
