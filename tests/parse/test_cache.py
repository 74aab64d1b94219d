"""The parse cache: same results with and without it, keyed by content, robust to corrupt entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.api import scan
from tests.helpers import config_for, write_tree

FILES = {
    "main.tf": 'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = "{}"\n}\n',
    "policy.tf": 'resource "aws_iam_role_policy" "p" {\n  role = aws_iam_role.r.name\n'
                 '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })\n}\n',
}


def findings(root: Path) -> list[tuple[str, str, int, str | None]]:
    report = scan([root], config_for(root), root, cache=True)
    return [(f.rule_id, f.location.path, f.location.start_line, f.identity) for f in report.findings]


def test_cached_scan_matches_uncached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    uncached = findings(root)
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("NHILINT_CACHE_DIR", str(cache_dir))
    assert findings(root) == uncached
    entries = sorted(p for p in cache_dir.glob("??/*") if p.is_file())
    assert len(entries) == 2
    assert findings(root) == uncached  # served from the cache

    for entry in entries:
        entry.write_bytes(b"not a pickle")
    assert findings(root) == uncached  # a corrupt entry is reparsed, never trusted

    (root / "policy.tf").write_text(FILES["policy.tf"].replace("s3:*", "s3:GetObject"))
    assert ("NHI-PRIV-001", "policy.tf", 3, "aws:aws_iam_role.r") not in findings(root)
