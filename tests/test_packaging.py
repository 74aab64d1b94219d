"""A wheel holds every package of nhilint/: the setuptools list in pyproject.toml is explicit (the policy packs
are mapped in from policies/), so a new sub-package left out of it would be missing from a non-editable install."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_directory_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "nhilint").rglob("__init__.py")}
    assert on_disk - listed == set()
