"""The escalation catalogue shipped as package data (nhilint/data/escalation/*.yaml).

- every file validates against the schema shipped beside it;
- every entry of every published catalogue a file cites is covered by a method's `sources` or listed under
  `not_detected` with a reason, and every source a method names is an entry of a cited catalogue;
- the AWS methods the analysis uses are the file's detected, static methods.

Each AWS method is exercised by tests/analyse/test_privesc_methods.py (driven by the same data): found with
exactly its actions, and gone when any one of them is denied or left out of a permissions boundary.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest
import yaml

from nhilint.analyse.privesc_methods import METHODS, catalogue_data

PLATFORMS = ("aws", "gcp", "azure")


def _schema() -> dict[str, Any]:
    text = resources.files("nhilint.data").joinpath("escalation", "schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@pytest.mark.parametrize("platform", PLATFORMS)
def test_catalogue_validates_against_its_schema(platform: str) -> None:
    jsonschema.validate(catalogue_data(platform), _schema())


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_catalogue_entry_is_covered_or_explained(platform: str) -> None:
    data = catalogue_data(platform)
    cited = {f"{name}:{entry}" for name, c in data["catalogues"].items() for entry in c["entries"]}
    covered = {s for m in data["methods"] for s in m["sources"]} | {n["source"] for n in data["not_detected"]}
    assert sorted(cited - covered) == []
    assert sorted(covered - cited) == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_method_ids_and_names_are_unique(platform: str) -> None:
    methods = catalogue_data(platform)["methods"]
    assert len({m["id"] for m in methods}) == len(methods)
    assert len({m["name"] for m in methods}) == len(methods)


def test_aws_methods_are_the_detected_static_ones() -> None:
    listed = [m["id"] for m in catalogue_data("aws")["methods"] if m.get("detected", True) and m.get("static", True)]
    assert [m.id for m in METHODS] == listed


def test_invalid_catalogue_is_rejected_by_the_schema() -> None:
    broken = yaml.safe_load("catalogues: {}\nmethods: [{id: aws-x, name: X}]\nnot_detected: []\n")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, _schema())


def test_aws_defeated_by_names_what_the_analysis_applies() -> None:
    """`defeated_by` documents the filters nhilint.analyse.privesc applies; it must match the data they use."""
    data = catalogue_data("aws")
    targets = {a.lower() for a in data["targets"]}
    harmless = {a.lower() for a in data["self_harmless"]}
    for method in data["methods"]:
        actions = {a.lower() for need in method["needs"] for a in need}
        defeated = set(method["defeated_by"])
        assert {"explicit_deny", "permissions_boundary"} <= defeated, method["id"]
        if method.get("follow") == "pass":
            assert {"passed_to_service", "trust", "not_more_privileged"} <= defeated, method["id"]
        elif method.get("follow") == "assume":
            assert {"trust", "not_more_privileged"} <= defeated, method["id"]
        else:
            assert "source_condition" in defeated, method["id"]
            assert ("resource_type" in defeated) == bool(actions & targets), method["id"]
            assert ("self_only" in defeated) == bool(actions & harmless), method["id"]


def test_catalogue_files_ship_in_the_wheel() -> None:
    """A non-editable install carries the data: pyproject's package-data lists every file of the folder."""
    import fnmatch
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "nhilint.data"
    ]
    files = sorted(
        p.relative_to(root / "nhilint" / "data").as_posix() for p in (root / "nhilint/data/escalation").iterdir()
    )
    assert all(any(fnmatch.fnmatch(f, p) for p in patterns) for f in files), (files, patterns)
