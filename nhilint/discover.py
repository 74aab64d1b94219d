"""Which files to scan, and as what; the one place that decides which paths nhilint may read.

Terraform is known by its suffix; YAML and JSON files are classified by the content of their first MiB
(nhilint.file_kinds: CloudFormation, Kubernetes, Terraform plan JSON, kustomization overlays), and anything
else is skipped silently.

Discovery fails closed: a directory or file that cannot be read, a symlink loop or a broken link is a
problem (NHI-PARSE-001) and the walk goes on; a symlink or named path that leaves the scan root is reported
(NHI-PARSE-006) and never read; a file larger than `limits.max_file_bytes` is reported (NHI-PARSE-004) and
not parsed (a data file's first MiB is read to tell whether it is infrastructure code at all; one that is not
UTF-8 text is NHI-PARSE-001, not skipped). Symlinks inside the root are followed, and each real file is
scanned once. `.gitignore` files and config `exclude` patterns are honoured as git does (nhilint.ignore),
except that, as in git, `.gitignore` never hides a file the repository tracks: a path it excludes is looked
up in the git index (nhilint.git_index, read without running git, only when something is excluded). Config
`exclude` applies to tracked files too: it is the user's own choice.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nhilint.file_kinds import SNIFF_BYTES, TERRAFORM_SUFFIXES, NotText, candidate, classify_bytes, is_text
from nhilint.file_kinds import classify as classify  # re-exported with the other classification names
from nhilint.file_kinds import cloudformation as cloudformation
from nhilint.ignore import NOTHING, Ignores

if TYPE_CHECKING:
    from nhilint.git_index import Tracked
from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.model_inputs import InputProblem, ParseError
from nhilint.regular_file import open_regular, read_at_most

SKIP_DIRS = frozenset({".git", ".terraform", ".terragrunt-cache", "node_modules", ".venv", "__pycache__", ".tox"})
GITIGNORE_BYTES = 1 << 20


@dataclass(slots=True)
class Discovered:
    terraform: list[Path] = field(default_factory=list)
    other: dict[str, list[Path]] = field(default_factory=dict)  # cloudformation, kubernetes, tfplan, kustomize
    explicit: set[Path] = field(default_factory=set)  # files named on the command line (pre-commit mode), resolved
    named: set[str] = field(default_factory=set)  # the same, and those refused, relative to the scan root
    context: list[Path] = field(default_factory=list)  # the other .tf files of named files' modules
    problems: list[ParseError] = field(default_factory=list)  # paths that could not be read or were refused


def kind_of(path: Path) -> str | None:
    """terraform, cloudformation, kubernetes, tfplan, kustomize, or None. Raises OSError if it cannot be read,
    NotText if it is binary (not UTF-8, or holding a NUL) and unclassified."""
    return _kind_of(path, path.name)


def _kind_of(path: str | Path, name: str) -> str | None:
    kind = candidate(name)
    if kind != "data":
        return kind
    with open_regular(path) as handle:
        head = read_at_most(handle, SNIFF_BYTES)
    found = classify_bytes(name, head)
    if found is None and not is_text(head, whole=len(head) < SNIFF_BYTES):
        raise NotText("not UTF-8 text (binary content), so it cannot be classified or read")
    return found  # a classified file that does not decode is reported by its parser


def relative_names(paths: Iterable[Path], real_root: Path) -> dict[Path, str]:
    """Each file's name as findings show it: `path.resolve().relative_to(real_root).as_posix()`, or the path as
    given when it resolves outside the root. A file that is not a symlink resolves to its directory's real path
    and its own name, so each directory is resolved once (resolving every file costs a system call per
    directory level of each)."""
    root = os.fspath(real_root)
    prefix = root if root.endswith(os.sep) else root + os.sep
    bases: dict[str, str | None] = {}
    names: dict[Path, str] = {}
    for path in paths:
        text = os.fspath(path)
        if os.path.islink(text):
            names[path] = _relative_name(path, real_root)
            continue
        parent, name = os.path.split(text)  # strings: Path's parent, resolve and relative_to cost more than the calls
        base = bases.get(parent, "")
        if base == "":
            real = os.path.realpath(parent or os.curdir)
            base = bases[parent] = "." if real == root else real[len(prefix) :] if real.startswith(prefix) else None
        names[path] = path.as_posix() if base is None else name if base == "." else f"{base}/{name}"
    return names


def _relative_name(path: Path, real_root: Path) -> str:
    try:
        return path.resolve().relative_to(real_root).as_posix()
    except ValueError:
        return path.as_posix()


def discover(
    paths: list[Path],
    root: Path,
    exclude: tuple[str, ...] = (),
    limits: Limits = DEFAULT_LIMITS,
    all_tracked: bool = False,
) -> Discovered:
    """The files to scan. `all_tracked`: the tree holds only a commit's files (an audit checkout, the
    `--new-only` base), so its `.gitignore` files exclude nothing: git never ignores a tracked file."""
    walk = _Walk(root, Ignores.of(exclude), limits)
    walk.read_gitignore = not all_tracked
    for given in paths:
        walk.given(given)
    walk.follow_links()
    if walk.tracked is not None:
        for path, reason, kind in walk.tracked.problems():
            walk.found.problems.append(ParseError(path, 1, reason, kind))
    if walk.found.named:
        walk.module_context()
    return walk.found


class _Walk:
    """One discovery: what was found, the real files and directories already seen, links still to follow."""

    def __init__(self, root: Path, ignores: Ignores, limits: Limits) -> None:
        self.root = Path(os.path.abspath(root))
        self.real_root = Path(os.path.realpath(root))
        self.ignores = ignores
        self.limits = limits
        self.found = Discovered()
        self.files: set[str] = set()
        self.dirs: set[str] = set()
        self.reported: set[tuple[str, InputProblem]] = set()
        self.links: list[tuple[Path, Ignores]] = []  # followed after the plain walk: real paths win
        self.tracked: Tracked | None = None  # the git index, read when `.gitignore` first excludes something
        self.read_gitignore = True

    # -- paths ---------------------------------------------------------------------------------------

    def relative(self, path: str | Path) -> str:
        """The path as findings show it: relative to the scan root, POSIX, the link's own name for links."""
        absolute = Path(os.path.abspath(path))
        for base in (self.root, self.real_root):
            if absolute.is_relative_to(base):
                return absolute.relative_to(base).as_posix()
        return Path(path).as_posix()

    def inside(self, real: str) -> bool:
        return Path(real).is_relative_to(self.real_root)

    def problem(self, path: str | Path, reason: str, kind: InputProblem = "unreadable") -> None:
        relative = self.relative(path)
        if (relative, kind) not in self.reported:
            self.reported.add((relative, kind))
            self.found.problems.append(ParseError(relative, 1, reason, kind))

    def resolve(self, path: Path, report: bool) -> str | None:
        """The real path of a path inside the root, or None (reported when `report`) if it leaves the root,
        loops or does not exist."""
        try:
            real = os.path.realpath(path)
        except (OSError, RuntimeError):  # a loop, in some Pythons
            self.problem(path, "symlink loop (it cannot be resolved)")
            return None
        if not self.inside(real):
            if report:
                self.problem(path, _outside(path), "outside-root")
            return None
        try:
            os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                self.problem(path, "symlink loop (it cannot be resolved)")
            elif report:
                self.problem(
                    path,
                    "broken symlink (its target does not exist)"
                    if exc.errno == errno.ENOENT
                    else f"cannot be read ({exc.strerror or exc})",
                )
            return None
        return real

    # -- what the command line names -----------------------------------------------------------------

    def given(self, path: Path) -> None:
        try:
            mode = os.lstat(path).st_mode
        except OSError as exc:
            self.problem(path, f"cannot be read ({exc.strerror or exc})")
            return
        explicit = not stat.S_ISDIR(mode)
        real = self.resolve(path, report=True)
        if real is None:
            if explicit:
                self.found.named.add(self.relative(path))
            return
        if explicit and not os.path.isdir(real):
            self.found.named.add(self.relative(Path(real)))
            self.found.explicit.add(Path(real))
            self.file(os.fspath(path), real, real if stat.S_ISLNK(mode) else os.fspath(path))
            return
        self.walk(path, self.ignores_for(path), via_link=False)

    def ignores_for(self, directory: Path) -> Ignores:
        """The rules in force in a named directory: the `.gitignore` files from the root down to it. A named
        directory that is itself ignored is scanned whole (as `git add -f` would)."""
        relative = self.relative(directory)
        if relative == ".":
            return self.ignores  # the walk reads the root's own .gitignore
        parts = relative.split("/")
        ignores = self.ignores
        for depth in range(len(parts)):
            above = "/".join(parts[:depth])
            ignores = self.gitignore(self.root / above if above else self.root, above, ignores)
            if ignores.ignored("/".join(parts[: depth + 1]), is_dir=True):
                return NOTHING
        return ignores

    def gitignore(self, directory: Path, relative: str, ignores: Ignores) -> Ignores:
        path = directory / ".gitignore"
        if not self.read_gitignore or not os.path.lexists(path) or ignores is NOTHING:
            return ignores
        real = self.resolve(path, report=True)
        if real is None:
            return ignores
        try:
            with open(real, "rb") as handle:
                text = handle.read(GITIGNORE_BYTES).decode("utf-8", errors="replace")
        except OSError as exc:
            self.problem(path, f"cannot be read ({exc.strerror or exc})")
            return ignores
        return ignores.with_gitignore(relative, text)

    # -- the walk ------------------------------------------------------------------------------------

    def admitted(self, name: str, rules: Ignores, ignored: bool, path: str, is_dir: bool = False) -> bool:
        """Whether to scan a path (`name`, relative to the root): not excluded by config, and either not
        `ignored` (by a `.gitignore`, or inside a directory one ignores) or tracked by git. When the index
        cannot be read, an ignored directory is walked to find the files to list in the finding, and an
        ignored file is listed if it is infrastructure code (a `.vscode/settings.json` is not)."""
        if rules.excluded(name, is_dir):
            return False
        if not ignored:
            return True
        if self.tracked is None:
            from nhilint.git_index import Tracked

            self.tracked = Tracked(self.root, self.real_root, self.limits.max_file_bytes)
        found = self.tracked.status(name, is_dir)
        if found is None and not is_dir:
            if _code(path):
                self.tracked.unknown(name)
            return False
        return found is not False

    def walk(self, top: Path, ignores: Ignores, via_link: bool) -> None:
        """Every directory below `top` once (by real path), without recursion; symlinks are queued. Below a
        directory a `.gitignore` excludes, only what git tracks is scanned (`only_tracked`).

        Paths are strings until a file is recorded, and a directory's real path and name relative to the root
        are its parent's and its own name (it is not a symlink), not resolved again."""
        relative = self.relative(top)
        stack = [(os.fspath(top), os.path.realpath(top), "" if relative == "." else relative, ignores, False)]
        while stack:
            directory, real, relative, rules, only_tracked = stack.pop()
            if real in self.dirs:
                continue
            self.dirs.add(real)
            try:
                with os.scandir(directory) as listing:
                    entries = sorted(listing, key=_name)
            except OSError as exc:
                self.gitignore(Path(directory), relative, rules)  # its problems come first, as they always have
                self.problem(directory, f"directory cannot be read ({exc.strerror or exc})")
                continue
            if any(entry.name == ".gitignore" for entry in entries):
                rules = self.gitignore(Path(directory), relative, rules)
            subdirs: list[tuple[str, str, str, Ignores, bool]] = []
            for entry in entries:
                own = entry.name
                name = f"{relative}/{own}" if relative else own
                try:
                    is_link = entry.is_symlink()
                    is_dir = not is_link and entry.is_dir(follow_symlinks=False)
                except OSError as exc:
                    self.problem(entry.path, f"cannot be read ({exc.strerror or exc})")
                    continue
                if is_link:
                    if self.admitted(name, rules, only_tracked or rules.gitignored(name, False), entry.path):
                        self.links.append((Path(entry.path), rules))
                elif is_dir:
                    if own in SKIP_DIRS:
                        continue
                    ignored = only_tracked or rules.gitignored(name, is_dir=True)
                    if self.admitted(name, rules, ignored, entry.path, is_dir=True):
                        subdirs.append((entry.path, os.path.join(real, own), name, rules, ignored))
                elif candidate(own) and self.admitted(
                    name, rules, only_tracked or rules.gitignored(name, False), entry.path
                ):
                    path = os.path.join(real, own)
                    self.file(entry.path, path, path if via_link else entry.path)
            stack.extend(reversed(subdirs))

    def follow_links(self) -> None:
        """Symlinks found by the walk: followed inside the root (each real file once), reported otherwise."""
        while self.links:
            path, rules = self.links.pop(0)
            name = candidate(path.name)
            real = self.resolve(path, report=bool(name) or os.path.isdir(path))
            if real is None:
                continue
            relative = self.relative(path)
            if not os.path.isdir(real):
                if name:
                    self.file(os.fspath(path), real, real)
                continue
            if path.name in SKIP_DIRS or rules.ignored(relative, is_dir=True):
                continue
            if Path(os.path.realpath(path.parent)).is_relative_to(real):
                self.problem(path, "symlink loop (it links to a directory that contains it)")
            elif real not in self.dirs:
                self.walk(path, rules, via_link=True)

    def file(self, path: str, real: str, shown: str) -> None:
        """Classify one file (`real` is its real path, `shown` the path the parsers get) and record it."""
        kind = candidate(os.path.basename(path))
        if kind is None or real in self.files:
            return
        try:
            info = os.stat(real)
        except OSError as exc:
            self.problem(path, f"cannot be read ({exc.strerror or exc})")
            return
        if not stat.S_ISREG(info.st_mode):
            self.problem(path, "not a regular file (a device, socket or pipe is not read)")
            return
        if kind == "data":
            try:
                kind = _kind_of(real, os.path.basename(real))
            except OSError as exc:
                self.problem(path, f"file cannot be read ({exc.strerror or exc})")
                return
            except NotText as exc:
                self.files.add(real)
                self.problem(path, str(exc))
                return
            if kind is None:
                return
        self.files.add(real)
        if info.st_size > self.limits.max_file_bytes:
            self.problem(path, f"{info.st_size} bytes exceed {self.limits.describe('max_file_bytes')}", "limit")
        elif kind == "terraform":
            self.found.terraform.append(Path(shown))
        else:
            self.found.other.setdefault(kind, []).append(Path(shown))

    def module_context(self) -> None:
        """The other `.tf` files of each scanned module directory: read for context (variables, tags, policy
        documents) when files are named. Those that cannot be read safely are left out."""
        known = {os.path.realpath(p) for p in self.found.terraform}
        # Any named file counts, not only `.tf`: a policy `admin.json` committed alone is read through its
        # module's `file()` call, so its findings are reported.
        named = [*self.found.terraform, *self.found.explicit]
        for directory in sorted({os.path.realpath(p.parent) for p in named}):
            try:
                with os.scandir(directory) as listing:
                    names = sorted(e.name for e in listing if e.name.endswith(TERRAFORM_SUFFIXES))
            except OSError:
                continue  # the named files' own problems are reported; context is best effort
            for name in names:
                real = self.resolve(Path(directory, name), report=False)
                if real is None or real in known:
                    continue
                try:
                    info = os.stat(real)
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode) and info.st_size <= self.limits.max_file_bytes:
                    known.add(real)
                    self.found.context.append(Path(real))


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _code(path: str) -> bool:
    """Whether discovery would scan the file if nothing excluded it; one that cannot be read or classified
    counts. A symlink or anything but a regular file counts without being opened: the link may leave the scan
    root (it is not followed before its tracked state is known), and opening a pipe blocks."""
    name = os.path.basename(path)
    if not candidate(name):
        return False
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return True
        return _kind_of(path, name) is not None
    except (OSError, NotText):
        return True


def _outside(path: Path) -> str:
    try:
        target = os.readlink(path)
    except OSError:
        return "path is outside the scan root"
    return f"symlink to {target} leaves the scan root"
