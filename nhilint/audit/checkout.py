"""Git for the audit (gitpython): resolve a repository's ref, keep a blobless clone, check out the commit.

- `resolve` asks the remote (`git ls-remote`) which commit its default branch, or `--ref`, points at, without
  cloning: an unchanged repository whose result is cached costs one round trip and nothing else.
- `clone` keeps a bare, blobless partial clone (`--filter=blob:none`): every commit and tree, file contents
  fetched on demand, so `git blame` sees the whole history (a `--depth` clone would date every old line to
  its shallow boundary) while only the blobs blame and the checkout need are transferred. In `--cache-dir`
  it is kept and fetched on later runs; without one it lives in a scratch directory for one task.
- `worktree` checks the commit out in a scratch directory (a detached `git worktree`), never in the user's
  checkout: local repositories are audited exactly like URLs, at their committed state.

Git never prompts (GIT_TERMINAL_PROMPT=0, ssh BatchMode) and never runs hooks or LFS smudge filters here;
error messages name the repository with any password or token in its URL masked.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import git

from nhilint.audit.sources import stable_hash
from nhilint.audit.store import trusted_directory

# No prompt for credentials, no LFS download, ssh that fails instead of asking.
GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_LFS_SKIP_SMUDGE": "1",
    "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes"),
}
NO_HOOKS = ["-c", "core.hooksPath=/dev/null"]
TIMEOUT_SECONDS = 900.0
TARGET_REF = "refs/nhilint/audited"
_HEX_RE = re.compile(r"^[0-9a-f]{7,40}$")
_USERINFO_RE = re.compile(r"^([a-z][a-z0-9+.-]*://)([^/@]*)@", re.I)


class CheckoutError(Exception):
    """The repository cannot be resolved, cloned or checked out; the message is safe to record."""


@dataclass(frozen=True, slots=True)
class Target:
    """What to audit: the ref's full name as the remote has it, and its commit when the remote said."""

    ref: str
    commit: str | None


def public_location(location: str) -> str:
    """The location with any password or token in a URL's user part masked (`https://***@host/...`)."""
    match = _USERINFO_RE.match(location)
    if not match:
        return location
    userinfo = match.group(2)
    scheme = match.group(1).lower()
    user, has_password, _ = userinfo.partition(":")
    if has_password or scheme.startswith("http"):
        masked = f"{user}:***" if has_password and not scheme.startswith("http") else "***"
        return f"{match.group(1)}{masked}@{location[match.end() :]}"
    return location


def _runner() -> git.Git:
    runner = git.Git()
    runner.update_environment(**GIT_ENV)
    return runner


def _failure(exc: Exception, location: str, doing: str) -> CheckoutError:
    """One line: what failed and git's first `fatal:`/`error:` line, with the location masked."""
    detail = ""
    if isinstance(exc, git.GitCommandError):
        stderr = exc.stderr if isinstance(exc.stderr, str) else str(exc.stderr or "")
        lines = [line.strip(" \t'\"") for line in stderr.replace("stderr:", "").splitlines()]
        lines = [line for line in lines if line]
        fatal = [line for line in lines if line.lower().startswith(("fatal:", "error:"))]
        detail = (fatal or lines[-1:] or [f"git exited with status {exc.status}"])[0]
    else:
        detail = f"{type(exc).__name__}: {exc}"
    if location and location != public_location(location):
        detail = detail.replace(location, public_location(location))
    return CheckoutError(f"{doing} failed: {detail}")


