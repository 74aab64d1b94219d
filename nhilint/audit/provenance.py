"""Where an identity came from and who answers for it: `git blame` over its block, CODEOWNERS, and the
suggested owner.

- created / last_changed: the oldest and the newest commit among the lines of the identity's block (author,
  author date in UTC, commit id), from one `git blame` per file at the audited commit.
- CODEOWNERS: the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`, `.gitlab/CODEOWNERS` at the
  audited commit, matched with the maintained `codeowners` package (the last matching rule wins, as on GitHub).
- Suggested owner, in this order: the owner the code declares; the CODEOWNERS entry for its file; the most
  recent author of its block; its creator. Bot accounts (`name[bot]`, dependabot, renovate) are passed over:
  a dependency bump does not make a bot the owner of a role.

Only names, emails, dates and commit ids are kept; never file contents.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import git
    from codeowners import CodeOwners

CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024  # GitHub ignores larger files
SuggestedFrom = Literal["declared", "codeowners", "last_author", "creator"]
_BOT_NAMES = ("dependabot", "renovate", "github-actions")


@dataclass(frozen=True, slots=True)
class Change:
    """One commit as blame reports it for a line: who wrote it and when."""

    commit: str
    date: datetime
    name: str
    email: str

    @property
    def author(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name

    @property
    def is_bot(self) -> bool:
        name, email = self.name.lower(), self.email.lower()
        return name.endswith("[bot]") or "[bot]@" in email or name in _BOT_NAMES

    def as_dict(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "date": self.date.isoformat().replace("+00:00", "Z"),
            "author": {"name": self.name, "email": self.email},
        }


class Blame:
    """`git blame` of the files of one commit, each file blamed once and only when asked."""

    def __init__(self, repo: git.Repo | None, commit: str | None) -> None:
        self.repo = repo
        self.commit = commit
        self._files: dict[str, list[tuple[range, Change]] | None] = {}
        self.failures: list[str] = []

    def _lines(self, path: str) -> list[tuple[range, Change]] | None:
        if path in self._files:
            return self._files[path]
        import git

        entries: list[tuple[range, Change]] | None = None
        if self.repo is not None and self.commit is not None:
            try:
                entries = [
                    (entry.linenos, _change(entry.commit)) for entry in self.repo.blame_incremental(self.commit, path)
                ]
            except (git.GitCommandError, ValueError, KeyError) as exc:
                self.failures.append(f"{path}: git blame failed ({type(exc).__name__})")
        self._files[path] = entries
        return entries

    def block(self, path: str, start: int, end: int) -> tuple[Change | None, Change | None]:
        """(created, last_changed) of lines `start`..`end` of `path`: the oldest and newest commit among them."""
        entries = self._lines(path)
        if not entries:
            return None, None
        end = max(start, end)
        touching = [change for lines, change in entries if lines.start <= end and start < lines.stop]
        if not touching:
            return None, None
        ordered = sorted(touching, key=lambda c: (c.date, c.commit))
        return ordered[0], ordered[-1]


def _change(commit: Any) -> Change:
    author = commit.author
    return Change(
        commit=commit.hexsha,
        date=datetime.fromtimestamp(int(commit.authored_date), UTC),
        name=str(author.name or ""),
        email=str(author.email or ""),
    )


@dataclass(frozen=True, slots=True)
class Codeowners:
    """The repository's CODEOWNERS file (its path) and the matcher over it."""

    path: str
    matcher: CodeOwners

    def owners(self, file: str) -> tuple[str | None, str | None]:
        """The owners of `file` as written (`@org/team @alice`) and the rule's `path:line`; (None, None) when
        no rule matches or the last matching rule names nobody (an explicitly unowned path)."""
        owners, line, _, _ = self.matcher.matching_line(file)
        found = " ".join(owner for _, owner in owners)
        return (found, f"{self.path}:{line}") if found else (None, None)


def load_codeowners(root: Path) -> tuple[Codeowners | None, str | None]:
    """The first CODEOWNERS file of the checkout, and a problem with it (unreadable, too large, invalid)."""
    for relative in CODEOWNERS_PATHS:
        path = root / relative
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            return None, f"{relative} is not a regular file"
        if st.st_size > MAX_CODEOWNERS_BYTES:
            return None, f"{relative} is larger than {MAX_CODEOWNERS_BYTES} bytes"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return None, f"{relative} cannot be read ({type(exc).__name__})"
        from codeowners import CodeOwners  # imported only by the audit

        try:
            return Codeowners(relative, CodeOwners(text)), None
        except (ValueError, IndexError) as exc:
            return None, f"{relative} is not valid ({type(exc).__name__})"
    return None, None


def suggest_owner(
    declared: str | None, codeowners: str | None, last_changed: Change | None, created: Change | None
) -> tuple[str | None, SuggestedFrom | None]:
    """The suggested owner and where it came from: declared > codeowners > last author > creator."""
    if declared:
        return declared, "declared"
    if codeowners:
        return codeowners, "codeowners"
    if last_changed is not None and not last_changed.is_bot:
        return last_changed.author, "last_author"
    if created is not None and not created.is_bot:
        return created.author, "creator"
    return None, None
