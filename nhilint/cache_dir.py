"""Where nhilint keeps what it may reuse between runs (parsed files, validated configs), and when to trust it.

The directory is a predictable path (`~/.cache/nhilint`, `NHILINT_CACHE_DIR`) that someone else may be able
to write (a shared directory, a restored CI cache): only what belongs to the current user and is writable by
nobody else is read. `NHILINT_CACHE_DIR=off` turns every use off.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path


def default_directory() -> Path | None:
    configured = os.environ.get("NHILINT_CACHE_DIR")
    if configured is not None:
        return None if configured.lower() in ("", "0", "off", "false", "no") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "nhilint"


def trusted(st: os.stat_result, kind: int) -> bool:
    """Ours (where the platform has owners) and writable by nobody else; a directory or regular file as asked."""
    getuid = getattr(os, "getuid", None)
    if getuid is not None and st.st_uid != getuid():
        return False
    return stat.S_IFMT(st.st_mode) == kind and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def private_folder(directory: Path, name: str, create: bool = True) -> Path | None:
    """`directory/name`, made where missing (with `create`): the cache directory itself and the folder both
    private (0o700: `mkdir(parents=True)` would give a missing cache directory the umask's mode) and trusted;
    else None. Every store in the cache directory (parsed files, validated configs, kept data) goes through it."""
    folder = directory / name
    try:
        for path in (directory, folder):
            if create:
                with contextlib.suppress(FileExistsError):
                    path.mkdir(mode=0o700, parents=path == directory)
            if not trusted(os.stat(path), stat.S_IFDIR):
                return None
    except OSError:
        return None
    return folder
