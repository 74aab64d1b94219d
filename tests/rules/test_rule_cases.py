"""One YAML case file per rule (tests/rules/cases/<RULE>.yaml): inline sources and exact expected findings.

Each case lists the files to write, optional `symlinks` (link name: target, made after the files), an optional
`config` (.nhilint.yaml text) and `expect`: the exact `[file, line, identity]` of every finding of that rule.
Every rule must have a positive and a negative case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nhilint.rules import RULES
from tests.helpers import scan_tree

CASES_DIR = Path(__file__).parent / "cases"


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            params.append(pytest.param(data["rule"], case, id=f"{data['rule']}:{case['name']}"))
    return params


@pytest.mark.parametrize(("rule_id", "case"), _load_cases())
def test_rule_case(rule_id: str, case: dict[str, Any], tmp_path: Path) -> None:
    files = dict(case["files"])
    if "config" in case:
        files[".nhilint.yaml"] = case["config"]
    for link, target in (case.get("symlinks") or {}).items():
        (tmp_path / link).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / link).symlink_to(target)
    report = scan_tree(tmp_path, files, case.get("policy"))
    found = sorted(
        [f.location.path, f.location.start_line, f.identity] for f in report.findings if f.rule_id == rule_id
    )
    expected = sorted([e[0], e[1], e[2]] for e in case["expect"])
    assert found == expected, "\n".join(f"{f.location}: {f.rule_id} {f.message}" for f in report.findings)


def test_every_rule_has_positive_and_negative_cases() -> None:
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for path in CASES_DIR.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert path.stem == data["rule"], f"{path.name} must be named after its rule"
        by_rule[data["rule"]] = data["cases"]
    for rule in RULES:
        cases = by_rule.get(rule.id)
        assert cases, f"{rule.id} has no case file"
        assert any(c["expect"] for c in cases), f"{rule.id} has no positive case"
        assert any(not c["expect"] for c in cases), f"{rule.id} has no negative case"
