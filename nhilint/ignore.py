"""`.gitignore` and config `exclude` matching as git does it, with the maintained `pathspec` package.

Each `.gitignore` applies to the directory it sits in and below, with paths relative to that directory; a
deeper file overrides a shallower one and, within a file, the last matching pattern wins (so `!keep.tf` can
re-include a file). Directory-only patterns (`build/`) match directories only: discovery asks about a
directory with a trailing slash and does not descend into an ignored one, so, as in git, a file inside an
ignored directory cannot be re-included. Config `exclude` patterns use the same gitwildmatch semantics,
relative to the scan root, and exclude whatever they match regardless of `.gitignore`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pathspec import GitIgnoreSpec


@dataclass(frozen=True, slots=True)
class Ignores:
    """The ignore rules in force in one directory: its `.gitignore` layers (shallowest first) and `exclude`."""

    layers: tuple[tuple[str, GitIgnoreSpec], ...] = ()  # (directory relative to the scan root, "" for the root)
    exclude: GitIgnoreSpec | None = None

    @classmethod
    def of(cls, exclude: Iterable[str]) -> Ignores:
        patterns = [p for p in exclude if p.strip()]
        return cls((), GitIgnoreSpec.from_lines(patterns) if patterns else None)

    def with_gitignore(self, directory: str, text: str) -> Ignores:
        """These rules plus a `.gitignore` found in `directory` (relative to the scan root)."""
        spec = GitIgnoreSpec.from_lines(text.splitlines())
        if all(p.include is None for p in spec.patterns):  # only comments and blank lines
            return self
        return Ignores((*self.layers, (directory, spec)), self.exclude)

    def ignored(self, relative: str, is_dir: bool) -> bool:
        """Whether the path (relative to the scan root, POSIX) is excluded or ignored."""
        candidate = relative + "/" if is_dir else relative
        if self.exclude is not None and self.exclude.match_file(candidate):
            return True
        for base, spec in reversed(self.layers):
            if base and not candidate.startswith(base + "/"):
                continue
            decided = spec.check_file(candidate[len(base) + 1 :] if base else candidate).include
            if decided is not None:
                return decided
        return False


NOTHING = Ignores()
