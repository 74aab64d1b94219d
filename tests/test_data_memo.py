"""nhilint.data_memo: YAML read on every run, kept as JSON in the cache directory, trusted like the parse cache."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from nhilint import data_memo

TEXT = "settings:\n  owner_tags: [owner, team]\nrules:\n  NHI-EXP-004: {severity: medium}\n"
DATA = {"settings": {"owner_tags": ["owner", "team"]}, "rules": {"NHI-EXP-004": {"severity": "medium"}}}


class Parser:
    """yaml.safe_load, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str) -> Any:
        self.calls += 1
        return yaml.safe_load(text)


def kept_files(directory: Path) -> list[Path]:
    return sorted((directory / "data").glob("*.json")) if (directory / "data").is_dir() else []


def test_a_second_read_of_the_same_text_is_the_json_kept_by_the_first(tmp_path: Path) -> None:
    parse = Parser()
    assert data_memo.yaml(TEXT, tmp_path, parse) == DATA
    assert data_memo.yaml(TEXT, tmp_path, parse) == DATA
    assert parse.calls == 1
    [kept] = kept_files(tmp_path)
    assert (kept.stat().st_mode & 0o777, (tmp_path / "data").stat().st_mode & 0o777) == (0o600, 0o700)


def test_another_text_is_parsed(tmp_path: Path) -> None:
    parse = Parser()
    data_memo.yaml(TEXT, tmp_path, parse)
    assert data_memo.yaml(TEXT.replace("team", "squad"), tmp_path, parse)["settings"]["owner_tags"] == [
        "owner",
        "squad",
    ]
    assert parse.calls == 2
    assert len(kept_files(tmp_path)) == 2


def test_without_a_directory_nothing_is_read_or_written(tmp_path: Path) -> None:
    parse = Parser()
    assert data_memo.yaml(TEXT, None, parse) == data_memo.yaml(TEXT, None, parse) == DATA
    assert parse.calls == 2


@pytest.mark.parametrize(
    "text",
    [
        "expires: 2027-01-01\n",  # a date: JSON would give back a string
        "ratio: .inf\n",  # JSON has no infinity
        "1: one\n",  # a key that is not a string (JSON gives back "1")
    ],
)
def test_data_json_cannot_carry_exactly_is_parsed_every_time(tmp_path: Path, text: str) -> None:
    parse = Parser()
    first = data_memo.yaml(text, tmp_path, parse)
    assert data_memo.yaml(text, tmp_path, parse) == first
    assert parse.calls == 2
    assert kept_files(tmp_path) == []


def test_a_date_stays_a_date(tmp_path: Path) -> None:
    assert data_memo.yaml("until: 2027-01-01\n", tmp_path, Parser()) == {"until": datetime.date(2027, 1, 1)}


def _open_to_all(kept: Path) -> None:
    kept.write_text('{"rules": {"NHI-OWN-001": false}}', encoding="utf-8")  # tampered...
    kept.parent.chmod(0o777)  # ...in a directory anyone may write


def _linked_elsewhere(kept: Path) -> None:
    elsewhere = kept.parent.parent / "elsewhere.json"
    elsewhere.write_text('{"rules": {}}', encoding="utf-8")
    kept.unlink()
    os.symlink(elsewhere, kept)


@pytest.mark.parametrize(
    "spoil",
    [
        _open_to_all,
        lambda kept: kept.chmod(0o660),  # writable by the group
        _linked_elsewhere,  # a link is not followed
        lambda kept: kept.write_text('{"settings": ', encoding="utf-8"),  # cut short: unreadable
    ],
    ids=["in a directory anyone may write", "group-writable", "a symlink", "cut short"],
)
def test_a_copy_that_is_not_trusted_or_not_readable_means_parsing(tmp_path: Path, spoil: Any) -> None:
    parse = Parser()
    data_memo.yaml(TEXT, tmp_path, parse)
    [kept] = kept_files(tmp_path)
    spoil(kept)
    assert data_memo.yaml(TEXT, tmp_path, parse) == DATA
    assert parse.calls == 2


def test_a_directory_that_cannot_be_written_costs_only_the_parse(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")  # the cache "directory" is a file
    parse = Parser()
    assert data_memo.yaml(TEXT, blocked, parse) == data_memo.yaml(TEXT, blocked, parse) == DATA
    assert parse.calls == 2


def test_a_parse_error_propagates_and_nothing_is_kept(tmp_path: Path) -> None:
    with pytest.raises(yaml.YAMLError):
        data_memo.yaml("rules: [unclosed\n", tmp_path, Parser())
    assert kept_files(tmp_path) == []


def test_a_missing_cache_directory_is_made_private(tmp_path: Path) -> None:
    """Not the umask's mode: `mkdir(parents=True)` gives the parents it makes 0o755 (the config memo did)."""
    cache = tmp_path / "cache"
    data_memo.yaml(TEXT, cache, Parser())
    assert [p.stat().st_mode & 0o777 for p in (cache, cache / "data")] == [0o700, 0o700]


def test_yaml_whose_aliases_would_multiply_when_written_is_not_kept(tmp_path: Path) -> None:
    """A hostile `.nhilint.yaml` of nested aliases loads to shared lists; written as JSON it would be gigabytes."""
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    text = "\n".join(levels) + "\n"
    parse = Parser()
    assert data_memo.yaml(text, tmp_path, parse)["a8"][0][0][0][0][0][0][0][0] == ["x"] * 10
    assert kept_files(tmp_path) == []


def test_a_value_reached_twice_is_not_kept_but_a_repeated_scalar_is(tmp_path: Path) -> None:
    assert data_memo.yaml("a: &x [1]\nb: *x\n", tmp_path, Parser()) == {"a": [1], "b": [1]}
    assert kept_files(tmp_path) == []
    assert data_memo.yaml("a: &x one\nb: *x\n", tmp_path, Parser()) == {"a": "one", "b": "one"}
    assert len(kept_files(tmp_path)) == 1
