"""Defects the properties found, each pinned as a plain regression test with the minimal example.

An open defect is `xfail(strict=True)`: when it is fixed the test passes, strict xfail turns that into a
failure, and the marker is removed with the fix (as for the JUnit, SARIF URI and --quiet defects).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path
from xml.etree import ElementTree

import pytest

from nhilint.cli import render_scan_report
from nhilint.fingerprint import fingerprint
from tests.helpers import scan_tree

pytestmark = pytest.mark.fuzz

ROLE = """
resource "aws_iam_role" "ci" {
  name = "ci"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
"""
READ = """
resource "aws_iam_role_policy" "ci_read" {
  name   = "read"
  role   = aws_iam_role.ci.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["iam:CreateAccessKey"], Resource = "*" }] })
}
"""
WRITE = """
resource "aws_iam_role_policy" "ci_write" {
  name   = "write"
  role   = aws_iam_role.ci.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = ["s3:PutObject", "iam:CreateAccessKey"], Resource = "*" }]
  })
}
"""


def test_block_order_does_not_change_the_escalation_evidence(tmp_path: Path) -> None:
    one = scan_tree(tmp_path / "one", {"main.tf": ROLE + READ + WRITE})
    two = scan_tree(tmp_path / "two", {"main.tf": ROLE + WRITE + READ})
    (first,) = [f for f in one.findings if f.rule_id == "NHI-PRIV-006"]
    (second,) = [f for f in two.findings if f.rule_id == "NHI-PRIV-006"]
    assert first.identity == second.identity == "aws:aws_iam_role.ci"
    assert fingerprint(first) == fingerprint(second)


PASS_ROLE = """
resource "aws_iam_role_policy" "ci_pass" {
  name   = "pass"
  role   = aws_iam_role.ci.id
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]
      Resource = "arn:aws:iam::123456789012:role/app-*"
    }]
  })
}
"""


def test_junit_names_every_finding(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": ROLE + READ + PASS_ROLE})
    severities = sorted(str(f.severity) for f in report.findings if f.rule_id == "NHI-PRIV-006")
    assert severities == ["high", "info"]
    junit = ElementTree.fromstring(render_scan_report(report, "junit").encode())
    text = "\n".join(node.text or "" for node in junit.iter())
    for finding in report.findings:
        assert f"{finding.location.path}:{finding.location.start_line}: {finding.severity} {finding.message}" in text


SERVICE_ACCOUNT = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: payments\n"


@pytest.mark.parametrize("directory", ["team stacks", "100%", "a#b"])
def test_sarif_uri_is_percent_encoded(tmp_path: Path, directory: str) -> None:
    report = scan_tree(tmp_path, {f"{directory}/sa.yaml": SERVICE_ACCOUNT})
    assert report.findings
    sarif = json.loads(render_scan_report(report, "sarif"))
    for result in sarif["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        parts = urllib.parse.urlsplit(uri)
        assert " " not in uri and not parts.fragment and not parts.query
        assert re.fullmatch(r"(?:[^%]|%[0-9A-Fa-f]{2})*", uri), uri
        assert urllib.parse.unquote(parts.path) == f"{directory}/sa.yaml"


def test_quiet_is_one_line_per_finding_with_control_characters_in_names(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"new\nline/sa.yaml": SERVICE_ACCOUNT})
    assert report.findings
    assert len(render_scan_report(report, "text", quiet=True).splitlines()) == len(report.findings)
