"""The example estate's text, JSON and SARIF results are committed; a change in behaviour shows up as a diff.

Refresh deliberately with `python -m tests.snapshot` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, FormatChecker

from tests.snapshot import CHECKOUT_URI, SNAPSHOTS, outputs

SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"


@pytest.mark.parametrize("name", ["example.txt", "example.json", "example.sarif"])
def test_example_snapshot(name: str) -> None:
    expected = (SNAPSHOTS / name).read_text(encoding="utf-8")
    assert outputs()[name] == expected, f"snapshot {name} differs; run `python -m tests.snapshot` if intended"


def test_example_shows_real_findings() -> None:
    text = outputs()["example.txt"]
    for rule in ("NHI-PRIV-004", "NHI-TRUST-002", "NHI-TRUST-003", "NHI-CRED-001", "NHI-CRED-002", "NHI-EXP-003"):
        assert rule in text


def test_example_sarif_snapshot_is_valid_sarif_2_1_0() -> None:
    """The committed file, not only today's output: the official OASIS schema, with its URI formats."""
    document = json.loads((SNAPSHOTS / "example.sarif").read_text(encoding="utf-8"))
    Draft4Validator(json.loads(SARIF_SCHEMA.read_text()), format_checker=FormatChecker()).validate(document)
    run = document["runs"][0]
    assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": CHECKOUT_URI}}
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in run["results"]}
    snapshot = json.loads((SNAPSHOTS / "example.json").read_text(encoding="utf-8"))
    assert results == {(f["rule_id"], f["file"]) for f in snapshot["findings"]}
