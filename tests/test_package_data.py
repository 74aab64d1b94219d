"""Package files read without importlib.resources (nhilint/package_data.py) are the bytes resources reads."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from nhilint.config import builtin_policies, policy_folder
from nhilint.package_data import read_text


@pytest.mark.parametrize(
    ("package", "parts"),
    [
        ("nhilint.schemas", ("policy.schema.json",)),
        ("nhilint.data", ("graph_app_permissions.json",)),
        ("nhilint.data", ("escalation", "aws.yaml")),
        ("nhilint.data", ("escalation", "azure.yaml")),
    ],
)
def test_read_text_reads_what_importlib_resources_reads(package: str, parts: tuple[str, ...]) -> None:
    assert read_text(package, *parts) == resources.files(package).joinpath(*parts).read_text(encoding="utf-8")


def test_a_missing_file_is_an_error_not_an_empty_text() -> None:
    with pytest.raises(FileNotFoundError):
        read_text("nhilint.data", "escalation", "no-such-platform.yaml")


def test_the_policy_folder_is_the_shipped_one() -> None:
    folder = policy_folder()
    assert isinstance(folder, Path) and folder.is_dir()
    assert {"default", "strict"} <= set(builtin_policies())
    assert folder.joinpath("default.yaml").read_text(encoding="utf-8").startswith("#")
