"""New-only mode for pull requests: report only what the change adds, and what it does to access.

`nhilint scan PATH --new-only --base REF` finds the merge base of REF and HEAD in the repository that
holds PATH, writes that commit's files under the scan root into a temporary directory, scans it with the
same configuration (rooted so that relative paths, and so identity ids and fingerprints, match), and
keeps only the working tree's findings whose fingerprint the base does not have; the others are listed as
`baselined`. It also lists the access changes between the two inventories (nhilint.access_diff).
As a library step, `compare_with_base(report, ref)` does the same to a Report that `nhilint.api.scan` made.

The base tree is only *read*: blobs come through GitPython's object database, symlinks and submodules are
skipped, nothing in it is run, and it is deleted afterwards. The merge base (not REF itself) is the
right base: a pull request should not be blamed for what landed on the target branch after it forked.
This is the only module that imports GitPython; the CLI imports it only for `--new-only`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePosixPath

import git

from nhilint import api, baseline
from nhilint.access_diff import diff
from nhilint.config import Config
from nhilint.model import Finding, Inventory
from nhilint.result import DEFAULT_OPTIONS, Report, ScanOptions

SYMLINK_MODE = 0o120000
MAX_BLOB_BYTES = 20 * 1024 * 1024  # a larger file is no identity code; skipping it keeps a huge repo cheap


# What GitPython's rev-parse raises for a revision it cannot resolve: a path that is not in the tree
# (`main:../x`, `main:nope`) is a KeyError, a parent that does not exist an IndexError or ValueError.
_BAD_REF = (git.BadName, git.BadObject, ValueError, KeyError, IndexError, git.GitCommandError)


class NewOnlyError(Exception):
    """No repository, an unknown ref, or no common history: a usage error, not a finding."""


def merge_base(repo: git.Repo, ref: str) -> git.Commit:
    """The merge base of `ref` and HEAD."""
    try:
        target = repo.commit(ref)
        head = repo.head.commit
        bases = repo.merge_base(target, head)
    except _BAD_REF as exc:
        reason = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc  # KeyError's str() adds quotes
        raise NewOnlyError(f"--base {ref}: not a commit in {repo.working_tree_dir} ({reason})") from None
    commit = bases[0] if bases else None
    if not isinstance(commit, git.Commit):
        raise NewOnlyError(
            f"--base {ref}: no common history with HEAD (a shallow clone? fetch the history, "
            "e.g. actions/checkout with fetch-depth: 0)"
        )
    return commit


def open_repository(path: Path) -> git.Repo:
    start = path if path.is_dir() else path.parent
    try:
        return git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise NewOnlyError(f"--new-only: {path} is not inside a git repository") from None


def materialise(commit: git.Commit, repo_dir: Path, root: Path, destination: Path) -> int:
    """Write the commit's regular files under `root` to `destination` (as if it were `root`); return count."""
    if root.is_relative_to(repo_dir):
        prefix = PurePosixPath(root.relative_to(repo_dir).as_posix())
        inside = PurePosixPath()
    else:
        prefix, inside = PurePosixPath(), PurePosixPath(repo_dir.relative_to(root).as_posix())
    tree = commit.tree
    if str(prefix) != ".":
        try:
            tree = tree / str(prefix)
        except KeyError:
            return 0  # the scan root did not exist at the base
    written = 0
    for item in tree.traverse():
        if not isinstance(item, git.Blob) or item.mode == SYMLINK_MODE or item.size > MAX_BLOB_BYTES:
            continue
        relative = PurePosixPath(item.path)
        if str(prefix) != ".":
            relative = relative.relative_to(prefix)
        if ".." in relative.parts or relative.is_absolute():
            continue
        target = destination / inside / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.data_stream.read())
        written += 1
    return written


def _mapped(paths: list[Path], root: Path, base_root: Path) -> list[Path]:
    """The same paths under the base tree, for those that existed there (paths outside the root as is)."""
    mapped = []
    for path in paths:
        resolved = path.resolve()
        if resolved.is_relative_to(root):
            candidate = base_root / resolved.relative_to(root)
            if candidate.exists():
                mapped.append(candidate)
        else:
            mapped.append(resolved)
    return mapped


def scan_new_only(
    paths: list[Path], config: Config, root: Path, base_ref: str, options: ScanOptions = DEFAULT_OPTIONS
) -> Report:
    """Scan `paths` and keep only findings new since the merge base of `base_ref`; list access changes.

    The repository and the ref are checked before anything is scanned.
    """
    with _repository(paths, root) as repo:
        commit = merge_base(repo, base_ref)
        report = api.scan(paths, config, root.resolve(), options)
        return _compared(report, repo, commit)


def compare_with_base(report: Report, base_ref: str) -> Report:
    """`report` (from nhilint.api.scan) with only the findings new since the merge base of `base_ref` and
    HEAD; the others in `baselined`, and the access changes in `changes`. NewOnlyError: no repository, an
    unknown ref, or no common history."""
    if report.options.plans:
        raise NewOnlyError("--plan cannot be combined with --new-only")
    with _repository(list(report.paths), report.root) as repo:
        return _compared(report, repo, merge_base(repo, base_ref))


@contextmanager
def _repository(paths: list[Path], root: Path) -> Iterator[git.Repo]:
    """The repository holding the paths (every path must be inside it), closed afterwards."""
    repo = open_repository(paths[0].resolve() if paths else root.resolve())
    try:
        repo_dir = Path(repo.working_tree_dir or "").resolve()
        if not all(p.resolve().is_relative_to(repo_dir) for p in paths):
            raise NewOnlyError(f"--new-only: every path must be inside the repository {repo_dir}")
        yield repo
    finally:
        repo.close()


def _compared(report: Report, repo: git.Repo, commit: git.Commit) -> Report:
    """Scan the commit's tree as the report's root was scanned; keep the report's findings it lacks."""
    root = report.root.resolve()
    repo_dir = Path(repo.working_tree_dir or "").resolve()
    paths, var_files = list(report.paths), list(report.options.var_files)
    base_findings: tuple[Finding, ...] = ()
    base_inventory = Inventory()
    with tempfile.TemporaryDirectory(prefix="nhilint-base-") as temporary:
        base_root = Path(temporary).resolve()
        materialise(commit, repo_dir, root, base_root)
        base_paths = [p for p in _mapped(paths, root, base_root) if p.is_relative_to(base_root)]
        if base_paths:
            mapped_vars = tuple(_mapped(var_files, root, base_root))
            options = replace(report.options, var_files=mapped_vars, all_tracked=True)  # only the commit's files
            base = api.scan(base_paths, report.config, base_root, options)
            base_findings, base_inventory = base.findings, base.inventory
    known = [baseline.BaselineEntry.of(f) for f in base_findings]
    new, already, _ = baseline.split(report.findings, known)
    changes = diff(base_inventory, report.inventory)
    return replace(report, findings=tuple(new), baselined=tuple(already), changes=tuple(changes))
