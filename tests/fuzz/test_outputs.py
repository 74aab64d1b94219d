"""Property 4: every output format is valid for every model, whatever the files are called.

Scan and inventory JSON validate against the shipped schemas, SARIF against the official 2.1.0 schema with
artifact URIs that decode back to the file path, JUnit is well-formed XML naming every failing finding, and
quiet text is exactly one `path:line: RULE` line per finding. (Directory names with spaces, `%`, `#` or
control characters, and JUnit's non-failing findings, are pinned as known defects in test_found.py.)
"""

from __future__ import annotations

import json
import urllib.parse
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft4Validator, Draft202012Validator

from nhilint.api import Report
from nhilint.cli import render_scan_report
from nhilint.report.json_report import render_inventory
from tests.fuzz import expect, render
from tests.fuzz.layout import Layout, layouts
from tests.fuzz.model import CloudModel, K8sModel, cloud_models, k8s_models

pytestmark = pytest.mark.fuzz


def _validator(name: str) -> Draft202012Validator:
    text = resources.files("nhilint.schemas").joinpath(name).read_text()
    return Draft202012Validator(json.loads(text), format_checker=Draft202012Validator.FORMAT_CHECKER)


SCAN, INVENTORY = _validator("scan.schema.json"), _validator("inventory.schema.json")
SARIF = Draft4Validator(json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text()))
# Characters RFC 3986 allows in a URI reference unencoded (a path needs no more).
URI_CHARACTERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")


def _files(cloud: CloudModel, k8s: K8sModel, layout: Layout, directory: str) -> dict[str, str]:
    cfn, _ = render.cloudformation(cloud, layout, directory=f"{directory}cfn/")
    return {**render.terraform(cloud, layout), **cfn, **render.kubernetes(k8s, layout, f"{directory}k8s/")}


def check_outputs(report: Report) -> None:
    SCAN.validate(json.loads(render_scan_report(report, "json")))
    INVENTORY.validate(json.loads(render_inventory(report)))

    sarif = json.loads(render_scan_report(report, "sarif"))
    SARIF.validate(sarif)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(report.findings)
    for result, finding in zip(results, report.findings, strict=True):
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        parts = urllib.parse.urlsplit(uri)
        assert set(uri) <= URI_CHARACTERS and not parts.fragment and not parts.query, uri
        assert urllib.parse.unquote(parts.path) == finding.location.path, uri

    junit = ElementTree.fromstring(render_scan_report(report, "junit").encode())
    text = "\n".join(node.text or "" for node in junit.iter())
    for finding in report.failing():
        assert f"{finding.location.path}:{finding.location.start_line}: {finding.severity} {finding.message}" in text

    quiet = render_scan_report(report, "text", quiet=True).splitlines()
    assert len(quiet) == len(report.findings)
    for line, finding in zip(quiet, report.findings, strict=True):
        assert line.startswith(f"{finding.location.path}:{finding.location.start_line}: {finding.rule_id} ")


@given(cloud_models(), k8s_models(), layouts, st.sampled_from(("", "infra/", "platform/prod/")))
def test_every_output_format_is_valid(cloud: CloudModel, k8s: K8sModel, layout: Layout, directory: str) -> None:
    with expect.scanned(_files(cloud, k8s, layout, directory)) as report:
        check_outputs(report)
