"""Shared test helpers: write inline sources to a temp dir and scan them with a frozen today."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

from nhilint.api import Report, scan
from nhilint.config import Config, load_config

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
