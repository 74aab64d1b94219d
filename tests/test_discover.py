"""Discovery: Terraform by suffix, YAML/JSON by content, ignores honoured."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import nhilint.discover as discover_module
from nhilint.api import Report, scan
from nhilint.discover import SNIFF_BYTES, Discovered, discover, kind_of, relative_names
from nhilint.limits import Limits
from tests.helpers import config_for, write_tree


def test_classifies_by_content_not_name(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "main.tf": "",
            "stack.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n",
            "sam.yml": (
                "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
            ),
            "cfn.json": '{"Resources": {"R": {"Type": "AWS::IAM::Role"}}}',
            "deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\n",
            "plan.json": '{"format_version": "1.2", "planned_values": {}}',
            "kustomization.yaml": "resources: [deploy.yaml]\n",
            "values.yaml": "replicas: 3\n",
            "package.json": '{"name": "x"}',
        },
    )
    kinds = {p.name: kind_of(p) for p in tmp_path.iterdir()}
    assert kinds == {
        "main.tf": "terraform",
        "stack.yaml": "cloudformation",
        "sam.yml": "cloudformation",
        "cfn.json": "cloudformation",
        "deploy.yaml": "kubernetes",
        "plan.json": "tfplan",
        "kustomization.yaml": "kustomize",
        "values.yaml": None,
        "package.json": None,
    }


def test_gitignore_and_exclude(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": "build/\n", "a/main.tf": "", "build/x.tf": "", "legacy/y.tf": ""})
    found = discover([tmp_path], tmp_path, ("legacy/*",))
    assert [p.relative_to(tmp_path).as_posix() for p in found.terraform] == ["a/main.tf"]


# -- hostile trees: every problem is a finding for its path, and the good file keeps its findings ---------------

USER = 'resource "aws_iam_user" "deploy" {\n  name = "deploy"\n}\n'
ROLE = 'resource "aws_iam_role" "ci" {\n  name               = "ci"\n  assume_role_policy = "{}"\n}\n'


def _problems(report: Report) -> list[tuple[str, str, int, str]]:
    return sorted(
        (f.rule_id, f.location.path, f.location.start_line, f.message)
        for f in report.findings
        if f.rule_id.startswith("NHI-PARSE")
    )


def test_symlink_loops_dangling_links_and_links_out_of_the_root(tmp_path: Path) -> None:
    root, elsewhere = tmp_path / "repo", tmp_path / "elsewhere"
    write_tree(elsewhere, {"admin.tf": ROLE})
    write_tree(root, {"good.tf": USER, "modules/iam/role.tf": ROLE, "releases/v1/.keep": ""})
    (root / "loop").mkdir()
    (root / "loop/a").symlink_to("b")
    (root / "loop/b").symlink_to("a")
    (root / "releases/latest").symlink_to(".")
    (root / "dangling.tf").symlink_to("missing.tf")
    (root / "passwd.tf").symlink_to("/etc/passwd")
    (root / "vendor").symlink_to("../elsewhere")
    (root / "alias.tf").symlink_to("good.tf")  # inside: the real file is scanned once
    (root / "current").symlink_to("modules/iam")  # inside: followed, its file scanned once
    report = scan([root], config_for(root), root)
    assert _problems(report) == [
        ("NHI-PARSE-001", "dangling.tf", 1, "cannot parse dangling.tf: broken symlink (its target does not exist)"),
        ("NHI-PARSE-001", "loop/a", 1, "cannot parse loop/a: symlink loop (it cannot be resolved)"),
        ("NHI-PARSE-001", "loop/b", 1, "cannot parse loop/b: symlink loop (it cannot be resolved)"),
        (
            "NHI-PARSE-001",
            "releases/latest",
            1,
            "cannot parse releases/latest: symlink loop (it links to a directory that contains it)",
        ),
        ("NHI-PARSE-006", "passwd.tf", 1, "not followed: passwd.tf: symlink to /etc/passwd leaves the scan root"),
        ("NHI-PARSE-006", "vendor", 1, "not followed: vendor: symlink to ../elsewhere leaves the scan root"),
    ]
    assert sorted(report.inventory.identities) == ["aws:aws_iam_user.deploy", "aws:modules/iam/aws_iam_role.ci"]
    assert report.inventory.files == ["good.tf", "modules/iam/role.tf"]
    owner = [(f.location.path, f.location.start_line) for f in report.findings if f.rule_id == "NHI-OWN-001"]
    assert owner == [("good.tf", 1), ("modules/iam/role.tf", 1)]


def test_a_file_reached_only_through_a_link_is_scanned_at_its_real_path(tmp_path: Path) -> None:
    write_tree(tmp_path, {"shared/role.tf": ROLE, ".gitignore": "shared/\n"})
    (tmp_path / "env").mkdir()
    (tmp_path / "env/role.tf").symlink_to("../shared/role.tf")
    found = discover([tmp_path], tmp_path)
    assert found.terraform == [tmp_path / "shared/role.tf"] and found.problems == []


def test_symlinked_tree_walks_each_real_directory_once(tmp_path: Path) -> None:
    write_tree(tmp_path, {"base/a.tf": USER, "base/nested/b.tf": ROLE})
    for name in ("one", "two", "three"):
        (tmp_path / name).symlink_to("base")
    (tmp_path / "base/nested/up").symlink_to("../..")  # a cycle through the root
    found = discover([tmp_path], tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found.terraform] == ["base/a.tf", "base/nested/b.tf"]
    assert [(p.path, p.kind) for p in found.problems] == [("base/nested/up", "unreadable")]


def test_unreadable_directory_is_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root (which runs these tests in CI containers) reads anything, so a chmod 000 directory would not fail:
    # the directory listing itself is made to fail as the kernel does for a non-root user.
    write_tree(tmp_path, {"good.tf": USER, "secret/role.tf": ROLE})
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if Path(path) == tmp_path / "secret":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = scan([tmp_path], config_for(tmp_path), tmp_path)
    assert _problems(report) == [
        ("NHI-PARSE-001", "secret", 1, "cannot parse secret: directory cannot be read (Permission denied)")
    ]
    assert list(report.inventory.identities) == ["aws:aws_iam_user.deploy"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 directory; the simulated test covers it")
def test_chmod_000_directory_is_a_finding(tmp_path: Path) -> None:
    write_tree(tmp_path, {"good.tf": USER, "secret/role.tf": ROLE})
    (tmp_path / "secret").chmod(0)
    try:
        report = scan([tmp_path], config_for(tmp_path), tmp_path)
    finally:
        (tmp_path / "secret").chmod(0o755)
    assert [p[:3] for p in _problems(report)] == [("NHI-PARSE-001", "secret", 1)]


def test_unreadable_data_file_is_a_finding_not_a_skip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"good.tf": USER, "stack.yaml": "AWSTemplateFormatVersion: '2010-09-09'\n"})
    real_open = discover_module.open_regular

    def fake_open(path: Path) -> Any:
        if Path(path).name == "stack.yaml":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path)

    monkeypatch.setattr(discover_module, "open_regular", fake_open)  # what discovery opens data files with
    report = scan([tmp_path], config_for(tmp_path), tmp_path)
    assert _problems(report) == [
        ("NHI-PARSE-001", "stack.yaml", 1, "cannot parse stack.yaml: file cannot be read (Permission denied)")
    ]
    assert list(report.inventory.identities) == ["aws:aws_iam_user.deploy"]


BINARY = b"\x00\x01\x02apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ci\n\xff"


@pytest.mark.parametrize("name", ["bin.yaml", "bin.yml", "bin.json", "bin.template", "bin.tf", "bin.tf.json"])
def test_a_binary_file_of_a_scanned_kind_is_a_finding_not_a_skip(tmp_path: Path, name: str) -> None:
    write_tree(tmp_path, {"good.tf": USER})
    (tmp_path / name).write_bytes(BINARY)
    report = scan([tmp_path], config_for(tmp_path), tmp_path)
    why = (
        f"cannot read file: 'utf-8' codec can't decode byte 0xff in position {BINARY.index(0xFF)}: invalid start byte"
        if name.endswith((".tf", ".tf.json"))  # Terraform is known by its suffix: its reader reports it
        else "not UTF-8 text (binary content), so it cannot be classified or read"
    )
    assert _problems(report) == [("NHI-PARSE-001", name, 1, f"cannot parse {name}: {why}")]
    assert list(report.inventory.identities) == ["aws:aws_iam_user.deploy"]


def test_text_that_is_not_code_is_still_skipped_and_utf16_is_not_text(tmp_path: Path) -> None:
    write_tree(tmp_path, {"values.yaml": "replicas: 3\n", "package.json": '{"name": "ü"}'})
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbfreplicas: 3\n")  # a UTF-8 byte order mark is text
    (tmp_path / "utf16.json").write_bytes('{"name": "x"}'.encode("utf-16"))
    (tmp_path / "cut.json").write_bytes(b'{"a": "' + b"x" * (SNIFF_BYTES - 8) + "ü".encode() + b'"}')
    found = discover([tmp_path], tmp_path)
    assert [(p.path, p.reason) for p in found.problems] == [
        ("utf16.json", "not UTF-8 text (binary content), so it cannot be classified or read")
    ]
    assert found.terraform == [] and found.other == {}


def test_resolve_raising_runtime_error_is_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Python 3.11's Path.resolve and some realpath versions raise RuntimeError on a loop instead of OSError.
    write_tree(tmp_path, {"good.tf": USER})
    (tmp_path / "odd.tf").symlink_to("good.tf")
    real_realpath = os.path.realpath

    def realpath(path: Any, *args: Any, **kwargs: Any) -> str:
        if os.fspath(path).endswith("odd.tf"):
            raise RuntimeError("Symlink loop")
        return str(real_realpath(path, *args, **kwargs))

    monkeypatch.setattr(os.path, "realpath", realpath)
    found = discover([tmp_path], tmp_path)
    assert [(p.path, p.reason) for p in found.problems] == [("odd.tf", "symlink loop (it cannot be resolved)")]
    assert found.terraform == [tmp_path / "good.tf"]


def test_a_pipe_named_like_terraform_is_not_opened(tmp_path: Path) -> None:
    write_tree(tmp_path, {"good.tf": USER})
    os.mkfifo(tmp_path / "main.tf")  # opening it would block the scan forever
    found = discover([tmp_path], tmp_path)
    assert [(p.path, p.kind) for p in found.problems] == [("main.tf", "unreadable")]
    assert found.terraform == [tmp_path / "good.tf"]


def test_named_files_outside_the_root_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_tree(tmp_path, {"elsewhere/admin.tf": ROLE, "repo/good.tf": USER})
    (root / "linked.tf").symlink_to("../elsewhere/admin.tf")
    report = scan([root / "good.tf", root / "linked.tf", tmp_path / "elsewhere/admin.tf"], config_for(root), root)
    outside = os.fspath(tmp_path / "elsewhere/admin.tf")
    assert _problems(report) == [
        (
            "NHI-PARSE-006",
            Path(outside).as_posix(),
            1,
            f"not followed: {Path(outside).as_posix()}: path is outside the scan root",
        ),
        (
            "NHI-PARSE-006",
            "linked.tf",
            1,
            "not followed: linked.tf: symlink to ../elsewhere/admin.tf leaves the scan root",
        ),
    ]
    assert list(report.inventory.identities) == ["aws:aws_iam_user.deploy"]


def test_file_over_the_size_limit_is_reported_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(
        tmp_path,
        {
            "big.tf": USER + "#" * 200 + "\n",
            "good.tf": USER.replace("deploy", "ci"),
            "stack.yaml": "AWSTemplateFormatVersion: '2010-09-09'\n" + "#" * 200 + "\n",
            "data.json": '{"rows": "' + "x" * 300 + '"}',
        },
    )
    opened: list[str] = []
    real_open = Path.open

    def spy(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self.name)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    found = discover([tmp_path], tmp_path, limits=Limits(max_file_bytes=100))
    assert [(p.path, p.line, p.reason, p.kind) for p in found.problems] == [
        ("big.tf", 1, "256 bytes exceed max_file_bytes (100)", "limit"),
        ("stack.yaml", 1, "240 bytes exceed max_file_bytes (100)", "limit"),
    ]
    assert found.terraform == [tmp_path / "good.tf"] and found.other == {}
    assert "big.tf" not in opened  # only data files' first bytes are read, to know whether they are IaC at all


# -- .gitignore as git does (pathspec), and config exclude with the same matcher --------------------------------


def _tf(found: Discovered, root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in found.terraform)


def test_nested_gitignore_applies_below_its_directory(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".gitignore": "*.generated.tf\n",
            "app/.gitignore": "scratch.tf\n",
            "app/main.tf": "",
            "app/scratch.tf": "",
            "scratch.tf": "",
            "x.generated.tf": "",
            "app/deep/y.generated.tf": "",
        },
    )
    assert _tf(discover([tmp_path], tmp_path), tmp_path) == ["app/main.tf", "scratch.tf"]


def test_negation_re_includes_a_file_and_deeper_files_override(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".gitignore": "*.tf\n!keep.tf\n",
            "keep.tf": "",
            "drop.tf": "",
            "mod/.gitignore": "!wanted.tf\n",
            "mod/wanted.tf": "",
            "mod/other.tf": "",
        },
    )
    assert _tf(discover([tmp_path], tmp_path), tmp_path) == ["keep.tf", "mod/wanted.tf"]


def test_a_file_in_an_ignored_directory_cannot_be_re_included(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": "build/\n!build/keep.tf\n", "build/keep.tf": "", "main.tf": ""})
    assert _tf(discover([tmp_path], tmp_path), tmp_path) == ["main.tf"]


def test_double_star_anchored_and_directory_only_patterns(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".gitignore": "**/fixtures/**/*.tf\n/top.tf\ncache/\n",
            "a/fixtures/x/y.tf": "",
            "fixtures/z.tf": "",
            "top.tf": "",
            "sub/top.tf": "",
            "cache/c.tf": "",
            "sub/cache/c.tf": "",
            "sub/cache.tf": "",
            "main.tf": "",
        },
    )
    assert _tf(discover([tmp_path], tmp_path), tmp_path) == ["main.tf", "sub/cache.tf", "sub/top.tf"]


def test_exclude_uses_the_same_matcher(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"examples/a/main.tf": "", "main.tf": "", "modules/examples/b.tf": "", "legacy/y.tf": "", "legacy/keep.tf": ""},
    )
    found = discover([tmp_path], tmp_path, ("examples/", "/legacy/*", "!/legacy/keep.tf"))
    assert _tf(found, tmp_path) == ["legacy/keep.tf", "main.tf"]


def test_a_named_ignored_directory_is_still_scanned(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": "build/\n*.bak.tf\n", "build/x.tf": "", "build/y.bak.tf": "", "a.tf": ""})
    assert _tf(discover([tmp_path / "build"], tmp_path), tmp_path) == ["build/x.tf", "build/y.bak.tf"]
    assert _tf(discover([tmp_path], tmp_path), tmp_path) == ["a.tf"]


def test_gitignore_files_above_a_named_directory_apply(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".gitignore": "*.bak.tf\n",
            "infra/.gitignore": "tmp/\n",
            "infra/env/main.tf": "",
            "infra/env/old.bak.tf": "",
            "infra/env/tmp/t.tf": "",
        },
    )
    assert _tf(discover([tmp_path / "infra/env"], tmp_path), tmp_path) == ["infra/env/main.tf"]


def test_relative_names_resolve_as_each_path_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`relative_names` resolves each directory once; every name is what resolving the file itself gives."""
    root, outside = tmp_path / "repo", tmp_path / "elsewhere"
    write_tree(root, {"a.yaml": "", "stacks/iam.yaml": "", "stacks/deep/x.json": "", "real/t.yaml": ""})
    write_tree(outside, {"o.yaml": ""})
    (root / "link.yaml").symlink_to("stacks/iam.yaml")  # a file link: its target's name
    (root / "alias").symlink_to("real")  # a directory link: the files below it by their real names
    (root / "out").symlink_to(outside)  # outside the root: the path as given
    (root / "stacks/out.yaml").symlink_to(outside / "o.yaml")
    monkeypatch.chdir(root)
    given = [
        *(root / p for p in ["a.yaml", "stacks/iam.yaml", "stacks/deep/x.json", "link.yaml", "alias/t.yaml"]),
        *(root / p for p in ["out/o.yaml", "stacks/out.yaml", "missing/none.yaml"]),
        Path("a.yaml"),
        Path("stacks/deep/x.json"),
        Path("alias/t.yaml"),
    ]
    real_root = root.resolve()

    def one(path: Path) -> str:
        try:
            return path.resolve().relative_to(real_root).as_posix()
        except ValueError:
            return path.as_posix()

    names = relative_names(given, real_root)
    assert names == {path: one(path) for path in given}
    assert names[root / "alias/t.yaml"] == "real/t.yaml"
    assert names[root / "link.yaml"] == "stacks/iam.yaml"
    assert names[Path("a.yaml")] == "a.yaml"
