"""Pre-commit mode: named files are reported, their module is read for context, unrelated files are not parsed."""

from __future__ import annotations

from pathlib import Path

from nhilint.api import scan
from tests.helpers import config_for, write_tree

FILES = {
    "variables.tf": 'variable "owner" {\n  default = "team-a"\n}\n',
    "iam.tf": 'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = "{}"\n'
              "  tags = { owner = var.owner }\n}\n",
    "other.tf": 'resource "aws_iam_user" "u" {\n  name = "u"\n}\n',
    "buckets.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n  this is not valid HCL\n}\n',
}


def test_named_file_reads_context_and_reports_only_itself(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    report = scan([tmp_path / "iam.tf"], config_for(tmp_path), tmp_path)
    assert {f.location.path for f in report.findings} == {"iam.tf"}
    role = report.inventory.identities["aws:aws_iam_role.r"]
    assert role.lifecycle.owner is not None and role.lifecycle.owner.value == "team-a"  # from variables.tf
    assert "aws:aws_iam_user.u" in report.inventory.identities  # context files are extracted too
    # buckets.tf declares nothing nhilint reads: skipped, so its syntax error costs nothing here...
    assert report.inventory.errors == []


def test_a_named_broken_file_is_still_reported(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    report = scan([tmp_path / "buckets.tf"], config_for(tmp_path), tmp_path)
    assert [(f.rule_id, f.location.path, f.location.start_line) for f in report.findings] == [
        ("NHI-PARSE-001", "buckets.tf", 4)
    ]
