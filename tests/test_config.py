"""Policy packs and project config: built-in packs are valid, layers merge in order, errors name the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nhilint.config import ConfigError, builtin_policies, load_config, policy_folder, validate
from nhilint.model import Severity
from tests.helpers import write_tree


@pytest.mark.parametrize("name", builtin_policies())
def test_builtin_policy_packs_are_valid(name: str) -> None:
    data = yaml.safe_load(policy_folder().joinpath(f"{name}.yaml").read_text())
    validate(data, name)


def test_default_and_strict_exist() -> None:
    assert {"default", "strict"} <= set(builtin_policies())


def test_strict_extends_default_and_project_overrides(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {".nhilint.yaml": "policy: strict\nsettings:\n  max_expiry_days: 30\nrules:\n  NHI-EXP-004: false\n"}
    )
    config = load_config(tmp_path)
    assert config.policy == "strict"
    assert config.settings.max_expiry_days == 30
    assert config.settings.owner_pattern == "^(team|squad|svc)-[a-z0-9-]+$"
    assert "owner" in config.settings.owner_tags  # inherited from default
    assert config.settings.unknown_severity is Severity.MEDIUM
    assert config.rule("NHI-EXP-004").enabled is False
    assert config.rule("NHI-RET-001").severity is Severity.HIGH


def test_custom_policy_file_extending_default(tmp_path: Path) -> None:
    write_tree(tmp_path, {"team.yaml": "extends: default\nfail_on: high\nsettings:\n  owner_tags: [squad]\n"})
    config = load_config(tmp_path, None, str(tmp_path / "team.yaml"))
    assert config.fail_on is Severity.HIGH and config.settings.owner_tags == ("squad",)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("settings:\n  owner_pattern: '('\n", "owner_pattern"),
        ("rules:\n  NHI-OWN-1: false\n", "NHI-OWN-1"),
        ("fail_on: severe\n", "fail_on"),
        ("settings:\n  known_accounts: ['12']\n", "known_accounts"),
        ("- a list\n", "mapping"),
    ],
)
def test_invalid_config_names_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    write_tree(tmp_path, {".nhilint.yaml": text})
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert ".nhilint.yaml" in str(error.value) and needle in str(error.value)


def test_limits_default_and_project_override(tmp_path: Path) -> None:
    from nhilint.limits import DEFAULT_LIMITS

    assert load_config(tmp_path).limits == DEFAULT_LIMITS
    write_tree(tmp_path, {".nhilint.yaml": "limits:\n  max_depth: 50\n  max_documents: 3\n"})
    limits = load_config(tmp_path).limits
    assert (limits.max_depth, limits.max_documents) == (50, 3)
    assert limits.max_file_bytes == DEFAULT_LIMITS.max_file_bytes
    assert limits.describe("max_depth") == "max_depth (50)"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("limits:\n  max_dpeth: 50\n", "limits: unknown key ('max_dpeth' was unexpected)"),
        ("limits:\n  max_depth: 0\n", "limits.max_depth: 0 is less than the minimum of 1"),
    ],
)
def test_invalid_limits_name_the_key(tmp_path: Path, text: str, needle: str) -> None:
    write_tree(tmp_path, {".nhilint.yaml": text})
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert needle in str(raised.value)


def test_every_schema_error_is_reported_at_once(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {".nhilint.yaml": "fail_on: severe\nsettings:\n  max_expiry_day: 30\n  owner_tags: []\ncolour: true\n"},
    )
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    origin = str(tmp_path / ".nhilint.yaml")
    assert str(raised.value).splitlines() == [
        f"{origin}: (top level): unknown key ('colour' was unexpected)",
        f"{origin}: fail_on: 'severe' is not one of ['info', 'low', 'medium', 'high', 'critical']",
        f"{origin}: settings: unknown key ('max_expiry_day' was unexpected)",
        f"{origin}: settings.owner_tags: [] should be non-empty",
    ]


def test_unknown_rule_ids_are_errors_and_checkov_ids_are_not(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".nhilint.yaml": "rules:\n  NHI-OWN-001: false\n  NHI-PRIV-404: {severity: high}\n"
            "  CKV_AWS_274: false\n  NHI-OWN-009: true\n"
        },
    )
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    origin = str(tmp_path / ".nhilint.yaml")
    assert str(raised.value).splitlines() == [
        f"{origin}: rules.NHI-PRIV-404: unknown rule id (`nhilint rules` lists them)",
        f"{origin}: rules.NHI-OWN-009: unknown rule id (`nhilint rules` lists them)",
    ]


@pytest.mark.parametrize("name", builtin_policies())
def test_builtin_policy_packs_name_only_known_rules(name: str) -> None:
    from nhilint.config import unknown_rule_ids

    data = yaml.safe_load(policy_folder().joinpath(f"{name}.yaml").read_text())
    assert unknown_rule_ids(data.get("rules")) == []


def test_extends_of_an_unknown_pack_names_the_file_and_key(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"team.yaml": "extends: nosuch\n", "base.yaml": "extends: team.yaml\n", ".nhilint.yaml": "policy: nosuch\n"},
    )
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path, None, str(tmp_path / "base.yaml"))
    assert str(raised.value) == (
        f"{tmp_path / 'team.yaml'}: extends: unknown policy 'nosuch' (built-in policies: default, strict)"
    )
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path / '.nhilint.yaml'}: policy: unknown policy 'nosuch' (built-in policies: default, strict)"
    )
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path, None, "nosuch")
    assert str(raised.value) == "unknown policy 'nosuch' (built-in policies: default, strict)"


def test_reading_a_config_does_not_import_the_rules() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from nhilint.config import load_config; "
        "load_config(Path('.')); print('nhilint.rules' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == "False\n"


def test_a_pack_extends_a_file_next_to_it(tmp_path: Path) -> None:
    # policies/team.yaml says `extends: base.yaml`: the file beside it, as tsconfig and ESLint read `extends`.
    write_tree(
        tmp_path,
        {
            "policies/team.yaml": "extends: base.yaml\nfail_on: high\n",
            "policies/base.yaml": "extends: strict\nsettings:\n  owner_tags: [squad]\n",
            ".nhilint.yaml": "policy: policies/team.yaml\n",
        },
    )
    config = load_config(tmp_path)
    assert config.settings.owner_tags == ("squad",)
    assert config.fail_on.name == "HIGH"


def test_the_record_of_valid_configs_makes_a_missing_cache_directory_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("NHILINT_CACHE_DIR", str(cache))
    (tmp_path / ".nhilint.yaml").write_text("settings:\n  owner_tags: [owner, team]\n", encoding="utf-8")
    load_config(tmp_path)
    assert [p.stat().st_mode & 0o777 for p in (cache, cache / "config-valid", cache / "data")] == [0o700] * 3
