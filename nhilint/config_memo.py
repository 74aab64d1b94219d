"""A record that one config, exactly, passed the schema: a valid `.nhilint.yaml` costs no jsonschema import.

jsonschema and what it loads take about 0.15 s, paid on every pre-commit run of a project with a config.
The schema stays the one truth: a config is never judged by anything but jsonschema. Once it passes, an
empty file named by the SHA-256 of (the schema's text, jsonschema's own source, Python's version, the
config's data) is
written to `<cache dir>/config-valid/`; a later run that finds that file for the same three skips jsonschema.
Only "valid" is remembered (an invalid config is validated every time, for its messages), only for data
of plain types (whose `repr` is its identity), and only in a directory that is ours and writable by nobody
else. Anything missing or refused means: validate. `NHILINT_CACHE_DIR=off` and `--no-cache` turn it off
(`load_config(..., memo=False)`: neither read nor written).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import stat
import sys
from pathlib import Path
from typing import Any

from nhilint.cache_dir import default_directory, private_folder, trusted

_PLAIN = (str, int, float, bool, type(None), datetime.date, datetime.datetime)


def schema_text() -> str:
    from nhilint.package_data import read_text

    return read_text("nhilint.schemas", "policy.schema.json")


def known_valid(data: Any) -> bool:
    """Whether this exact data was validated against this schema by this jsonschema before."""
    path = _marker(data)
    if path is None:
        return False
    try:
        return trusted(os.stat(path.parent), stat.S_IFDIR) and trusted(os.lstat(path), stat.S_IFREG)
    except OSError:
        return False


def remember_valid(data: Any) -> None:
    """Record that jsonschema accepted this data (best effort: a failure only costs the next run time)."""
    path = _marker(data)
    if path is None:
        return
    if private_folder(path.parent.parent, path.parent.name) is None:
        return
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600))


def _marker(data: Any) -> Path | None:
    directory = default_directory()
    if directory is None or not _plain(data):
        return None
    engine = _jsonschema_source()
    if engine is None:
        return None
    digest = hashlib.sha256()
    for part in (schema_text(), engine, sys.version, repr(data)):  # the `regex` format is Python's `re`
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return directory / "config-valid" / digest.hexdigest()


def _plain(value: Any, depth: int = 0) -> bool:
    if depth > 64:
        return False
    if type(value) is dict:
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    if type(value) is list:
        return all(_plain(v, depth + 1) for v in value)
    return type(value) in _PLAIN


def _jsonschema_source() -> str | None:
    """A digest of jsonschema's own modules (its version without importing it or importlib.metadata)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("jsonschema")
        folders = list(spec.submodule_search_locations or []) if spec is not None else []
        if not folders:
            return None
        digest = hashlib.sha256()
        for module in sorted(Path(folders[0]).glob("*.py")):
            digest.update(module.name.encode() + b"\0" + module.read_bytes() + b"\0")
        return digest.hexdigest()
    except (OSError, ImportError, ValueError):
        return None
