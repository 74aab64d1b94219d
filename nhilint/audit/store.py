"""The audit's cache of per-repository results: JSON only, ours only, never a secret. (The same `--cache-dir`
holds the blobless clones under `repos/`, nhilint/audit/checkout.py; both live in directories checked here.)

An entry is keyed by the repository's location, the audited commit, the nhilint version and a hash of
everything else that shapes the result (policy and config as resolved, `--today`, `--stale-days`, the
record format). A re-run re-scans only repositories whose commit changed.

The directory is a predictable path that someone else may be able to write (a shared runner, a restored CI
cache), so, as for the parse cache (nhilint/parse/cache.py): the directory and every entry must belong to
the current user and not be writable by group or others (created 0700, entries written 0600 atomically);
entries are JSON decoded into plain dicts and checked against their key before use, never executed or
unpickled; an entry larger than a bound is not read. A record holds names, emails, dates, commit ids,
addresses, file:line positions and rule ids: no file contents, no tag values, no secrets. A missing, refused or
corrupt entry only costs time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

ENTRY_FORMAT = "nhilint-audit-record/1"
MAX_ENTRY_BYTES = 64 * 1024 * 1024


def _trusted(st: os.stat_result, kind: int) -> bool:
    getuid = getattr(os, "getuid", None)
    if getuid is not None and st.st_uid != getuid():
        return False
    return stat.S_IFMT(st.st_mode) == kind and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def trusted_directory(path: Path, create: bool = False) -> bool:
    """Whether `path` is a directory of ours that nobody else can write (created 0700 when asked)."""
    if create:
        try:
            path.mkdir(mode=0o700, parents=True)
        except FileExistsError:
            pass
        except OSError:
            return False
    try:
        return _trusted(os.lstat(path), stat.S_IFDIR)
    except OSError:
        return False


def read_trusted_json(path: Path, limit: int = MAX_ENTRY_BYTES) -> Any:
    """The JSON in `path` if it is a regular file of ours (not a symlink) within `limit` bytes, else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not _trusted(st, stat.S_IFREG) or st.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return json.loads(handle.read(limit + 1))
    except (OSError, ValueError, RecursionError):
        return None
    finally:
        os.close(fd)


def write_private_json(path: Path, data: Any) -> bool:
    """Write JSON atomically as a 0600 file; False when the directory is not ours or the write fails."""
    if not trusted_directory(path.parent, create=True):
        return False
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), 0o600)
            json.dump(data, handle, separators=(",", ":"))
        os.replace(temporary, path)
        return True
    except (OSError, TypeError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False


class ResultCache:
    """Per-repository records under `<dir>/results/<2 hex>/<sha256>.json`."""

    def __init__(self, directory: Path, salt: str) -> None:
        self.directory = directory / "results"
        self.salt = salt

    def _key(self, location: str, commit: str) -> str:
        return hashlib.sha256(f"{ENTRY_FORMAT}\0{self.salt}\0{location}\0{commit}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, location: str, commit: str) -> dict[str, Any] | None:
        key = self._key(location, commit)
        if not (trusted_directory(self.directory.parent) and trusted_directory(self.directory)):
            return None
        entry = read_trusted_json(self._path(key))
        if type(entry) is not dict or entry.get("format") != ENTRY_FORMAT or entry.get("key") != key:
            return None
        record = entry.get("record")
        if type(record) is not dict or type(record.get("repository")) is not dict:
            return None
        if type(record.get("identities")) is not list or record["repository"].get("commit") != commit:
            return None
        return record

    def put(self, location: str, commit: str, record: dict[str, Any]) -> None:
        key = self._key(location, commit)
        if trusted_directory(self.directory.parent, create=True) and trusted_directory(self.directory, create=True):
            write_private_json(self._path(key), {"format": ENTRY_FORMAT, "key": key, "record": record})
