"""One YAML case file per rule (tests/rules/cases/<RULE>.yaml): inline sources and exact expected findings.

Each case lists the files to write, optional `symlinks` (link name: target, made after the files), an optional
`config` (.nhilint.yaml text), optional `requires` (a program the case needs on the PATH, e.g. kubectl; the
case is skipped without it) and `expect`: the exact `[file, line, identity]` of every finding of that rule.
A case whose `expect` is what nhilint should do but does not yet has `xfail: <the gap>` (strict).

Each file declares `formats:`, the source formats the rule applies to (terraform, tfplan, cloudformation, sam,
kubernetes, kustomize). For every declared format there must be a positive case (an expected finding in a
file of that format) and a negative case (no finding, with a file of that format); a rule found in a format
it does not declare fails too. A file's format is what discovery makes of it (a SAM template counts as `sam`,
not `cloudformation`); a symlink counts by its name.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from nhilint.discover import candidate, classify
from nhilint.rules import RULES
from tests.helpers import scan_tree

CASES_DIR = Path(__file__).parent / "cases"
FORMATS = frozenset({"terraform", "tfplan", "cloudformation", "sam", "kubernetes", "kustomize"})
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
            params.append(pytest.param(data["rule"], case, id=f"{data['rule']}:{case['name']}", marks=marks))
    return params


def file_format(name: str, text: str | None) -> str | None:
    """The format discovery gives a case file (`text` None for a symlink: by its name only), or None."""
    base = Path(name).name
    if base.endswith(TFVARS_SUFFIXES):
        return "terraform"
    kind = candidate(base)
    if kind == "data":
        kind = classify(base, text) if text is not None else None
    if kind == "cloudformation" and text is not None and "AWS::Serverless" in text:
        return "sam"
    return kind


def case_formats(case: dict[str, Any]) -> dict[str, str | None]:
    """Each file and link of a case with its format."""
    formats = {name: file_format(name, text) for name, text in case["files"].items()}
    formats.update({link: file_format(link, None) for link in case.get("symlinks") or {}})
    return formats


@pytest.mark.parametrize(("rule_id", "case"), _load_cases())
def test_rule_case(rule_id: str, case: dict[str, Any], tmp_path: Path) -> None:
    if case.get("requires") and shutil.which(case["requires"]) is None:
        pytest.skip(f"needs {case['requires']} on the PATH")
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


@pytest.mark.parametrize("path", sorted(CASES_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_declared_format_has_positive_and_negative_cases(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    declared = data.get("formats")
    assert isinstance(declared, list) and declared, f"{path.name}: declare `formats:`, the formats the rule applies to"
    assert set(declared) <= FORMATS, f"{path.name}: unknown formats {sorted(set(declared) - FORMATS)}"
    positive: set[str] = set()
    negative: set[str] = set()
    for case in data["cases"]:
        formats = case_formats(case)
        for expected in case["expect"]:
            assert expected[0] in formats, f"{path.name}: {case['name']}: {expected[0]} is not a file of the case"
            if formats[expected[0]] is not None:
                positive.add(str(formats[expected[0]]))
        if not case["expect"]:
            negative.update(f for f in formats.values() if f is not None)
    assert positive <= set(declared), f"{path.name}: findings in undeclared formats {sorted(positive - set(declared))}"
    for fmt in declared:
        assert fmt in positive, f"{path.name}: no positive case for {fmt}"
        assert fmt in negative, f"{path.name}: no negative case for {fmt}"
