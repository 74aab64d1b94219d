"""The README's rule catalog is generated from rule metadata and must be current; every rule is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nhilint.report.catalog import render_markdown
from nhilint.rules import RULES

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_rule_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    table = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", text, re.S)
    assert table, "README needs the rules:start / rules:end markers"
    assert table.group(1) == render_markdown(), "run `nhilint rules --format markdown` and paste it into README"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_documented(rule) -> None:  # type: ignore[no-untyped-def]
    assert len(rule.doc) > 120, f"{rule.id} needs a docstring that explains the rule"
    assert rule.summary and rule.owasp_title.startswith(rule.owasp)


def test_rule_ids_are_unique_and_well_formed() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"NHI-[A-Z][A-Z0-9]*-\d{3}", i) for i in ids)  # NHI-K8S-001
