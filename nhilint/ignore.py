"""`.gitignore` and config `exclude` matching as git does it, with the maintained `pathspec` package.

Each `.gitignore` applies to the directory it sits in and below, with paths relative to that directory; a
deeper file overrides a shallower one and, within a file, the last matching pattern wins (so `!keep.tf` can
re-include a file). Directory-only patterns (`build/`) match directories only: discovery asks about a
directory with a trailing slash and does not descend into an ignored one, so, as in git, a file inside an
ignored directory cannot be re-included. Config `exclude` patterns use the same gitwildmatch semantics,
relative to the scan root, and exclude whatever they match regardless of `.gitignore`.

pathspec answers for whole file paths: to it `logs/**` matches `logs/` because it matches what is below.
git asks about the directory itself, which `logs/**` does not match (so `!logs/keep.tf` re-includes the
file), and discovery prunes directories, so a directory is asked git's question (`_matches_directory`).
tests/test_discover_gitignore.py compares discovery with `git ls-files` on small trees.

A `.gitignore` is compiled (and pathspec, a tenth of a small scan's discovery, imported) only when a path
could match one of its patterns: each plain pattern (`*.tfstate`, `.idea/`, `build/**/out`) matches only
paths holding its literal text, so a path holding none of them is decided without it (`_Layer`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pathspec is imported when there is a pattern to match: a tree without .gitignore needs none
    from pathspec import GitIgnoreSpec
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

_DIR_MARK = "ps_d"  # the regex group pathspec's gitignore patterns use for the slash after a directory


@dataclass(frozen=True, slots=True)
class Ignores:
    """The ignore rules in force in one directory: its `.gitignore` layers (shallowest first) and `exclude`."""

    layers: tuple[tuple[str, _Layer], ...] = ()  # (directory relative to the scan root, "" for the root)
    exclude: GitIgnoreSpec | None = None

    @classmethod
    def of(cls, exclude: Iterable[str]) -> Ignores:
        patterns = [p for p in exclude if p.strip()]
        if not patterns:
            return cls()
        from pathspec import GitIgnoreSpec

        return cls((), GitIgnoreSpec.from_lines(patterns))

    def with_gitignore(self, directory: str, text: str) -> Ignores:
        """These rules plus a `.gitignore` found in `directory` (relative to the scan root)."""
        layer = _Layer(text.splitlines())
        if layer.needles == () or (layer.needles is None and all(p.include is None for p in layer.spec.patterns)):
            return self  # only comments and blank lines
        return Ignores((*self.layers, (directory, layer)), self.exclude)

    def ignored(self, relative: str, is_dir: bool) -> bool:
        """Whether the path (relative to the scan root, POSIX) is excluded or ignored."""
        return self.excluded(relative, is_dir) or self.gitignored(relative, is_dir)

    def excluded(self, relative: str, is_dir: bool) -> bool:
        """Whether config `exclude` (the user's own choice, which applies to tracked files too) excludes it."""
        return self.exclude is not None and bool(_decide(self.exclude, relative, is_dir))

    def gitignored(self, relative: str, is_dir: bool) -> bool:
        """Whether the `.gitignore` files ignore it (which git does only for files it does not track)."""
        for base, spec in reversed(self.layers):
            if base and not relative.startswith(base + "/"):
                continue
            decided = spec.decide(relative[len(base) + 1 :] if base else relative, is_dir)
            if decided is not None:
                return decided
        return False


# A line of letters, digits, `._-`, `*`, `?` and `/`: a pattern pathspec compiles without error whose every run
# of other characters than `*?/` must be in a path it matches. Any other line (`!`, `[`, `\\`, spaces) is compiled
# with its file at once, as it always was: its errors are raised where they were.
_PLAIN_LINE = re.compile(r"[A-Za-z0-9._*?/-]*")
_LITERAL = re.compile(r"[^*?/]+")


class _Layer:
    """The patterns of one `.gitignore`; `needles` holds one literal of each when every line is plain (else
    None), and a path holding none of them matches no pattern, so the file is compiled when one is held."""

    __slots__ = ("_lines", "_spec", "needles")

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        needles: list[str] = []
        plain = True
        for line in lines:
            if not line or line.startswith("#"):
                continue  # blank lines and comments are no patterns
            runs = _LITERAL.findall(line) if _PLAIN_LINE.fullmatch(line) else []
            if not runs:
                plain = False
                break
            needles.append(max(runs, key=len))
        self.needles = tuple(needles) if plain else None
        # Not plain: compiled now, so an invalid pattern fails where it always has.
        self._spec = None if plain else _compile(lines)

    @property
    def spec(self) -> GitIgnoreSpec:
        if self._spec is None:
            self._spec = _compile(self._lines)
        return self._spec

    def decide(self, path: str, is_dir: bool) -> bool | None:
        """As `_decide` with this file's patterns."""
        if self.needles is not None and not any(needle in path for needle in self.needles):
            return None
        return _decide(self.spec, path, is_dir)


def _compile(lines: list[str]) -> GitIgnoreSpec:
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(lines)


def _decide(spec: GitIgnoreSpec, path: str, is_dir: bool) -> bool | None:
    """True (ignored), False (re-included by `!`) or None (no pattern matches), for one file or directory."""
    if not is_dir:
        return spec.check_file(path).include
    decided: bool | None = None
    for pattern in spec.patterns:  # the last matching pattern wins
        if pattern.include is not None and _matches_directory(pattern, path):
            decided = pattern.include
    return decided


def _matches_directory(pattern: GitIgnoreSpecPattern, directory: str) -> bool:
    """Whether the pattern matches the directory itself: as it would a file of that name, or, for a
    directory-only pattern (`build/`), with the slash after the name as the last character it matches."""
    if pattern.match_file(directory) is not None:
        return True
    found = pattern.match_file(directory + "/")
    if found is None:
        return False
    match = found.match
    return match.groupdict().get(_DIR_MARK) is not None and match.end(_DIR_MARK) == len(directory) + 1


NOTHING = Ignores()
