"""Which files git tracks, read from the repository's index file without running git.

git never ignores a tracked file: a `.gitignore` line added after `admin.tf` was committed leaves it in the
repository, so discovery must still scan it (an attacker could otherwise hide a file from the gate). Running
`git` in an untrusted checkout can execute programs its config names (`core.fsmonitor`, hooks), and GitPython
runs `git version` when imported, so the index is parsed here with the standard library: the `DIRC` format,
versions 2 to 4, SHA-1 or SHA-256 object names, sparse-directory entries and the split index's shared file.

Only a repository whose `.git` (directory, or file naming its git directory) sits inside the scan root is
read; an index that lies outside it (a worktree's, a submodule's, the repository above a scanned
subdirectory) is never opened. `Tracked.status` says True, False, or None when it cannot be told, and why.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

from nhilint.model_inputs import InputProblem
from nhilint.regular_file import NotRegular, open_regular, read_at_most

_HEADER = struct.Struct(">4sII")
_FLAGS = struct.Struct(">H")
_EXTENDED = 0x4000
_STAT_BYTES = 40  # ctime, mtime, dev, ino, mode, uid, gid, size: ten 32-bit fields
_HASHES = ((20, "sha1"), (32, "sha256"))
_MAX_PATH = 4096  # PATH_MAX: git cannot check out a longer path, and each entry's path is kept


class IndexError_(ValueError):
    """The index file is not one git would read: the reason names what is wrong, never the file's bytes."""


@dataclass(frozen=True, slots=True)
class Index:
    paths: frozenset[str]  # tracked files (and sparse directories, with a trailing slash), POSIX, repo-relative
    shared: str | None  # the split index's shared file (`sharedindex.<hex>`), whose entries are tracked too
    deleted: bytes = b""  # the split index's EWAH bitmap of the shared file's entries it deletes


def parse_index(data: bytes, deleted: bytes = b"") -> Index:
    """The tracked paths of an index file's bytes, less the entries the EWAH bitmap `deleted` marks (a split
    index's deletions from its shared file). Raises IndexError_ if it is not a valid index."""
    if len(data) < _HEADER.size:
        raise IndexError_("truncated header")
    signature, version, count = _HEADER.unpack_from(data)
    if signature != b"DIRC":
        raise IndexError_("not a git index (no DIRC signature)")
    if version not in (2, 3, 4):
        raise IndexError_(f"unsupported index version {version}")
    failures: list[str] = []
    for size, name in _HASHES:
        try:
            return _entries(data, version, count, size, name, deleted)
        except (IndexError_, IndexError, struct.error, UnicodeDecodeError) as exc:
            failures.append(str(exc) or type(exc).__name__)
    raise IndexError_(failures[0])


