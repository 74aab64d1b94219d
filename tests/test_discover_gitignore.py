"""`.gitignore` and config `exclude` as git does them, with git itself as the oracle.

Each case writes a small tree, asks `git ls-files --others --exclude-standard` which `.tf` files git would
offer to add (every file is untracked, so that is exactly the files no ignore rule excludes), and checks
discovery finds the same ones. Config `exclude` patterns are checked the same way, written to
`.git/info/exclude` (git's own root-level list with the same syntax) in trees without a `.gitignore`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from nhilint.discover import discover
from tests.helpers import write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is the oracle")

CASES: dict[str, dict[str, str]] = {
    "nested gitignore applies below its directory, relative to it": {
        ".gitignore": "*.generated.tf\n",
        "app/.gitignore": "scratch.tf\nsub/old.tf\n",
        "app/main.tf": "",
        "app/scratch.tf": "",
        "app/deep/scratch.tf": "",
        "app/sub/old.tf": "",
        "app/deep/sub/old.tf": "",
        "sub/old.tf": "",
        "scratch.tf": "",
        "x.generated.tf": "",
        "app/deep/y.generated.tf": "",
    },
    "negation re-includes a file": {".gitignore": "*.tf\n!keep.tf\n", "keep.tf": "", "drop.tf": "", "m/keep.tf": ""},
    "a deeper gitignore overrides a shallower one both ways": {
        ".gitignore": "*.tf\n!x.tf\n",
        "d/.gitignore": "x.tf\n!y.tf\n",
        "d/x.tf": "",
        "d/y.tf": "",
        "d/z.tf": "",
        "x.tf": "",
    },
    "the last matching pattern wins": {".gitignore": "!a.tf\na.tf\nb.tf\n!b.tf\n", "a.tf": "", "b.tf": ""},
    "a file in an ignored directory cannot be re-included": {
        ".gitignore": "build/\n!build/keep.tf\n!build/*.tf\n",
        "build/keep.tf": "",
        "build/x.tf": "",
        "main.tf": "",
    },
    "nor by a gitignore inside the ignored directory": {
        ".gitignore": "build/\n",
        "build/.gitignore": "!*.tf\n",
        "build/a.tf": "",
        "a.tf": "",
    },
    "re-including the directory itself works": {
        ".gitignore": "dir/*\n!dir/sub/\n",
        "dir/a.tf": "",
        "dir/sub/b.tf": "",
        "dir/other/c.tf": "",
    },
    "a deeper gitignore re-includes a directory": {
        ".gitignore": "gen/\n",
        "m/.gitignore": "!gen/\n",
        "m/gen/a.tf": "",
        "gen/b.tf": "",
    },
    "leading double star matches at any depth": {
        ".gitignore": "**/gen.tf\n**/tmp\n",
        "gen.tf": "",
        "d/e/gen.tf": "",
        "tmp/x.tf": "",
        "q/tmp/y.tf": "",
        "q/tmp.tf": "",
    },
    "inner double star matches zero or more directories": {
        ".gitignore": "a/**/b.tf\na/**/gen/\n",
        "a/b.tf": "",
        "a/x/b.tf": "",
        "a/x/y/b.tf": "",
        "c/a/b.tf": "",
        "a/gen/g.tf": "",
        "a/p/gen/g.tf": "",
        "a/gen.tf": "",
    },
    "trailing double star matches what is inside, not the directory": {
        ".gitignore": "logs/**\n!logs/keep.tf\n",
        "logs/keep.tf": "",
        "logs/x.tf": "",
        "logs/sub/keep.tf": "",
    },
    "double star alone and re-including below it": {
        "d/.gitignore": "**\n!keep.tf\n",
        "d/keep.tf": "",
        "d/s/keep.tf": "",
        "top.tf": "",
    },
    "a single star does not cross a slash": {".gitignore": "a/*.tf\n", "a/x.tf": "", "a/b/x.tf": ""},
    "directory-only patterns match directories, not files": {
        ".gitignore": "build/\nx.tf/\n",
        "build/a.tf": "",
        "x/build/b.tf": "",
        "build.tf": "",
        "x.tf": "",
        "y/build": "",
    },
    "a pattern without a slash matches a directory of that name too": {
        ".gitignore": "*.tf\n!*/\n!keep.tf\n",
        "d.tf/a.tf": "",
        "keep.tf": "",
        "z/keep.tf": "",
        "z/no.tf": "",
    },
    "anchored patterns match only beside their gitignore": {
        ".gitignore": "/top.tf\n",
        "m/.gitignore": "/x.tf\n/a/b/\n",
        "top.tf": "",
        "sub/top.tf": "",
        "m/x.tf": "",
        "m/n/x.tf": "",
        "x.tf": "",
        "m/a/b/y.tf": "",
        "m/c/a/b/y.tf": "",
    },
    "an anchored directory cannot be re-opened for a child": {".gitignore": "/a/\n!/a/b/\n", "a/b/x.tf": ""},
    "comments, escapes and trailing spaces": {
        ".gitignore": "# comment.tf\n\\#hash.tf\n\\!bang.tf\nspaced.tf   \nb.tf\\ \n",
        "#hash.tf": "",
        "!bang.tf": "",
        "# comment.tf": "",
        "spaced.tf": "",
        "b.tf ": "",
        "b.tf": "",
    },
    "character classes and question marks": {
        ".gitignore": "[ab].tf\n[!c]x.tf\n?q.tf\n",
        "a.tf": "",
        "c.tf": "",
        "dx.tf": "",
        "cx.tf": "",
        "zq.tf": "",
        "zzq.tf": "",
    },
    "matching is case-sensitive": {".gitignore": "Main.tf\n", "main.tf": "", "Main.tf": ""},
    "CRLF line endings": {".gitignore": "a.tf\r\nb.tf\r\n", "a.tf": "", "b.tf": "", "c.tf": ""},
}

# Where pathspec (1.1) and git disagree; strict, so a pathspec release that fixes it is noticed.
PATHSPEC_GAPS: dict[str, tuple[dict[str, str], str]] = {
    "trailing double star slash matches directories below, not files": (
        {".gitignore": "logs/**/\n", "logs/a.tf": "", "logs/s/b.tf": ""},
        "pathspec compiles `logs/**/` like `logs/`, so it also ignores the files directly in logs/",
    ),
    "an escaped bracket inside a character class": (
        {".gitignore": "f[\\]]x.tf\n", "f]x.tf": ""},
        "pathspec does not read `\\]` inside a character class as a literal `]`",
    ),
}

EXCLUDES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "exclude patterns: directory-only, anchored, negation, double star": (
        ("examples/", "/legacy/*", "!/legacy/keep.tf", "**/gen/**", "!**/gen/keep.tf"),
        {
            "examples/a/main.tf": "",
            "modules/examples/b.tf": "",
            "modules/examples.tf": "",
            "legacy/y.tf": "",
            "legacy/keep.tf": "",
            "x/legacy/z.tf": "",
            "m/gen/a.tf": "",
            "m/gen/keep.tf": "",
            "m/gen/s/keep.tf": "",
            "main.tf": "",
        },
    ),
}


def _git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "XDG_CONFIG_HOME": str(root.parent / "xdg"),
    }
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, env=env, check=True)
    return done.stdout.decode()


def _git_sees(root: Path) -> list[str]:
    """The .tf files git would offer to add: untracked and not ignored."""
    _git(root, "init", "-q")
    listed = _git(root, "-c", "core.quotePath=false", "ls-files", "--others", "--exclude-standard", "-z")
    return sorted(p for p in listed.split("\0") if p.endswith(".tf"))


def _we_see(root: Path, exclude: tuple[str, ...] = ()) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in discover([root], root, exclude).terraform)


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    for name, text in files.items():  # bytes as written: CRLF and trailing spaces matter here
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(text.encode())
    return root


@pytest.mark.parametrize("files", list(CASES.values()), ids=list(CASES))
def test_discovery_ignores_what_git_ignores(tmp_path: Path, files: dict[str, str]) -> None:
    root = _tree(tmp_path, files)
    expected = _git_sees(root)
    assert _we_see(root) == expected


@pytest.mark.parametrize(
    "files",
    [pytest.param(files, marks=pytest.mark.xfail(strict=True, reason=why)) for files, why in PATHSPEC_GAPS.values()],
    ids=list(PATHSPEC_GAPS),
)
def test_known_pathspec_gaps(tmp_path: Path, files: dict[str, str]) -> None:
    root = _tree(tmp_path, files)
    assert _we_see(root) == _git_sees(root)


@pytest.mark.parametrize(("exclude", "files"), list(EXCLUDES.values()), ids=list(EXCLUDES))
def test_exclude_matches_as_git_does(tmp_path: Path, exclude: tuple[str, ...], files: dict[str, str]) -> None:
    root = _tree(tmp_path, files)
    _git(root, "init", "-q")
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text("".join(f"{p}\n" for p in exclude))
    assert _we_see(root, exclude) == _git_sees(root)


def test_exclude_wins_over_a_gitignore_negation(tmp_path: Path) -> None:
    """Unlike git's info/exclude, config `exclude` is not overridden by a `.gitignore` negation."""
    write_tree(tmp_path, {".gitignore": "!legacy/*.tf\n", "legacy/a.tf": "", "main.tf": ""})
    assert _we_see(tmp_path, ("legacy/",)) == ["main.tf"]
