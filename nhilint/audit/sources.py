"""What to audit: the SOURCE arguments and --repos-file lines, each named, de-duplicated and sharded.

A source is a git URL (`https://`, `ssh://`, `git://`, `file://`, `git@host:org/repo`), a local git
repository (bare or not: audited as a clone of it, like a URL, so uncommitted changes are not audited), or
a plain directory (scanned in place, without history). Every shard computes names over the full list, so a
name is the same whichever shard audits its repository.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SourceKind = Literal["git", "directory", "missing"]
_URL_RE = re.compile(r"^(?:https?|ssh|git|file)://", re.I)
_SCP_RE = re.compile(r"^[\w.-]+@[\w.-]+:(?!//)")  # git@github.com:org/repo.git


class SourceError(ValueError):
    """A SOURCE or --repos-file line that cannot be audited at all (a usage error, exit 2)."""


@dataclass(frozen=True, slots=True)
class Source:
    """One repository to audit. `location` is the URL or absolute path handed to git; `name` is unique."""

    name: str
    location: str
    kind: SourceKind


def is_url(text: str) -> bool:
    return bool(_URL_RE.match(text) or _SCP_RE.match(text))


def read_repos_file(path: Path) -> list[str]:
    """One source per line; blank lines and `#` comments are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"--repos-file {path}: cannot read it ({type(exc).__name__})") from None
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def classify(text: str) -> tuple[str, SourceKind]:
    """The location git is given and the kind: a URL or a git repository is `git`, any other directory
    `directory`, a local path that does not exist `missing` (recorded as a failed repository). Only local
    paths are looked at here; whether a URL can be cloned is the task's business."""
    if text.startswith("-"):
        raise SourceError(f"source {text!r} starts with '-'")
    if is_url(text):
        return text, "git"
    path = Path(text).expanduser()
    if not path.is_dir():
        # One repository of a long list that is gone is recorded as failed; the audit goes on.
        return str(path.absolute()), "missing"
    resolved = path.resolve()
    return str(resolved), "git" if _is_git_repository(resolved) else "directory"


def _is_git_repository(path: Path) -> bool:
    """A non-bare repository (`.git` inside) or a bare one (HEAD, objects/ and refs/ at the top)."""
    if (path / ".git").exists():
        return True
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def base_name(location: str) -> str:
    """`org/repo` for a URL, the directory name for a local path (a trailing `.git` dropped)."""
    if is_url(location):
        scp = _SCP_RE.match(location)
        tail = location[scp.end() :] if scp else re.sub(r"^[a-z]+://[^/]*", "", location, count=1, flags=re.I)
        parts = [p for p in tail.split("/") if p]
        name = "/".join(parts[-2:]) if parts else location
    else:
        name = Path(location).name
    name = name.removesuffix("/").removesuffix(".git")
    return name or location


def load_sources(arguments: list[str], repos_file: Path | None) -> list[Source]:
    """Every source once, in the order given; names that collide get a short hash of their location."""
    texts = list(arguments) + (read_repos_file(repos_file) if repos_file else [])
    seen: dict[str, tuple[str, SourceKind]] = {}
    for text in texts:
        location, kind = classify(text)
        seen.setdefault(location, (location, kind))
    names: dict[str, int] = {}
    for location in seen:
        names[base_name(location)] = names.get(base_name(location), 0) + 1
    sources = []
    for location, kind in seen.values():
        name = base_name(location)
        if names[name] > 1:
            name = f"{name}@{stable_hash(location)[:8]}"
        sources.append(Source(name, location, kind))
    return sources


def stable_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` with 1 <= K <= N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise SourceError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. 2/4")
    return int(match.group(1)), int(match.group(2))


def in_shard(source: Source, shard: tuple[int, int]) -> bool:
    """Shard K of N holds the sources whose location hashes to K-1 modulo N: stable across runs and machines."""
    k, n = shard
    return int(stable_hash(source.location)[:16], 16) % n == k - 1