def _entries(data: bytes, version: int, count: int, size: int, algorithm: str, deleted: bytes) -> Index:
    trailer = data[-size:]
    if len(data) < _HEADER.size + size:
        raise IndexError_("truncated index")
    if any(trailer) and hashlib.new(algorithm, data[:-size]).digest() != trailer:
        raise IndexError_("checksum mismatch (a corrupt or truncated index)")
    end = len(data) - size
    position = _HEADER.size
    previous = b""
    paths: set[str] = set()
    dropped = _bitmap(deleted, min(count, len(data) // (_STAT_BYTES + size + _FLAGS.size)))
    for number in range(count):
        start = position
        (flags,) = _FLAGS.unpack_from(data, position + _STAT_BYTES + size)
        position += _STAT_BYTES + size + _FLAGS.size
        if version >= 3 and flags & _EXTENDED:
            position += _FLAGS.size
        if version == 4:
            strip, position = _varint(data, position, len(previous))
            nul = _nul(data, position, end)
            name = previous[: len(previous) - strip] + data[position:nul]
            position = nul + 1
        else:
            nul = _nul(data, position, end)
            name = data[position:nul]
            position = start + ((nul - start + 8) & ~7)  # entries are padded with NULs to a multiple of 8
        if position > end:
            raise IndexError_("entry runs past the end of the index")
        if len(name) > _MAX_PATH:
            raise IndexError_(f"a path longer than {_MAX_PATH} bytes")
        previous = name
        if name and not (number < len(dropped) and dropped[number]):  # empty: a split index's replaced entry
            paths.add(name.decode("utf-8", errors="surrogateescape"))
    shared = None
    removed = b""
    while position < end:  # extensions: a 4-byte signature and a 32-bit size each
        if position + 8 > end:
            raise IndexError_("truncated extension")
        signature, length = struct.unpack_from(">4sI", data, position)
        body = position + 8
        if body + length > end:
            raise IndexError_("extension runs past the end of the index")
        if signature == b"link":
            shared = f"sharedindex.{data[body : body + size].hex()}"
            removed = _ewah(data, body + size, body + length)
        position = body + length
    return Index(frozenset(paths), shared, removed)


def _ewah(data: bytes, start: int, end: int) -> bytes:
    """The EWAH bitmap at `start` (the link extension's delete bitmap), b"" if there is none."""
    if start >= end:
        return b""
    if start + 8 > end:
        raise IndexError_("truncated split-index bitmap")
    (words,) = struct.unpack_from(">I", data, start + 4)
    stop = start + 8 + 8 * words + 4  # bit count, word count, the 64-bit words, the last marker's position
    if stop > end:
        raise IndexError_("split-index bitmap runs past its extension")
    return data[start:stop]


def _bitmap(ewah: bytes, count: int) -> bytearray:
    """One flag per entry below `count` from git's EWAH bitmap (ewah/ewah_io.c): each marker word holds a run
    bit, a run length (in 64-bit words) and how many literal words follow, whose bits count from the lowest.
    A set bit past the last entry makes the index invalid, as git refuses it (runs are filled by slices)."""
    flags = bytearray(count if ewah else 0)
    if not ewah:
        return flags
    words = (len(ewah) - 12) // 8
    bit = 0
    word = 0
    while word < words:
        (marker,) = struct.unpack_from(">Q", ewah, 8 + 8 * word)
        word += 1
        run = 64 * ((marker >> 1) & 0xFFFFFFFF)
        if marker & 1 and run:
            if bit + run > count:
                raise IndexError_("the split index deletes entries its shared index does not have")
            flags[bit : bit + run] = b"\1" * run
        bit += run
        literals = marker >> 33
        if word + literals > words:
            raise IndexError_("split-index bitmap words run past its end")
        for _ in range(literals):
            (value,) = struct.unpack_from(">Q", ewah, 8 + 8 * word)
            word += 1
            while value:
                low = value & -value
                if bit + low.bit_length() - 1 >= count:
                    raise IndexError_("the split index deletes entries its shared index does not have")
                flags[bit + low.bit_length() - 1] = 1
                value ^= low
            bit += 64
    return flags


def _nul(data: bytes, position: int, end: int) -> int:
    """Where the path starting at `position` ends (its NUL, before the trailer)."""
    nul = data.find(b"\0", position, end)
    if nul < 0:
        raise IndexError_("a path without its terminating NUL")
    return nul


def _varint(data: bytes, position: int, limit: int) -> tuple[int, int]:
    """git's offset varint (varint.c): each continuation adds one before shifting. The value (how many bytes
    to strip from the previous path) can never exceed `limit`, that path's length, and only grows with each
    byte, so a longer run is refused at once: unchecked, a run of 0x80 bytes grew a big integer per byte."""
    byte = data[position]
    position += 1
    value = byte & 0x7F
    while byte & 0x80 and value <= limit:
        byte = data[position]
        position += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    if value > limit:
        raise IndexError_("path compression longer than the previous path")
    return value, position


@dataclass(slots=True)
class Repository:
    """One repository inside (or above) the scan root, and what could be read of its index."""

    base: str  # its directory relative to the scan root ("" for the root, and for one above it)
    shown: str  # where findings about it point: its `.git`, relative to the scan root
    paths: frozenset[str] = frozenset()
    directories: frozenset[str] = frozenset()  # every directory holding a tracked path
    sparse: tuple[str, ...] = ()  # sparse-directory entries ("dir/"): everything below is tracked
    problem: tuple[InputProblem, str] | None = None  # why its index could not be read, if it could not
    unknown: list[str] = field(default_factory=list)  # excluded paths whose tracked state could not be told


@dataclass(slots=True)
class Tracked:
    """Whether git tracks a path, per repository found inside the scan root; read when first asked."""

    root: Path  # absolute, as discovery walks it
    real_root: Path
    max_bytes: int
    repositories: dict[str, Repository | None] = field(default_factory=dict)  # by directory relative to root

    def status(self, relative: str, is_dir: bool) -> bool | None:
        """True if git tracks the file (or a file below the directory), False if not, None if it cannot tell.
        Outside any repository nothing is tracked."""
        directory = relative.rpartition("/")[0]
        repository = self.repository(directory)
        if repository is None:
            return False
        inner = relative[len(repository.base) + 1 :] if repository.base else relative
        if repository.problem is not None:
            return None
        if any(inner.startswith(s) or s == inner + "/" for s in repository.sparse):
            return True
        return inner in repository.directories or inner in repository.paths if is_dir else inner in repository.paths

    def unknown(self, relative: str) -> None:
        """Note an excluded file whose tracked state could not be told: its repository's finding lists it."""
        repository = self.repository(relative.rpartition("/")[0])
        if repository is not None:
            repository.unknown.append(relative)

    def problems(self) -> list[tuple[str, str, InputProblem]]:
        """One (path, reason, kind) per repository whose index could not be read and mattered."""
        found = []
        unique = {id(r): r for r in self.repositories.values() if r is not None}  # cached per directory
        for repository in unique.values():
            if repository.problem is None or not repository.unknown:
                continue
            kind, why = repository.problem
            listed = ", ".join(repository.unknown[:5]) + (", …" if len(repository.unknown) > 5 else "")
            count = len(repository.unknown)
            which = f"the {count} files" if count > 1 else "the file"
            reason = f"{why}; whether git tracks {which} .gitignore excludes cannot be told, not scanned: {listed}"
            found.append((repository.unknown[0] if repository.shown == "." else repository.shown, reason, kind))
        return found

    def repository(self, directory: str) -> Repository | None:
        """The repository that holds `directory` (relative to the root): the nearest `.git` at or above it,
        inside the root, else one above the root (never read), else None."""
        if directory in self.repositories:
            return self.repositories[directory]
        found: Repository | None
        dot_git = self.root / directory / ".git" if directory else self.root / ".git"
        if os.path.lexists(dot_git):
            found = self._open(directory, dot_git)
        elif directory:
            found = self.repository(directory.rpartition("/")[0])
        else:
            found = self._above()
        self.repositories[directory] = found
        return found

    def _above(self) -> Repository | None:
        """A repository whose work tree holds the scan root: only whether a `.git` exists is looked at."""
        for parent in self.root.parents:
            if os.path.lexists(parent / ".git"):
                where = os.path.relpath(parent / ".git", self.root)
                why = f"the git index of the repository above the scan root ({where}) is outside it and not read"
                return Repository("", ".", problem=("outside-root", why))
        return None

    def _open(self, base: str, dot_git: Path) -> Repository:
        shown = f"{base}/.git" if base else ".git"
        repository = Repository(base, shown)
        try:
            git_dir = self._git_dir(dot_git)
            index = self._read(git_dir / "index")
            paths = set(index.paths) if index else set()
            if index and index.shared:
                shared = self._read(git_dir / index.shared, index.deleted)
                if shared is None:
                    raise _Refused("unreadable", f"the split index's {index.shared} is missing")
                paths |= shared.paths
        except _Refused as refused:
            repository.problem = (refused.kind, refused.reason)
            return repository
        repository.sparse = tuple(p for p in paths if p.endswith("/"))
        repository.paths = frozenset(paths)
        repository.directories = _directories(paths)
        return repository

    def _git_dir(self, dot_git: Path) -> Path:
        """The git directory `.git` is or names (`gitdir: PATH` in a worktree or submodule), inside the root."""
        if os.path.isdir(dot_git) and not os.path.islink(dot_git):
            return dot_git
        real = os.path.realpath(dot_git)
        if not Path(real).is_relative_to(self.real_root):
            raise _Refused("outside-root", "the .git link leaves the scan root; the index is not read")
        if os.path.isdir(real):
            return Path(real)
        try:
            text = _regular(real, self.max_bytes, ".git")[:4096].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Refused("unreadable", f".git cannot be read ({exc})") from exc
        line = text.splitlines()[0] if text else ""
        if not line.startswith("gitdir: "):
            raise _Refused("unreadable", ".git is neither a directory nor a `gitdir:` file")
        target = line[len("gitdir: ") :].strip()
        git_dir = Path(os.path.realpath(Path(real).parent / target))
        if not git_dir.is_relative_to(self.real_root):
            raise _Refused(
                "outside-root", f"the git directory {target} is outside the scan root; its index is not read"
            )
        return git_dir

    def _read(self, path: Path, deleted: bytes = b"") -> Index | None:
        """The index at `path`, None if there is none (a repository with nothing added tracks nothing)."""
        if not os.path.lexists(path):
            return None
        real = os.path.realpath(path)
        if not Path(real).is_relative_to(self.real_root):
            raise _Refused("outside-root", f"{path.name} links outside the scan root; it is not read")
        data = _regular(real, self.max_bytes, f"the git {path.name}")
        try:
            return parse_index(data, deleted)
        except IndexError_ as exc:
            raise _Refused("unreadable", f"the git {path.name} cannot be read ({exc})") from exc


def _regular(path: str, limit: int, shown: str) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, else _Refused: a pipe named `.git` or `index` would
    block the scan forever, and a device never ends."""
    try:
        with open_regular(path) as handle:
            data = read_at_most(handle, limit + 1)
    except NotRegular as exc:
        raise _Refused("unreadable", f"{shown} is {exc.strerror}") from exc
    except OSError as exc:
        raise _Refused("unreadable", f"{shown} cannot be read ({exc.strerror or exc})") from exc
    if len(data) > limit:
        raise _Refused("limit", f"{shown} is larger than limits.max_file_bytes")
    return data


def _directories(paths: set[str]) -> frozenset[str]:
    """Every directory that holds a tracked path (at any depth), each prefix visited once."""
    found: set[str] = set()
    for path in paths:
        cut = path.rstrip("/").rfind("/")
        while cut > 0 and path[:cut] not in found:
            found.add(path[:cut])
            cut = path.rfind("/", 0, cut)
    return frozenset(found)


class _Refused(Exception):
    def __init__(self, kind: InputProblem, reason: str) -> None:
        super().__init__(reason)
        self.kind: InputProblem = kind
        self.reason = reason
