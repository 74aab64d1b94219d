"""Files a Terraform configuration reads (`file()`, `templatefile()`), found where Terraform finds them.

Terraform runs in the root module's directory: a relative path in `file("admin.json")` resolves against it
(`path.cwd`), whatever directory nhilint runs in and whatever path it was given to scan. `path.module` is a
module's own directory relative to it, so `file("${path.module}/policy.json")` in a child module reads the
child's file; `path.root` and `path.cwd` are the root module's directory (".", as Terraform gives relative paths
from where it runs). Whatever the path says, only files inside the scan root are read: the path is resolved,
symlinks included, and refused when it leaves.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path

from nhilint.limits import Limits
from nhilint.model import Unknown
from nhilint.model_inputs import ParseError
from nhilint.values import source_text


def path_value(attribute: str, module_dir: str, root_dir: str) -> str | Unknown:
    """`path.module`, `path.root` or `path.cwd` of a module in `module_dir` under the root module in `root_dir`."""
    if attribute == "module":
        return posixpath.relpath(module_dir, root_dir)
    if attribute in ("root", "cwd"):
        return "."
    return Unknown(f"path.{attribute}")


def leaves_root(root: Path, path: Path) -> bool:
    """Whether `path`, symlinks resolved, is outside the scan root: such a file is reported, never read."""
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        return True


def outside_root(directory: str, name: str) -> ParseError:
    """The problem reported for a file found in a scanned `directory` that resolves outside the scan root."""
    path = posixpath.normpath(posixpath.join(directory, name))
    return ParseError(path, 1, "resolves outside the scan root (a symlink); not read", "outside-root")


class FileReader:
    """Reads files for `file()`/`templatefile()`, each once, confined to the scan root."""

    def __init__(self, root: Path, limits: Limits, errors: list[ParseError], relative: Callable[[Path], str]) -> None:
        self.root = root
        self.limits = limits
        self.errors = errors
        self.relative = relative
        self._cache: dict[tuple[str, str], str | Unknown] = {}

    def read(self, path: str, cwd: str) -> str | Unknown:
        """The text of `path`, relative paths taken from `cwd` (the root module's directory, relative to the root)."""
        key = (cwd, path)
        if key not in self._cache:
            self._cache[key] = self._read(path, cwd)
        return self._cache[key]

    def _read(self, path: str, cwd: str) -> str | Unknown:
        root = self.root.resolve()
        try:
            candidate = (self.root / cwd / path).resolve()
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte in the path
            return Unknown(f"file({path}) cannot be resolved")
        if not candidate.is_relative_to(root):
            return Unknown(f"file({path}) read from {cwd} is outside the scan root; it is not read")
        shown = candidate.relative_to(root).as_posix()
        try:
            if not candidate.is_file():
                return Unknown(f"file({path}): {shown} does not exist")
            if candidate.stat().st_size > self.limits.max_file_bytes:
                reason = f"read by file(): larger than {self.limits.describe('max_file_bytes')} bytes"
                error = ParseError(shown, 1, reason, "limit")
                if error not in self.errors:
                    self.errors.append(error)
                return Unknown(f"file({path}): {shown} is larger than {self.limits.describe('max_file_bytes')}")
            return source_text(candidate.read_text(encoding="utf-8-sig"), self.relative(candidate))
        except (OSError, UnicodeDecodeError):
            return Unknown(f"file({path}): {shown} cannot be read")