def resolve(location: str, ref: str | None) -> Target:
    """The remote's default branch (HEAD) or `ref` (a branch, tag or full ref name; a commit id is looked up
    after fetching). Annotated tags resolve to the commit they point at."""
    runner = _runner()
    try:
        if ref is None:
            output = str(runner.ls_remote("--symref", "--", location, "HEAD", kill_after_timeout=TIMEOUT_SECONDS))
        else:
            output = str(runner.ls_remote("--", location, ref, kill_after_timeout=TIMEOUT_SECONDS))
    except git.GitCommandError as exc:
        raise _failure(exc, location, "git ls-remote") from None
    refs: dict[str, str] = {}
    symref = None
    for line in output.splitlines():
        left, _, name = line.partition("\t")
        if left.startswith("ref: "):
            symref = left[5:].strip()
        elif name:
            refs[name] = left.strip()
    if ref is None:
        if "HEAD" not in refs:
            raise CheckoutError("the repository has no commits (its HEAD points at nothing)")
        return Target(symref or "HEAD", refs["HEAD"])
    for name in (ref, f"refs/heads/{ref}", f"refs/tags/{ref}"):
        if name in refs:
            return Target(name, refs.get(f"{name}^{{}}", refs[name]))  # ^{}: the peeled annotated tag
    if _HEX_RE.match(ref.lower()):
        return Target(ref.lower(), None)
    raise CheckoutError(f"--ref {ref}: no such branch or tag")


def _clone_into(location: str, path: Path) -> None:
    """A fresh bare blobless clone at `path`, made beside it and renamed into place (atomic for readers)."""
    temporary = Path(tempfile.mkdtemp(prefix=".clone-", dir=path.parent))
    try:
        git.Repo.clone_from(
            location,
            temporary / "repo.git",
            bare=True,
            multi_options=["--filter=blob:none", "--no-tags"],
            env=GIT_ENV,
            kill_after_timeout=TIMEOUT_SECONDS,
        )
        with contextlib.suppress(OSError):
            os.replace(temporary / "repo.git", path)  # another audit got there first: use theirs
    except git.GitCommandError as exc:
        raise _failure(exc, location, "git clone") from None
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def clone(location: str, target: Target, directory: Path, cache_dir: Path | None) -> tuple[git.Repo, str]:
    """The bare clone (kept in `cache_dir/repos` when given and trusted, else made in `directory`) with the
    target fetched; returns it and the audited commit id."""
    repos = directory
    kept = cache_dir is not None and trusted_directory(cache_dir, create=True)
    if cache_dir is not None and kept and trusted_directory(cache_dir / "repos", create=True):
        repos = cache_dir / "repos"  # kept between runs
    path = repos / f"{stable_hash(location)[:24]}.git"
    for attempt in (1, 2):
        fresh = not path.is_dir()
        if fresh:
            _clone_into(location, path)
        try:
            repo = git.Repo(path)
            repo.git.update_environment(**GIT_ENV)
            return repo, _fetch(repo, location, target)
        except (git.GitCommandError, git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError) as exc:
            if fresh or attempt == 2:
                raise _failure(exc, location, "git fetch") from None
            shutil.rmtree(path, ignore_errors=True)  # a damaged cached clone: clone again once
    raise AssertionError("unreachable")


def _fetch(repo: git.Repo, location: str, target: Target) -> str:
    if target.commit is None:  # a commit id: fetch every branch and tag, then look it up
        repo.git.fetch(
            "--no-tags", "origin", "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", kill_after_timeout=900
        )
        try:
            commit: str = repo.git.rev_parse("--verify", "--end-of-options", f"{target.ref}^{{commit}}")
        except git.GitCommandError:
            raise CheckoutError(f"--ref {target.ref}: no such commit, branch or tag") from None
        return commit.strip()
    repo.git.fetch("--no-tags", "origin", f"+{target.ref}:{TARGET_REF}", kill_after_timeout=TIMEOUT_SECONDS)
    fetched: str = repo.git.rev_parse("--verify", f"{TARGET_REF}^{{commit}}")
    return fetched.strip()


@contextlib.contextmanager
def worktree(repo: git.Repo, commit: str, directory: Path) -> Iterator[Path]:
    """The commit checked out (detached, no hooks) in `directory/tree`; removed afterwards."""
    tree = directory / "tree"
    try:
        repo.git.execute(["git", *NO_HOOKS, "worktree", "add", "--detach", "--force", str(tree), commit])
    except git.GitCommandError as exc:
        raise _failure(exc, "", "git worktree add") from None
    try:
        yield tree
    finally:
        with contextlib.suppress(git.GitCommandError):
            repo.git.worktree("remove", "--force", str(tree))
        shutil.rmtree(tree, ignore_errors=True)
        with contextlib.suppress(git.GitCommandError):
            repo.git.worktree("prune")
