"""`parse_errors` counts inputs that could not be read, not the NHI-PARSE-009 note of a reusable module."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint.cli import main
from tests.helpers import write_tree

MODULE = """
variable "role_name" {
  type = string
}

resource "aws_iam_role" "this" {
  name               = var.role_name
  assume_role_policy = "{}"
  tags               = { owner = "team-platform" }
}
"""


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    main([*args, "--no-cache", "--today", "2026-11-22"])
    return capsys.readouterr().out


def test_module_defaults_note_is_not_a_parse_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"modules/role/main.tf": MODULE})
    scan = json.loads(_run(["scan", str(tmp_path), "--format", "json"], capsys))
    assert [f["rule_id"] for f in scan["findings"] if f["rule_id"].startswith("NHI-PARSE")] == ["NHI-PARSE-009"]
    assert scan["summary"]["parse_errors"] == 0
    inventory = json.loads(_run(["inventory", str(tmp_path), "--format", "json"], capsys))
    assert inventory["parse_errors"] == []
    assert "input problems" not in _run(["scan", str(tmp_path)], capsys)
    assert "parse errors: 0" in _run(["scan", str(tmp_path), "--format", "markdown"], capsys)


def test_a_file_that_cannot_be_parsed_still_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"modules/role/main.tf": MODULE, "modules/role/broken.tf": 'resource "aws_iam_role" {\n'})
    scan = json.loads(_run(["scan", str(tmp_path), "--format", "json"], capsys))
    assert scan["summary"]["parse_errors"] == 1
    inventory = json.loads(_run(["inventory", str(tmp_path), "--format", "json"], capsys))
    assert [(e["file"], e["line"]) for e in inventory["parse_errors"]] == [("modules/role/broken.tf", 2)]
    assert "1 file with input problems" in _run(["scan", str(tmp_path)], capsys)
