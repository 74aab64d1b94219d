"""Variable files through the parse cache (issue 13: a pre-commit run read `terraform.tfvars` with lark every
time): same values with and without it, keyed apart from `.tf` files, and never a store of what a sensitive
variable is set to."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

import nhilint
from nhilint.api import ScanOptions, scan
from nhilint.extract.terraform.project import resource_types
from nhilint.model_inputs import ParseError
from nhilint.parse import cache as cache_module
from nhilint.parse import hcl
from nhilint.parse.cache import ParseCache
from nhilint.parse.terraform.tfvars import read_tfvars, sensitive_variables
from tests.helpers import config_for, write_tree

VARIABLES = 'variable "role_name" {}\nvariable "replica_region" {}\n'
TFVARS = 'role_name = "ci-deployer"\nreplica_region = "eu-west-1"\n'


def _entries(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("??/*") if p.is_file())


def _read(path: Path, cache: ParseCache | None, module: list[hcl.Body]) -> tuple[dict[str, object], list[ParseError]]:
    errors: list[ParseError] = []
    return read_tfvars(path, path.name, nhilint.limits.DEFAULT_LIMITS, errors, cache, module), errors


def test_tfvars_values_are_the_same_from_the_cache(tmp_path: Path) -> None:
    path = write_tree(tmp_path / "root", {"terraform.tfvars": TFVARS}) / "terraform.tfvars"
    cache = ParseCache(tmp_path / "cache", "salt")
    module = [hcl.parse_hcl(VARIABLES)]
    uncached = _read(path, None, module)
    first = _read(path, cache, module)
    assert len(_entries(tmp_path / "cache")) == 1
    assert _read(path, cache, module) == first == uncached


def test_a_repeated_variable_is_reported_from_the_cache_too(tmp_path: Path) -> None:
    path = write_tree(tmp_path / "root", {"terraform.tfvars": 'region = "a"\nregion = "b"\n'}) / "terraform.tfvars"
    cache = ParseCache(tmp_path / "cache", "salt")
    uncached = _read(path, None, [])
    assert uncached[1] and uncached[1][0].kind == "duplicate-key"
    assert _read(path, cache, []) == uncached == _read(path, cache, [])
    assert len(_entries(tmp_path / "cache")) == 1


def test_a_tfvars_entry_is_served_from_the_cache_without_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_tree(tmp_path / "root", {"terraform.tfvars": TFVARS}) / "terraform.tfvars"
    cache = ParseCache(tmp_path / "cache", "salt")
    expected = _read(path, cache, [])

    def no_parsing(*args: object, **kwargs: object) -> hcl.Body:
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(hcl, "parse_hcl", no_parsing)
    assert _read(path, cache, []) == expected


def test_tfvars_and_tf_texts_are_keyed_apart(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "cache", "salt")
    tfvars = cache.variant("tfvars", cache.holds_secret)
    assert cache._path(TFVARS) != tfvars._path(TFVARS)
    cache.put(TFVARS, hcl.parse_hcl(TFVARS))
    assert tfvars.get(TFVARS) is None


@pytest.mark.parametrize(
    "declaration",
    [
        'variable "replica_region" {\n  sensitive = true\n}\n',
        'variable "replica_region" {\n  sensitive = var.unknowable\n}\n',  # not a literal false: fail closed
    ],
)
def test_a_tfvars_setting_a_sensitive_variable_is_never_written(tmp_path: Path, declaration: str) -> None:
    path = write_tree(tmp_path / "root", {"terraform.tfvars": TFVARS}) / "terraform.tfvars"
    values, errors = _read(path, ParseCache(tmp_path / "cache", "salt"), [hcl.parse_hcl(declaration)])
    assert values["replica_region"] == "eu-west-1" and errors == []
    assert _entries(tmp_path / "cache") == []


def test_sensitive_variables() -> None:
    body = hcl.parse_hcl(
        'variable "a" {\n  sensitive = true\n}\nvariable "b" {\n  sensitive = false\n}\nvariable "c" {}\n'
    )
    assert sensitive_variables([body]) == {"a"}


def test_a_secret_named_tfvars_value_is_never_written(tmp_path: Path) -> None:
    files = {"terraform.tfvars": 'db_password = "correct-horse-battery-staple"\n'}
    path = write_tree(tmp_path / "root", files) / "terraform.tfvars"
    _read(path, ParseCache(tmp_path / "cache", "salt"), [])
    assert _entries(tmp_path / "cache") == []


def test_scan_with_tfvars_is_the_same_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        "variables.tf": VARIABLES,
        "terraform.tfvars": TFVARS,
        "main.tf": 'resource "aws_iam_role" "r" {\n  name = var.role_name\n  assume_role_policy = "{}"\n}\n',
    }
    root = write_tree(tmp_path / "repo", files)

    def identities(cache: bool) -> list[tuple[str, str]]:
        report = scan([root], config_for(root), root, ScanOptions(cache=cache))
        return sorted((key, str(i.name)) for key, i in report.inventory.identities.items())

    cold = identities(False)
    monkeypatch.setenv("NHILINT_CACHE_DIR", str(tmp_path / "cache"))
    assert identities(True) == cold and identities(True) == cold
    tfvars = ParseCache(tmp_path / "cache", resource_types().signature).variant("tfvars", lambda t, b: False)
    assert tfvars.get(TFVARS) is not None
    assert any("ci-deployer" in name for _, name in cold)


def test_the_cache_key_has_both_versions_without_importlib_metadata() -> None:
    assert nhilint.__version__ == importlib.metadata.version("nhilint")
    key = cache_module._versions()
    assert f"nhilint={nhilint.__version__}" in key
    assert "python-hcl2=?" not in key


def test_the_python_hcl2_part_of_the_key_follows_its_version_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec("hcl2")
    assert real is not None and real.submodule_search_locations
    folder = Path(next(iter(real.submodule_search_locations)))
    fake = tmp_path / "hcl2"
    fake.mkdir()
    (fake / "hcl2.lark").write_bytes((folder / "hcl2.lark").read_bytes())
    (fake / "version.py").write_text((folder / "version.py").read_text() + "\n# another release\n")
    spec = importlib.util.spec_from_file_location("hcl2", fake / "__init__.py", submodule_search_locations=[str(fake)])
    before = cache_module._hcl2_fingerprint()
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
    assert cache_module._hcl2_fingerprint() not in (before, "?")


# -- a valid config is remembered, so it costs no jsonschema import (nhilint/config_memo.py) ----------


def test_a_valid_config_is_validated_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nhilint import config, config_memo

    monkeypatch.setenv("NHILINT_CACHE_DIR", str(tmp_path / "cache"))
    data = {"settings": {"owner_tags": ["owner", "team"], "max_expiry_days": 90}}
    assert not config_memo.known_valid(data)
    assert config.validate(data, "x") == data
    assert config_memo.known_valid(data)
    assert not config_memo.known_valid({"settings": {"owner_tags": ["owner"], "max_expiry_days": 90}})

    def no_jsonschema() -> object:
        raise AssertionError("validated again")

    monkeypatch.setattr(config, "_validator", no_jsonschema)
    assert config.validate(data, "x") == data


def test_an_invalid_config_is_never_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nhilint import config, config_memo

    monkeypatch.setenv("NHILINT_CACHE_DIR", str(tmp_path / "cache"))
    data = {"settings": {"max_expiry_days": 0}}
    for _ in range(2):
        with pytest.raises(config.ConfigError, match="max_expiry_days"):
            config.validate(data, "x")
    assert not config_memo.known_valid(data)
    assert not (tmp_path / "cache" / "config-valid").exists()


def test_a_marker_in_a_directory_others_may_write_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nhilint import config, config_memo

    monkeypatch.setenv("NHILINT_CACHE_DIR", str(tmp_path / "cache"))
    data = {"settings": {"max_expiry_days": 30}}
    config.validate(data, "x")
    (tmp_path / "cache" / "config-valid").chmod(0o777)
    assert not config_memo.known_valid(data)


def test_no_marker_when_the_cache_is_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nhilint import config, config_memo

    monkeypatch.setenv("NHILINT_CACHE_DIR", "off")
    config.validate({"settings": {"max_expiry_days": 30}}, "x")
    assert not config_memo.known_valid({"settings": {"max_expiry_days": 30}})
