"""`.gitignore` never hides a file git tracks, and the index is read without running git.

Each test builds a real repository with git (the oracle and the fixture builder), then scans it with
nhilint, which must find what the repository holds: a tracked file that a later `.gitignore` line names is
still in the repository, so it is still scanned. Where the index cannot be read (outside the scan root,
corrupt), the files the `.gitignore` excludes are listed in a finding, never dropped silently.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from nhilint.api import scan
from nhilint.discover import discover
from nhilint.git_index import IndexError_, parse_index
from tests.helpers import config_for, triples, write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git builds the repositories")

ADMIN = """\
resource "aws_iam_role" "admin" {
  name = "admin"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
  tags = { owner = "platform", expires = "2026-12-31", retire-on = "ticket PLAT-12" }
}
"""
TRUST = ("NHI-TRUST-001", "admin.tf", 5, "aws:aws_iam_role.admin")


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "ci",
        "GIT_AUTHOR_EMAIL": "ci@example.com",
        "GIT_COMMITTER_NAME": "ci",
        "GIT_COMMITTER_EMAIL": "ci@example.com",
        "GIT_ALLOW_PROTOCOL": "file",
    }
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, env=env, check=True)
    return done.stdout.decode()


def repository(root: Path, files: dict[str, str], ignore: str, *init: str, at: str = ".gitignore") -> Path:
    """A repository with `files` committed, then a `.gitignore` (at `at`) of `ignore` committed after them."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", *init)
    write_tree(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "infrastructure")
    (root / at).write_text(ignore)
    git(root, "add", at)
    git(root, "commit", "-qm", "ignore")
    return root


def findings(root: Path, prefix: str = "NHI-") -> list[tuple[str, str, int, str | None]]:
    report = scan([root], config_for(root), root)
    return [t for t in triples(report) if t[0].startswith(prefix) and t[0] != "NHI-EXP-002"]


def messages(root: Path, rule: str) -> list[str]:
    return [f.message for f in scan([root], config_for(root), root).findings if f.rule_id == rule]


def test_a_tracked_file_that_gitignore_names_is_scanned(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {"admin.tf": ADMIN}, "admin.tf\n")
    assert findings(root, "NHI-TRUST") == [TRUST]


def test_an_untracked_ignored_file_is_still_ignored(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {"admin.tf": ADMIN}, "admin.tf\nlocal.tf\n")
    (root / "local.tf").write_text(ADMIN.replace('"admin"', '"local"'))
    found = [p.relative_to(root).as_posix() for p in discover([root], root).terraform]
    assert found == ["admin.tf"]
    assert findings(root, "NHI-PARSE") == []


def test_a_tracked_file_in_an_ignored_directory_is_scanned_and_its_untracked_neighbours_are_not(
    tmp_path: Path,
) -> None:
    root = repository(tmp_path / "repo", {"iam/roles/admin.tf": ADMIN, "main.tf": ""}, "iam/\n")
    write_tree(root, {"iam/roles/scratch.tf": "", "iam/other/x.tf": ""})
    found = sorted(p.relative_to(root).as_posix() for p in discover([root], root).terraform)
    assert found == ["iam/roles/admin.tf", "main.tf"]
    assert findings(root, "NHI-TRUST") == [
        ("NHI-TRUST-001", "iam/roles/admin.tf", 5, "aws:iam/roles/aws_iam_role.admin")
    ]


def test_git_agrees_that_the_file_is_tracked(tmp_path: Path) -> None:
    """The oracle: git lists the ignored file among tracked ones, and nhilint scans what git lists."""
    root = repository(tmp_path / "repo", {"admin.tf": ADMIN, "d/x.tf": "", "main.tf": ""}, "admin.tf\nd/\n")
    write_tree(root, {"d/y.tf": "", "z.tf": ""})
    tracked = set(git(root, "ls-files", "-z").split("\0")) - {""}
    offered = set(git(root, "ls-files", "--others", "--exclude-standard", "-z").split("\0")) - {""}
    expected = sorted(p for p in tracked | offered if p.endswith(".tf"))
    assert sorted(p.relative_to(root).as_posix() for p in discover([root], root).terraform) == expected


def test_config_exclude_applies_to_tracked_files(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {"admin.tf": ADMIN, "main.tf": ""}, "admin.tf\n")
    assert [p.name for p in discover([root], root, ("admin.tf",)).terraform] == ["main.tf"]


