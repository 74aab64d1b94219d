"""Terraform module calls: cycles are reported and not followed, every directory is evaluated once per instance."""

from __future__ import annotations

from pathlib import Path

from nhilint.api import scan
from nhilint.model_inputs import ParseError
from nhilint.parse.terraform.modules import MAX_MODULE_DEPTH
from tests.helpers import config_for, scan_tree, triples, write_tree

ADMIN_ROLE = """
    resource "aws_iam_role" "{name}" {{
      name               = "{name}"
      assume_role_policy = "{{}}"
    }}
    resource "aws_iam_role_policy_attachment" "{name}" {{
      role       = aws_iam_role.{name}.name
      policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    }}
"""


def _role(name: str) -> str:
    return f'resource "aws_iam_role" "{name}" {{\n  name               = "{name}"\n  assume_role_policy = "{{}}"\n}}\n'


def _call(name: str, source: str) -> str:
    return f'module "{name}" {{\n  source = "{source}"\n}}\n'


def _problems(errors: list[ParseError]) -> list[tuple[str, int, str]]:
    return sorted((e.path, e.line, e.kind) for e in errors)


def test_module_calling_its_own_directory_is_reported_and_the_directory_is_scanned(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": _call("self", "./") + ADMIN_ROLE.format(name="deploy")})
    assert sorted(report.inventory.identities) == ["aws:aws_iam_role.deploy"]
    assert _problems(report.inventory.errors) == [("main.tf", 1, "module-cycle")]
    assert triples(report, "NHI-P") == [
        ("NHI-PARSE-003", "main.tf", 1, None),
        ("NHI-PRIV-004", "main.tf", 9, "aws:aws_iam_role.deploy"),
    ]


def test_two_modules_calling_each_other_become_one_root(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "modules/a/main.tf": _call("b", "../b") + _role("a"),
            "modules/b/main.tf": _call("a", "../a") + _role("b"),
        },
    )
    assert sorted(report.inventory.identities) == [
        "aws:modules/a/aws_iam_role.a",
        "aws:modules/a/module.b.aws_iam_role.b",
    ]
    assert _problems(report.inventory.errors) == [("modules/b/main.tf", 1, "module-cycle")]


def test_a_cycle_called_from_a_real_root_is_evaluated_through_that_call(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "main.tf": _call("a", "./modules/a") + _role("top"),
            "modules/a/main.tf": _call("b", "../b") + _role("a"),
            "modules/b/main.tf": _call("a", "../a") + _role("b"),
        },
    )
    assert sorted(report.inventory.identities) == [
        "aws:aws_iam_role.top",
        "aws:module.a.aws_iam_role.a",
        "aws:module.a.module.b.aws_iam_role.b",
    ]
    assert _problems(report.inventory.errors) == [("modules/b/main.tf", 1, "module-cycle")]


def test_child_calling_its_parent(tmp_path: Path) -> None:
    files = {"main.tf": _call("sub", "./sub") + _role("outer"), "sub/main.tf": _call("up", "../") + _role("inner")}
    report = scan_tree(tmp_path, files)
    assert sorted(report.inventory.identities) == ["aws:aws_iam_role.outer", "aws:module.sub.aws_iam_role.inner"]
    assert _problems(report.inventory.errors) == [("sub/main.tf", 1, "module-cycle")]
    # The inner directory alone: it is the root, its parent is read through the call, once.
    inner = scan([tmp_path / "sub"], config_for(tmp_path), tmp_path)
    assert sorted(inner.inventory.identities) == ["aws:sub/aws_iam_role.inner", "aws:sub/module.up.aws_iam_role.outer"]
    assert _problems(inner.inventory.errors) == [("main.tf", 1, "module-cycle")]


