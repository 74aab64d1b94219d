"""`-var NAME=VALUE` on the command line: read by the variable's type, as `terraform -var` reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint.api import scan
from nhilint.result import ScanOptions
from tests.helpers import config_for, write_tree
from tests.test_cli import run

ROLES = {
    "variables.tf": """
        variable "team" {
          type = string
        }
        variable "operators" {
          type = list(string)
        }
        variable "temporary" {
          type    = bool
          default = false
        }
    """,
    "main.tf": """
        resource "aws_iam_role" "etl" {
          name               = "etl"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = var.operators } }]
          })
          tags = { owner = var.team, temporary = var.temporary ? "yes" : "no" }
        }
    """,
}


def _owners(out: str) -> dict[str, object]:
    return {i["id"]: i["owner"]["value"] for i in json.loads(out)["identities"]}


def test_var_on_the_command_line_sets_a_root_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, ROLES)
    code, out, _ = run(["inventory", str(tmp_path), "--format", "json", "-var", "team=data-platform"], capsys)
    assert code == 0
    assert _owners(out) == {"aws:aws_iam_role.etl": "data-platform"}


def test_var_values_follow_the_variable_type(tmp_path: Path) -> None:
    write_tree(tmp_path, ROLES)
    variables = (
        ("team", "a=b"),  # a string is the text after the first '=', never parsed
        ("operators", '["arn:aws:iam::111122223333:role/ops"]'),  # a collection type is an HCL expression
        ("temporary", "true"),
    )
    report = scan([tmp_path], config_for(tmp_path), tmp_path, ScanOptions(variables=variables))
    [identity] = report.inventory.identities.values()
    assert dict(identity.tags) == {"owner": "a=b", "temporary": "yes"}
    [trust] = report.inventory.trusts
    assert [p.identifier for p in trust.principals] == ["arn:aws:iam::111122223333:role/ops"]


def test_later_var_wins_over_var_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {**ROLES, "prod.tfvars": 'team = "from-file"\n'})
    args = ["inventory", str(tmp_path), "--format", "json", "--var-file", str(tmp_path / "prod.tfvars")]
    assert _owners(run(args, capsys)[1]) == {"aws:aws_iam_role.etl": "from-file"}
    assert _owners(run([*args, "-var", "team=from-flag"], capsys)[1]) == {"aws:aws_iam_role.etl": "from-flag"}


def test_var_without_a_name_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, ROLES)
    code, _, err = run(["scan", str(tmp_path), "-var", "team"], capsys)
    assert code == 2
    assert "'team' is not NAME=VALUE" in err
