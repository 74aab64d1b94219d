"""Inventory outputs show the evaluator's symbols as findings do (`<this account>`), with ids unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint.cli import main
from nhilint.report.readable import readable
from nhilint.values import readable_references, readable_symbols
from tests.helpers import write_tree

SOURCE = """
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  account = data.aws_caller_identity.current.account_id
}

resource "aws_iam_role" "ops" {
  name = "ops-admin"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
    }]
  })
  tags = { owner = "team-platform" }
}

resource "aws_iam_role_policy" "ops" {
  role = aws_iam_role.ops.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "dynamodb:GetItem"
      Resource = "arn:aws:dynamodb:${data.aws_region.current.name}:${local.account}:table/orders"
    }]
  })
}
"""


def _inventory(tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    write_tree(tmp_path, {"main.tf": SOURCE})
    assert main(["inventory", str(tmp_path), "--no-cache", "--format", fmt, "--today", "2026-11-22"]) == 0
    return capsys.readouterr().out


def test_inventory_json_shows_this_account_and_keeps_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _inventory(tmp_path, "json", capsys)
    assert "${current" not in out
    [identity] = json.loads(out)["identities"]
    assert identity["id"] == "aws:aws_iam_role.ops"
    assert identity["trusts"][0]["principals"][0]["identifier"] == "arn:aws:iam::<this account>:root"
    assert identity["grants"][0]["principal"] == "aws:aws_iam_role.ops"
    assert identity["grants"][0]["scope"] == ["arn:aws:dynamodb:<this region>:<this account>:table/orders"]


@pytest.mark.parametrize("fmt", ["csv", "markdown", "table"])
def test_inventory_tables_show_this_account(fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _inventory(tmp_path, fmt, capsys)
    assert "${current" not in out
    assert "aws:aws_iam_role.ops" in out
    if fmt == "csv":  # the only table with the trusted_by column
        assert "arn:aws:iam::<this account>:root" in out


def test_explain_identity_shows_this_account(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": SOURCE})
    assert main(["explain-identity", "aws_iam_role.ops", str(tmp_path), "--no-cache", "--today", "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "aws:aws_iam_role.ops"
    assert "Allow AWS arn:aws:iam::<this account>:root to sts:AssumeRole" in out
    assert "${current" not in out


def test_one_rendering_for_findings_and_inventory() -> None:
    text = "arn:aws:sqs:${current_region}:${current_account}:jobs"
    assert readable_symbols(text) == "arn:aws:sqs:<this region>:<this account>:jobs"
    assert readable_references(text) == readable_symbols(text)
    document = {"id": "aws:arn:aws:iam::${current_account}:role/x", "scope": [text], "tags": {"k": text}}
    assert readable(document) == {
        "id": "aws:arn:aws:iam::${current_account}:role/x",  # ids are never rewritten
        "scope": ["arn:aws:sqs:<this region>:<this account>:jobs"],
        "tags": {"k": "arn:aws:sqs:<this region>:<this account>:jobs"},
    }
