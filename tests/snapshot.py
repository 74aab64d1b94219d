"""Snapshot results of the example estate; `python -m tests.snapshot` rewrites them after a deliberate change."""

from __future__ import annotations

from pathlib import Path

from nhilint.api import scan
from nhilint.report import sarif
from nhilint.report.json_report import render_scan
from nhilint.report.text import render
from tests.helpers import config_for

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "fixtures" / "example"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
CHECKOUT_URI = "file:///checkout/"  # stands for the checkout's own file URI (SARIF's SRCROOT), which varies


def outputs() -> dict[str, str]:
    report = scan([EXAMPLE], config_for(REPO), REPO)
    return {
        "example.txt": render(report),
        "example.json": render_scan(report),
        "example.sarif": sarif.render(report).replace(f'"{REPO.as_uri()}/"', f'"{CHECKOUT_URI}"'),
    }


if __name__ == "__main__":
    SNAPSHOTS.mkdir(exist_ok=True)
    for name, text in outputs().items():
        (SNAPSHOTS / name).write_text(text, encoding="utf-8")
        print(f"wrote {SNAPSHOTS / name}")