def test_three_module_cycle(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "a/main.tf": _call("b", "../b") + _role("a"),
            "b/main.tf": _call("c", "../c") + _role("b"),
            "c/main.tf": _call("a", "../a") + _role("c"),
        },
    )
    assert sorted(report.inventory.identities) == [
        "aws:a/aws_iam_role.a",
        "aws:a/module.b.aws_iam_role.b",
        "aws:a/module.b.module.c.aws_iam_role.c",
    ]
    assert _problems(report.inventory.errors) == [("c/main.tf", 1, "module-cycle")]


def test_diamond_is_not_a_cycle_and_the_shared_child_is_evaluated_once_per_instance(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "main.tf": _call("api", "./modules/api") + _call("worker", "./modules/worker"),
            "modules/api/main.tf": _call("role", "../role"),
            "modules/worker/main.tf": _call("role", "../role"),
            "modules/role/main.tf": _role("this"),
        },
    )
    assert sorted(report.inventory.identities) == [
        "aws:module.api.module.role.aws_iam_role.this",
        "aws:module.worker.module.role.aws_iam_role.this",
    ]
    assert report.inventory.errors == []


def test_precommit_scan_of_one_file_in_a_self_calling_directory(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "infra/main.tf": ADMIN_ROLE.format(name="deploy"),
            "infra/modules.tf": _call("self", "./"),
        },
    )
    report = scan([tmp_path / "infra/main.tf"], config_for(tmp_path), tmp_path)
    assert sorted(report.inventory.identities) == ["aws:infra/aws_iam_role.deploy"]
    assert triples(report, "NHI-P") == [("NHI-PRIV-004", "infra/main.tf", 5, "aws:infra/aws_iam_role.deploy")]
    named = scan([tmp_path / "infra/modules.tf"], config_for(tmp_path), tmp_path)
    assert triples(named, "NHI-PARSE") == [("NHI-PARSE-003", "infra/modules.tf", 1, None)]


def test_precommit_scan_of_a_child_calling_its_parent(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "main.tf": _call("network", "./network"),
            "network/main.tf": ADMIN_ROLE.format(name="flow_logs") + _call("platform", "../"),
        },
    )
    report = scan([tmp_path / "network/main.tf"], config_for(tmp_path), tmp_path)
    assert sorted(report.inventory.identities) == ["aws:network/aws_iam_role.flow_logs"]
    assert triples(report, "NHI-P") == [
        ("NHI-PRIV-004", "network/main.tf", 5, "aws:network/aws_iam_role.flow_logs"),
    ]


def test_nesting_deeper_than_the_limit_is_reported(tmp_path: Path) -> None:
    levels = MAX_MODULE_DEPTH + 2
    files = {f"m{i}/main.tf": _call("next", f"../m{i + 1}") + _role(f"r{i}") for i in range(levels)}
    report = scan_tree(tmp_path, files)
    assert len(report.inventory.identities) == MAX_MODULE_DEPTH + 1
    assert _problems(report.inventory.errors) == [(f"m{MAX_MODULE_DEPTH}/main.tf", 1, "limit")]


def test_module_instances_are_bounded_even_without_a_cycle(tmp_path: Path) -> None:
    """Each level calls the next four times: 4^8 instances without a bound. The bound is a reported limit."""
    files = {f"m{level}/main.tf": "".join(_call(f"c{i}", f"../m{level + 1}") for i in range(4)) for level in range(8)}
    files["m8/main.tf"] = _role("leaf")
    files["main.tf"] = _call("top", "./m0") + _role("top")
    write_tree(tmp_path, files)
    write_tree(tmp_path, {".nhilint.yaml": "limits:\n  max_module_instances: 100\n"})
    report = scan([tmp_path], config_for(tmp_path), tmp_path)
    limits = [(e.path, e.kind) for e in report.inventory.errors]
    assert limits and set(limits) <= {(f"m{level}/main.tf", "limit") for level in range(8)}
    assert all("max_module_instances (100)" in e.reason for e in report.inventory.errors)
    assert "aws:aws_iam_role.top" in report.inventory.identities
    assert len(report.inventory.identities) <= 101
