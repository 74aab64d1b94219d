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


NUMBERED = {
    **ROLES,
    "limits.tf": """
        variable "max_session" {
          type    = number
          default = 3600
        }
    """,
}


@pytest.mark.parametrize(
    ("var", "message"),
    [
        (
            'operators=["a"',
            "-var operators: the value is not a valid HCL expression for its list() type "
            "(variable 'operators' declared at variables.tf:4)",
        ),
        (
            "max_session=abc",
            "-var max_session: the value is not a number (variable 'max_session' declared at limits.tf:1)",
        ),
        (
            "temporary=maybe",
            "-var temporary: the value is not true or false (variable 'temporary' declared at variables.tf:7)",
        ),
        ('operators={ a = "b" }', "-var operators: the value is not a list for its list() type"),
        ("operators=[var.team]", "-var operators: the value refers to var, which a -var value cannot do"),
        ("nosuch=1", "-var nosuch: no root module declares a variable 'nosuch'"),
    ],
)
def test_a_var_that_terraform_would_refuse_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], var: str, message: str
) -> None:
    write_tree(tmp_path, NUMBERED)
    for command in ("scan", "inventory"):
        code, out, err = run([command, str(tmp_path), "-var", "team=data", "-var", var], capsys)
        assert code == 2, err
        assert message in err
        assert out == ""


def test_a_usage_error_never_quotes_the_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, NUMBERED)
    code, _, err = run(["scan", str(tmp_path), "-var", "max_session=hunter2-secret"], capsys)
    assert code == 2
    assert "max_session" in err and "hunter2" not in err


def test_every_mistaken_var_is_named_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, NUMBERED)
    code, _, err = run(["scan", str(tmp_path), "-var", "nosuch=1", "-var", "max_session=x"], capsys)
    assert code == 2
    assert "-var nosuch:" in err and "-var max_session:" in err


def test_a_var_declared_by_any_root_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {**{f"app/{k}": v for k, v in ROLES.items()}, "ops/limits.tf": NUMBERED["limits.tf"]})
    code, out, err = run(["inventory", str(tmp_path), "--format", "json", "-var", "max_session=7200"], capsys)
    assert code == 0, err
    code, out, err = run(["inventory", str(tmp_path), "--format", "json", "-var", "team=data"], capsys)
    assert code == 0, err
    assert _owners(out) == {"aws:app/aws_iam_role.etl": "data"}


def test_a_missing_var_file_in_the_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {**ROLES, ".nhilint.yaml": "var_files:\n  - env/prod.tfvars\n"})
    code, out, err = run(["scan", str(tmp_path)], capsys)
    assert code == 2
    assert f"{tmp_path / '.nhilint.yaml'}: var_files: env/prod.tfvars does not exist" in err
    assert out == ""
    write_tree(tmp_path, {"env/prod.tfvars": 'team = "data"\n'})
    code, out, err = run(["inventory", str(tmp_path), "--format", "json"], capsys)
    assert code == 0, err
    assert _owners(out) == {"aws:aws_iam_role.etl": "data"}


def test_a_missing_var_file_flag_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, ROLES)
    code, _, err = run(["scan", str(tmp_path), "--var-file", str(tmp_path / "nope.tfvars")], capsys)
    assert code == 2
    assert "--var-file" in err