def test_the_index_is_read_without_running_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repository(tmp_path / "repo", {"admin.tf": ADMIN}, "admin.tf\n")
    marker = tmp_path / "fsmonitor-ran"
    git(root, "config", "core.fsmonitor", f"touch {marker}; false")
    git(root, "status", "--porcelain")  # the control: git itself runs the configured program
    assert marker.exists()
    marker.unlink()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a process was started: {args!r}")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    for name in ("execv", "execve", "execvp", "execvpe", "posix_spawn", "posix_spawnp", "system", "fork"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refuse)
    assert [p.name for p in discover([root], root).terraform] == ["admin.tf"]
    assert not marker.exists()


def test_a_corrupt_index_is_a_finding_and_the_ignored_files_are_listed(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {"admin.tf": ADMIN}, "admin.tf\n")
    index = root / ".git" / "index"
    data = bytearray(index.read_bytes())
    data[30] ^= 0xFF
    index.write_bytes(bytes(data))
    assert findings(root) == [("NHI-PARSE-001", ".git", 1, None)]
    assert messages(root, "NHI-PARSE-001") == [
        "cannot parse .git: the git index cannot be read (checksum mismatch (a corrupt or truncated index)); "
        "whether git tracks the file .gitignore excludes cannot be told, not scanned: admin.tf"
    ]


def test_a_truncated_or_foreign_index_never_raises_anything_else() -> None:
    for data in (b"", b"DIRC", b"DIRC\0\0\0\2\0\0\0\5" + b"\0" * 40, b"XXXX" + b"\0" * 40, b"DIRC\0\0\0\7\0\0\0\0"):
        with pytest.raises(IndexError_):
            parse_index(data)


def test_an_index_that_does_not_matter_is_not_read(tmp_path: Path) -> None:
    """Nothing excluded: a corrupt index is never opened, so it is no finding."""
    root = repository(tmp_path / "repo", {"admin.tf": ADMIN}, "*.log\n")
    (root / ".git" / "index").write_bytes(b"garbage")
    assert findings(root, "NHI-TRUST") == [TRUST]
    assert findings(root, "NHI-PARSE") == []


def test_a_scan_of_a_subdirectory_does_not_read_the_index_above_it(tmp_path: Path) -> None:
    files = {"infra/admin.tf": ADMIN, "infra/main.tf": ""}
    repo = repository(tmp_path / "repo", files, "admin.tf\n.vscode/\n", at="infra/.gitignore")
    root = repo / "infra"
    write_tree(root, {".vscode/settings.json": '{"editor.tabSize": 2}\n'})  # ignored, and not code: not listed
    assert findings(root) == [("NHI-PARSE-006", "admin.tf", 1, None)]
    assert messages(root, "NHI-PARSE-006") == [
        "not followed: admin.tf: the git index of the repository above the scan root (../.git) is outside it "
        "and not read; whether git tracks the file .gitignore excludes cannot be told, not scanned: admin.tf"
    ]
    assert findings(repo, "NHI-TRUST") == [("NHI-TRUST-001", "infra/admin.tf", 5, "aws:infra/aws_iam_role.admin")]


def test_a_worktree_whose_git_directory_is_outside_the_root_is_reported(tmp_path: Path) -> None:
    repo = repository(tmp_path / "repo", {"admin.tf": ADMIN, "m/x.tf": "", "m/y.tf": ""}, "admin.tf\nm/x.tf\n")
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"))
    root = tmp_path / "wt"
    assert findings(root) == [("NHI-PARSE-006", ".git", 1, None)]
    [message] = messages(root, "NHI-PARSE-006")
    assert message.startswith("not followed: .git: the git directory ")
    assert message.endswith(
        " is outside the scan root; its index is not read; whether git tracks the 2 files .gitignore excludes "
        "cannot be told, not scanned: admin.tf, m/x.tf"
    )


def test_a_submodule_is_read_from_the_superproject_and_refused_alone(tmp_path: Path) -> None:
    module = repository(tmp_path / "iam", {"admin.tf": ADMIN}, "admin.tf\n")
    root = repository(tmp_path / "super", {"main.tf": ""}, "*.log\n")
    git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(module), "iam")
    assert (root / "iam" / ".git").is_file()  # its git directory is .git/modules/iam, inside this root
    assert findings(root, "NHI-TRUST") == [("NHI-TRUST-001", "iam/admin.tf", 5, "aws:iam/aws_iam_role.admin")]
    assert findings(root, "NHI-PARSE") == []
    assert findings(root / "iam", "NHI-PARSE") == [("NHI-PARSE-006", ".git", 1, None)]


