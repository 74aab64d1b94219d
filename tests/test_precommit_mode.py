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


POLICY_FROM_FILE = {
    "infra/main.tf": """
        resource "aws_iam_role" "ci" {
          name               = "ci"
          assume_role_policy = file("trust.json")
          tags               = { owner = "team-a" }
        }

        resource "aws_iam_role_policy" "ci" {
          role   = aws_iam_role.ci.id
          policy = file("admin.json")
        }
        """,
    "infra/trust.json": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", '
    '"Principal": {"Service": "ec2.amazonaws.com"}}]}\n',
    "infra/admin.json": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", '
    '"Resource": "*"}]}\n',
}


def test_committing_the_tf_file_reports_the_policy_it_reads(tmp_path: Path) -> None:
    """The finding points into admin.json, but the named main.tf is what grants it: not a silent pass."""
    write_tree(tmp_path, POLICY_FROM_FILE)
    report = scan([tmp_path / "infra/main.tf"], config_for(tmp_path), tmp_path)
    admin = [
        (f.location.path, f.location.start_line, f.identity) for f in report.findings if f.rule_id == "NHI-PRIV-004"
    ]
    assert admin == [("infra/admin.json", 1, "aws:infra/aws_iam_role.ci")]


def test_committing_only_the_policy_file_reads_its_module(tmp_path: Path) -> None:
    write_tree(tmp_path, POLICY_FROM_FILE)
    report = scan([tmp_path / "infra/admin.json"], config_for(tmp_path), tmp_path)
    assert [(f.rule_id, f.location.path, f.location.start_line, f.identity) for f in report.findings] == [
        ("NHI-PRIV-004", "infra/admin.json", 1, "aws:infra/aws_iam_role.ci")
    ]


KEYS = {
    "users.tf": 'resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n',
    "keys.tf": 'resource "aws_iam_access_key" "ci" {\n  user = aws_iam_user.ci.name\n}\n',
}


def _owner_findings(tmp_path: Path, *named: str) -> list[tuple[str, int, str | None]]:
    report = scan([tmp_path / n for n in named] or [tmp_path], config_for(tmp_path), tmp_path)
    return sorted(
        (f.location.path, f.location.start_line, f.identity) for f in report.findings if f.rule_id == "NHI-OWN-001"
    )


def test_a_key_without_owner_is_reported_once_with_its_user_and_on_its_own_file_alone(tmp_path: Path) -> None:
    """NHI-OWN-001: the key takes the user's owner, so the whole scan reports the user only; a pre-commit run on
    the key's file (the user's finding is another file's) reports the key."""
    write_tree(tmp_path, KEYS)
    assert _owner_findings(tmp_path) == [("users.tf", 1, "aws:aws_iam_user.ci")]
    assert _owner_findings(tmp_path, "keys.tf") == [("keys.tf", 1, "aws:aws_iam_access_key.ci")]


def test_a_key_whose_users_missing_owner_is_suppressed_is_reported(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {**KEYS, "users.tf": "# nhilint:ignore NHI-OWN-001 -- owned by the CI platform, SEC-12\n" + KEYS["users.tf"]},
    )
    assert _owner_findings(tmp_path) == [("keys.tf", 1, "aws:aws_iam_access_key.ci")]
