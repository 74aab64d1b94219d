"""Which files to scan, and as what. Honours `.gitignore` (simple patterns) and config `exclude` globs."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = frozenset({".git", ".terraform", ".terragrunt-cache", "node_modules", ".venv", "__pycache__", ".tox"})
TERRAFORM_SUFFIXES = (".tf", ".tf.json")


@dataclass(slots=True)
class Discovered:
    terraform: list[Path] = field(default_factory=list)
    explicit: set[Path] = field(default_factory=set)  # files named on the command line (pre-commit mode)


def kind_of(path: Path) -> str | None:
    name = path.name
    if name.endswith(TERRAFORM_SUFFIXES):
        return "terraform"
    return None


def discover(paths: list[Path], root: Path, exclude: tuple[str, ...] = ()) -> Discovered:
    found = Discovered()
    ignore = _gitignore(root) + list(exclude)
    seen: set[Path] = set()
    for given in paths:
        if given.is_file():
            found.explicit.add(given.resolve())
            _add(found, given, root, ignore, seen, explicit=True)
            continue
        # A directory named on the command line is scanned even if .gitignore covers it.
        patterns = [] if _ignored(given, root, ignore) else ignore
        for dirpath, dirnames, filenames in os.walk(given):
            dirnames[:] = sorted(
                d for d in dirnames if d not in SKIP_DIRS and not _ignored(Path(dirpath, d), root, patterns)
            )
            for name in sorted(filenames):
                _add(found, Path(dirpath, name), root, patterns, seen, explicit=False)
    return found


def _add(found: Discovered, path: Path, root: Path, ignore: list[str], seen: set[Path], explicit: bool) -> None:
    resolved = path.resolve()
    if resolved in seen:
        return
    kind = kind_of(path)
    if kind is None or (not explicit and _ignored(path, root, ignore)):
        return
    seen.add(resolved)
    if kind == "terraform":
        found.terraform.append(path)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _ignored(path: Path, root: Path, patterns: list[str]) -> bool:
    if not patterns:
        return False
    rel = _relative(path, root)
    name = path.name
    for pattern in patterns:
        anchored = pattern.startswith("/")
        clean = pattern.strip("/")
        if fnmatch.fnmatch(rel, clean) or fnmatch.fnmatch(rel, clean + "/*") or fnmatch.fnmatch(rel, clean + "/**"):
            return True
        if not anchored and "/" not in clean and fnmatch.fnmatch(name, clean):
            return True
        if fnmatch.fnmatch(rel, f"**/{clean}") if not anchored else False:
            return True
    return False


def _gitignore(root: Path) -> list[str]:
    path = root / ".gitignore"
    if not path.is_file():
        return []
    patterns = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")):
            patterns.append(line)
    return patterns
