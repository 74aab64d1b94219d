"""An on-disk cache of parsed Terraform files, keyed by content, so pre-commit runs parse only what changed.

A pre-commit run names a few files but reads their whole module for context; those sibling files rarely
change between commits. Entries are keyed by a hash of the file text and a salt (nhilint and python-hcl2
versions, which resource bodies are kept), so an upgrade or a different rule set never reads a stale tree.
A missing, corrupt or unwritable cache only costs time; the directory may be deleted at any time.
`NHILINT_CACHE_DIR=off` (or `--no-cache`) turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from nhilint.parse.hcl import Body


def default_directory() -> Path | None:
    configured = os.environ.get("NHILINT_CACHE_DIR")
    if configured is not None:
        return None if configured.lower() in ("", "0", "off", "false", "no") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "nhilint"


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version  # only when the cache is used

    parts = []
    for package in ("nhilint", "python-hcl2"):
        try:
            parts.append(f"{package}={version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package}=?")
    return ";".join(parts)


class ParseCache:
    """Parsed Body trees on disk: `<dir>/<2 hex>/<sha256>`; picklable, so worker processes use it too."""

    def __init__(self, directory: Path, salt: str) -> None:
        self.directory = directory
        self.salt = f"{_versions()};{salt}"

    def _path(self, text: str) -> Path:
        digest = hashlib.sha256(f"{self.salt}\0{text}".encode()).hexdigest()
        return self.directory / digest[:2] / digest

    def get(self, text: str) -> Body | None:
        try:
            with self._path(text).open("rb") as handle:
                body = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return None
        return body if isinstance(body, Body) else None

    def put(self, text: str, body: Body) -> None:
        path = self._path(text)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                pickle.dump(body, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, path)
        except OSError:
            return
