"""The example estate's text and JSON results are committed; a change in behaviour shows up as a diff.

Refresh deliberately with `python -m tests.snapshot` and review the diff.
"""

from __future__ import annotations

import pytest

from tests.snapshot import SNAPSHOTS, outputs


@pytest.mark.parametrize("name", ["example.txt", "example.json"])
def test_example_snapshot(name: str) -> None:
    expected = (SNAPSHOTS / name).read_text(encoding="utf-8")
    assert outputs()[name] == expected, f"snapshot {name} differs; run `python -m tests.snapshot` if intended"


def test_example_shows_real_findings() -> None:
    text = outputs()["example.txt"]
    for rule in ("NHI-PRIV-004", "NHI-TRUST-002", "NHI-TRUST-003", "NHI-CRED-001", "NHI-CRED-002", "NHI-EXP-003"):
        assert rule in text
