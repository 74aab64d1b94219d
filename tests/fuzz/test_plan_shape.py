"""Any JSON value at any position of a valid plan: the scan reads the rest or reports the part, never raises.

The plan is the one `terraform show -json` writes for the plan tests (tests/extract/tfplan_fixture.py). One
position is drawn among all of its values, and any JSON value put there. The scan, with a clean Terraform
file beside the plan, must not raise, must keep the clean file's findings, and where the value's type is one
the plan's structure cannot have there, must report NHI-PARSE-001 on the plan naming that position (or the
part of the plan around it that is skipped).
"""

from __future__ import annotations

import copy
import functools
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nhilint.api import Report, scan
from nhilint.model_inputs import ParseError
from nhilint.parse.tfplan import load_plan
from nhilint.parse.tfplan_document import json_kind, pointer
from tests.extract.tfplan_fixture import PLAN
from tests.helpers import config_for, write_tree

pytestmark = pytest.mark.fuzz

CLEAN = {
    "clean/main.tf": 'resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n\n'
    'resource "aws_iam_access_key" "ci" {\n  user = aws_iam_user.ci.name\n}\n'
}

_RESOURCE = (
    r"(/planned_values/root_module(/child_modules/\d+)*|/configuration/root_module(/module_calls/[^/]+/module)*)"
)
_CHANGE = r"/resource_changes/\d+"
# Positions of the plan's structure, with the JSON types each may hold (of a managed resource: the fixture's
# data sources are read no further than their mode).
STRUCTURE: list[tuple[re.Pattern[str], set[str]]] = [
    (re.compile(p), kinds)
    for p, kinds in [
        (r"/planned_values|/configuration|/planned_values/root_module|/configuration/root_module", {"an object"}),
        (r"/resource_changes", {"an array"}),
        (rf"{_RESOURCE}/(resources|child_modules)", {"an array"}),
        (rf"{_RESOURCE}/resources/\d+|{_CHANGE}|{_CHANGE}/change", {"an object"}),
        (rf"({_RESOURCE}/resources/\d+|{_CHANGE})/(address|type|name|mode)", {"a string"}),
        (rf"{_CHANGE}/change/actions", {"an array"}),
        (rf"{_CHANGE}/change/actions/\d+", {"a string"}),
        (rf"{_CHANGE}/change/after", {"an object", "null"}),
        (rf"{_CHANGE}/change/after_sensitive(/.*)?", {"a boolean", "an object", "an array", "null"}),
        (rf"{_RESOURCE}/resources/\d+/(values|expressions)", {"an object"}),
        (r"/configuration/root_module(/module_calls/[^/]+/module)*/module_calls(/[^/]+(/module)?)?", {"an object"}),
        (r"/configuration/provider_config(/[^/]+(/expressions)?)?", {"an object"}),
    ]
]


def _positions(value: Any, where: str = "") -> list[str]:
    found = [where] if where else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found += _positions(item, pointer(where, key))
    return found


POSITIONS = _positions(PLAN)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _put(document: Any, where: str, value: Any) -> Any:
    changed = copy.deepcopy(document)
    *path, last = where.split("/")[1:]
    parent = changed
    for key in path:
        parent = parent[int(key)] if isinstance(parent, list) else parent[key]
    parent[int(last) if isinstance(parent, list) else last] = value
    return changed


def _managed(where: str) -> bool:
    """Whether the position lies in a managed resource (or outside any resource)."""
    match = re.match(rf"({_RESOURCE}/resources/\d+|{_CHANGE})", where)
    if match is None:
        return True
    item = PLAN
    for key in match.group(1).split("/")[1:]:
        item = item[int(key)] if isinstance(item, list) else item[key]
    return isinstance(item, dict) and item.get("mode") == "managed"


def _scan(plan: Any) -> Report:
    with tempfile.TemporaryDirectory(prefix="nhilint-plan-shape-") as directory:
        root = Path(directory)
        write_tree(root, {**CLEAN, "dirty/plan.json": json.dumps(plan)})
        return scan([root], config_for(root), root)


def _clean(report: Report) -> list[tuple[str, str, int]]:
    return [
        (f.rule_id, f.location.path, f.location.start_line)
        for f in report.findings
        if not f.location.path.startswith("dirty/")
    ]


@functools.cache
def _clean_findings() -> list[tuple[str, str, int]]:
    """The clean file's findings beside the plan as written."""
    return _clean(_scan(PLAN))


@given(st.sampled_from(POSITIONS), json_values)
def test_any_value_anywhere_is_read_or_reported(where: str, value: Any) -> None:
    report = _scan(_put(PLAN, where, value))
    assert _clean(report) == _clean_findings()
    expected = next((kinds for pattern, kinds in STRUCTURE if pattern.fullmatch(where)), None)
    if expected is None or json_kind(value) in expected or not _managed(where):
        return
    named = [f.message for f in report.findings if (f.rule_id, f.location.path) == ("NHI-PARSE-001", "dirty/plan.json")]
    assert any(_names_ancestor(m, where) for m in named), named


def _names_ancestor(message: str, where: str) -> bool:
    match = re.search(r"at (/\S*?):", message)
    return match is not None and (where + "/").startswith(match.group(1) + "/")


@pytest.mark.parametrize("where", [p for p in POSITIONS if any(s.fullmatch(p) for s, _ in STRUCTURE)])
@pytest.mark.parametrize("value", [3, "nope", [], {}, None])
def test_each_structural_position_of_a_wrong_type_is_named(where: str, value: Any) -> None:
    """Every position of the structure, a value of each JSON type: named wherever the type is wrong there."""
    expected = next(kinds for pattern, kinds in STRUCTURE if pattern.fullmatch(where))
    with tempfile.TemporaryDirectory(prefix="nhilint-plan-shape-") as directory:
        root = Path(directory)
        (root / "plan.json").write_text(json.dumps(_put(PLAN, where, value)), encoding="utf-8")
        plan = load_plan(root / "plan.json", root)
    reasons = [plan.reason] if isinstance(plan, ParseError) else [e.reason for e in plan.errors]
    if json_kind(value) in expected or not _managed(where):
        return
    assert any(_names_ancestor(r, where) for r in reasons), reasons
