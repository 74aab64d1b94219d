"""A config that names a rule nhilint does not have is an error, wherever the config comes from.

An unknown `NHI-…` id under `rules:` (a typo, or a rule renamed) would otherwise silently disable nothing
or tune nothing. Like an unknown option it is exit 2, and the message names the file and the key, for the
project's `.nhilint.yaml`, `[tool.nhilint]` in `pyproject.toml`, and a policy pack (named with --policy,
by the project's `policy:`, or through `extends`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.cli import main
from nhilint.config import ConfigError, load_config
from tests.helpers import write_tree

UNKNOWN = "unknown rule id (`nhilint rules` lists them)"
ROLE = 'resource "aws_iam_role" "ci" {\n  name               = "ci"\n  assume_role_policy = "{}"\n}\n'


def _error(root: Path, policy: str | None = None) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_config(root, None, policy)
    return str(raised.value).splitlines()


def test_nhilint_yaml(tmp_path: Path) -> None:
    write_tree(tmp_path, {".nhilint.yaml": "rules:\n  NHI-PRIV-001: false\n  NHI-PRIV-010: {severity: low}\n"})
    assert _error(tmp_path) == [f"{tmp_path / '.nhilint.yaml'}: rules.NHI-PRIV-010: {UNKNOWN}"]


def test_pyproject_tool_nhilint(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"pyproject.toml": '[project]\nname = "infra"\n\n[tool.nhilint.rules]\n"NHI-OWN-003" = false\n'},
    )
    assert _error(tmp_path) == [f"{tmp_path / 'pyproject.toml'} [tool.nhilint]: rules.NHI-OWN-003: {UNKNOWN}"]


def test_policy_pack_named_on_the_command_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"policies/team.yaml": "extends: default\nrules:\n  NHI-TRUST-009: {severity: high}\n"})
    pack = tmp_path / "policies" / "team.yaml"
    assert _error(tmp_path, str(pack)) == [f"{pack}: rules.NHI-TRUST-009: {UNKNOWN}"]


def test_policy_pack_named_by_the_project_and_one_it_extends(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".nhilint.yaml": "policy: policies/team.yaml\n",
            "policies/team.yaml": "extends: policies/base.yaml\nrules:\n  NHI-EXP-001: false\n",
            "policies/base.yaml": "extends: strict\nrules:\n  NHI-K8S-099: false\n",
        },
    )  # `extends` paths are relative to the project config's directory, as `policy:` paths are
    base = tmp_path / "policies" / "base.yaml"
    assert _error(tmp_path) == [f"{tmp_path / 'policies' / 'team.yaml'}: extends: {base}: rules.NHI-K8S-099: {UNKNOWN}"]


def test_cli_exit_2_names_the_file_and_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": ROLE, ".nhilint.yaml": "rules:\n  NHI-CRED-004: false\n"})
    assert main(["scan", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / '.nhilint.yaml'}: rules.NHI-CRED-004: {UNKNOWN}" in err


def test_known_and_checkov_ids_are_accepted(tmp_path: Path) -> None:
    write_tree(tmp_path, {".nhilint.yaml": "rules:\n  NHI-PRIV-001: {severity: critical}\n  CKV_AWS_274: false\n"})
    assert load_config(tmp_path).rule("NHI-PRIV-001").severity is not None