def test_the_index_reader_is_imported_only_when_a_gitignore_excludes_something(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {"admin.tf": ADMIN}, "*.log\n")
    (root / "debug.log").write_text("")
    code = "import sys\nfrom nhilint.discover import discover\nfrom pathlib import Path\n"
    code += "discover([Path('.')], Path('.'))\nprint('nhilint.git_index' in sys.modules)\n"
    run = [sys.executable, "-c", code]
    assert subprocess.run(run, cwd=root, capture_output=True, text=True, check=True).stdout == "False\n"
    (root / ".gitignore").write_text("admin.tf\n")
    assert subprocess.run(run, cwd=root, capture_output=True, text=True, check=True).stdout == "True\n"


def test_outside_a_repository_nothing_is_tracked(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write_tree(root, {".gitignore": "admin.tf\n", "admin.tf": ADMIN, "main.tf": ""})
    assert [p.name for p in discover([root], root).terraform] == ["main.tf"]
    assert findings(root, "NHI-PARSE") == []


FORMATS: dict[str, list[tuple[str, ...]]] = {
    "v2": [("update-index", "--index-version", "2")],
    "v3 with extended flags": [("update-index", "--skip-worktree", "a/b.tf")],
    "v4 prefix-compressed paths": [("update-index", "--index-version", "4")],
    "v4 with extended flags": [("update-index", "--skip-worktree", "a/b.tf"), ("update-index", "--index-version", "4")],
    "split index": [("update-index", "--split-index"), ("add", "-f", "new.tf")],
    "split index deleting shared entries": [
        ("update-index", "--split-index"),
        ("rm", "-q", "--cached", "a/deep/path/xy.tf"),
        ("add", "-f", "new.tf"),
    ],
    "no checksum (index.skipHash)": [("config", "index.skipHash", "true"), ("add", "-f", "new.tf")],
}


@pytest.mark.parametrize("commands", list(FORMATS.values()), ids=list(FORMATS))
def test_index_formats_give_the_paths_git_lists(tmp_path: Path, commands: list[tuple[str, ...]]) -> None:
    files = {f"a/deep/path/{n}.tf": "" for n in ("x", "xy", "y", "z")} | {"a/b.tf": "", "a b/ü.tf": "", "t.tf": ""}
    root = repository(tmp_path / "repo", files, "*.tf\n")
    (root / "new.tf").write_text("")
    for command in commands:
        git(root, *command)
    expected = sorted(
        p for p in git(root, "-c", "core.quotePath=false", "ls-files", "-z").split("\0") if p.endswith(".tf")
    )
    assert len(expected) >= 7
    assert sorted(p.relative_to(root).as_posix() for p in discover([root], root).terraform) == expected
    assert findings(root, "NHI-PARSE") == []


def test_a_sha256_repository(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {"admin.tf": ADMIN, "m/x.tf": ""}, "*.tf\n", "--object-format=sha256")
    assert sorted(p.relative_to(root).as_posix() for p in discover([root], root).terraform) == ["admin.tf", "m/x.tf"]


def test_an_audit_checkout_is_all_tracked_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit scans a git worktree whose git directory is elsewhere: every file in it is the commit's."""
    from nhilint.cli import main

    root = repository(tmp_path / "repo", {"admin.tf": ADMIN}, "admin.tf\n")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NHILINT_CACHE_DIR", "off")
    out = tmp_path / "out"
    args = ["audit", f"file://{root}", "--out", str(out), "--no-progress", "--today", "2026-12-01"]
    assert main(args) == 0
    [record] = json.loads((out / "audit.json").read_text())["repositories"]
    assert (record["status"], record["findings_by_rule"]) == ("ok", {"NHI-TRUST-001": 1})


def test_new_only_compares_with_every_file_of_the_base_commit(tmp_path: Path) -> None:
    """The base is the commit's files: its .gitignore hides none of them, so the tracked role is not new."""
    from nhilint.newonly import scan_new_only

    root = repository(tmp_path / "repo", {"admin.tf": ADMIN}, "admin.tf\n")
    git(root, "branch", "-q", "base")
    (root / "main.tf").write_text("")
    git(root, "add", "main.tf")
    git(root, "commit", "-qm", "more")
    report = scan_new_only([root], config_for(root), root, "base")
    assert triples(report) == []
    assert [t[0] for t in triples(replace(report, findings=report.baselined or ()))] == ["NHI-TRUST-001"]


def test_a_sparse_index_lists_the_directories_it_folds(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {"keep/a.tf": "", "other/b.tf": "", "other/c/d.tf": ""}, "*.tf\n")
    git(root, "sparse-checkout", "set", "--cone", "--sparse-index", "keep")
    index = parse_index((root / ".git" / "index").read_bytes())
    assert sorted(index.paths) == sorted(git(root, "ls-files", "--sparse", "-z").split("\0")[:-1])
    assert "other/" in index.paths
    write_tree(root, {"other/b.tf": ""})  # written by hand in a folded directory: git tracks it there
    assert sorted(p.relative_to(root).as_posix() for p in discover([root], root).terraform) == [
        "keep/a.tf",
        "other/b.tf",
    ]


# A scan in a child process: a pipe opened for reading blocks it (the timeout fails the test instead of hanging
# the run), and an audit hook records every path it opens.
_CHILD = """\
import json, os, sys
from pathlib import Path
opened = []
def hook(event, args):
    if event == "open" and not isinstance(args[0], int):
        opened.append(os.fsdecode(args[0]))
sys.addaudithook(hook)
from nhilint.api import scan
from tests.helpers import config_for, triples
root = Path(sys.argv[1])
report = scan([root], config_for(root), root)
parse = [f.message for f in report.findings if f.rule_id.startswith("NHI-PARSE")]
print(json.dumps({"opened": opened, "findings": [list(t) for t in triples(report, "NHI-PARSE")], "messages": parse}))
"""


def scan_in_child(root: Path) -> tuple[list[str], list[tuple[str, ...]], list[str]]:
    """The paths the scan opened, its NHI-PARSE findings and their messages."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root)],
        cwd=Path(__file__).parents[1],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = json.loads(done.stdout)
    return out["opened"], [tuple(f) for f in out["findings"]], out["messages"]


@pytest.mark.parametrize("target", ["file", "pipe"])
def test_an_excluded_link_out_of_the_root_is_listed_and_never_opened(tmp_path: Path, target: str) -> None:
    """The index above a scanned subdirectory is not read, so the excluded files are listed; a link among them
    is listed as it is, never opened to see whether it is code: its target is outside the root (or a pipe)."""
    (tmp_path / "up" / ".git").mkdir(parents=True)
    root = tmp_path / "up" / "scan"
    write_tree(root, {".gitignore": "creds.yaml\n"})
    if target == "pipe":
        os.mkfifo(tmp_path / "up" / "outside.yaml")
    else:
        (tmp_path / "up" / "outside.yaml").write_text("apiVersion: v1\nkind: Secret\n")
    (root / "creds.yaml").symlink_to("../outside.yaml")
    opened, found, said = scan_in_child(root)
    assert [p for p in opened if p.endswith(("creds.yaml", "outside.yaml"))] == []
    assert found == [("NHI-PARSE-006", "creds.yaml", 1, None)]
    assert said[0].endswith("cannot be told, not scanned: creds.yaml")


def test_an_excluded_pipe_is_listed_and_never_opened(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {"main.tf": ""}, "pipe.yaml\n")
    (root / ".git" / "index").write_bytes(b"garbage")
    os.mkfifo(root / "pipe.yaml")
    opened, found, said = scan_in_child(root)
    assert [p for p in opened if p.endswith("pipe.yaml")] == []
    assert found == [("NHI-PARSE-001", ".git", 1, None)]
    assert said[0].endswith("not scanned: pipe.yaml")


@pytest.mark.parametrize(("pipe", "shown"), [(".git/index", "the git index"), (".git", ".git")])
def test_a_pipe_for_the_git_index_or_git_file_is_a_finding(tmp_path: Path, pipe: str, shown: str) -> None:
    root = tmp_path / "repo"
    write_tree(root, {".gitignore": "admin.tf\n", "admin.tf": ADMIN})
    if pipe != ".git":
        (root / ".git").mkdir()
    os.mkfifo(root / pipe)
    _, found, said = scan_in_child(root)
    assert found == [("NHI-PARSE-001", ".git", 1, None)]
    assert said == [
        f"cannot parse .git: {shown} is not a regular file (a device, socket or pipe is not read); "
        "whether git tracks the file .gitignore excludes cannot be told, not scanned: admin.tf"
    ]


def test_an_index_path_without_its_nul_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    import hashlib

    root = repository(tmp_path / "repo", {"secret.tf": ADMIN}, "secret.tf\n")
    body = b"DIRC\0\0\0\2\0\0\0\1" + bytes(62) + b"abcde" * 4
    (root / ".git" / "index").write_bytes(body + hashlib.sha1(body).digest())
    assert findings(root) == [("NHI-PARSE-001", ".git", 1, None)]
    assert messages(root, "NHI-PARSE-001") == [
        "cannot parse .git: the git index cannot be read (a path without its terminating NUL); "
        "whether git tracks the file .gitignore excludes cannot be told, not scanned: secret.tf"
    ]
