"""Shared test helpers: write inline sources to a temp dir and scan them with a frozen today."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from typing import Any

from nhilint.api import Report, scan
from nhilint.config import Config, load_config
from nhilint.values import LDict

TODAY = date(2026, 11, 22)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def config_for(root: Path, policy: str | None = None) -> Config:
    return load_config(root, None, policy).with_overrides(today=TODAY)


def scan_tree(root: Path, files: dict[str, str], policy: str | None = None) -> Report:
    write_tree(root, files)
    return scan([root], config_for(root, policy), root)


def triples(report: Report, rule_prefix: str = "") -> list[tuple[str, str, int, str | None]]:
    """(rule, file, line, identity) for every finding whose rule id starts with rule_prefix."""
    return [
        (f.rule_id, f.location.path, f.location.start_line, f.identity)
        for f in report.findings
        if f.rule_id.startswith(rule_prefix)
    ]


def with_marks(value: Any) -> Any:
    """A parsed value with every LDict's lines made visible, as a comparable structure (LDict equality is a
    dict's: it ignores them), each scalar with its type (`1`, `1.0` and `True` differ)."""
    if isinstance(value, LDict):
        items = [(key, with_marks(item)) for key, item in value.items()]
        return ("LDict", value.line, value.end_line, value.key_lines, value.path, items)
    if isinstance(value, list):
        return [with_marks(item) for item in value]
    return (type(value).__name__, repr(value))
