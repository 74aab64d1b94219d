"""Hostile count/for_each: a short file that asks for huge numbers of instances or values is a limit finding.

Each case uses small limits from `.nhilint.yaml`, asserts the exact limit finding and that the other file's
finding survives (the scan continues past the resource that hit the bound).
"""

from __future__ import annotations

from pathlib import Path

from nhilint.limits import Limits
from nhilint.parse.hcl import parse_hcl
from nhilint.parse.hcl_eval import Budget, Evaluator
from nhilint.parse.hcl_functions import FUNCTIONS
from nhilint.values import LDict
from tests.helpers import scan_tree, triples

ROLE = """
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = "*" }] })
}
"""
KEPT = ("NHI-TRUST-001", "ok.tf", 3, "aws:aws_iam_role.deploy")
USERS = (
    'resource "aws_iam_user" "dos" {\n'
    "  for_each = toset([for i in range(%d) : tostring(i)])\n"
    '  name = "u${each.key}"\n'
    "}\n"
)


def _limits(**values: int) -> str:
    return "limits:\n" + "".join(f"  {k}: {v}\n" for k, v in values.items())


def _messages(report: object) -> list[str]:
    return [f.message for f in report.findings if f.rule_id == "NHI-PARSE-004"]  # type: ignore[attr-defined]


def _users(report: object) -> list[str]:
    return sorted(i for i in report.inventory.identities if "aws_iam_user.dos" in i)  # type: ignore[attr-defined]


def test_a_for_each_over_too_many_keys_is_one_unknown_instance_and_a_limit_finding(tmp_path: Path) -> None:
    files = {".nhilint.yaml": _limits(max_resource_instances=50), "ok.tf": ROLE, "main.tf": USERS % 50000}
    report = scan_tree(tmp_path, files)
    assert ("NHI-PARSE-004", "main.tf", 2, None) in triples(report, "NHI-PARSE-004")
    assert any(
        "max_resource_instances (50) exceeded by the for_each of aws_iam_user.dos on line 2" in m
        for m in _messages(report)
    )
    assert _users(report) == ["aws:aws_iam_user.dos"]  # the block stays an identity: fail closed
    assert KEPT in triples(report, "NHI-TRUST")


def test_a_count_over_the_bound_is_a_limit_finding(tmp_path: Path) -> None:
    main = 'resource "aws_iam_user" "dos" {\n  count = 1000000000\n  name  = "u${count.index}"\n}\n'
    report = scan_tree(tmp_path, {".nhilint.yaml": _limits(max_resource_instances=50), "ok.tf": ROLE, "main.tf": main})
    assert ("NHI-PARSE-004", "main.tf", 2, None) in triples(report, "NHI-PARSE-004")
    assert any("max_resource_instances (50) exceeded by the count of aws_iam_user.dos" in m for m in _messages(report))
    assert _users(report) == ["aws:aws_iam_user.dos"]
    assert KEPT in triples(report, "NHI-TRUST")


def test_a_for_each_within_the_bound_lists_every_instance(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {".nhilint.yaml": _limits(max_resource_instances=50), "main.tf": USERS % 50})
    assert len(_users(report)) == 50
    assert not _messages(report)


def test_for_each_is_evaluated_once_per_resource_not_once_per_instance(tmp_path: Path) -> None:
    # Evaluating the 300-key for_each costs ~1,000 steps; once per instance it would exhaust the 20,000.
    report = scan_tree(tmp_path, {".nhilint.yaml": _limits(max_eval_steps=20000), "main.tf": USERS % 300})
    assert len(_users(report)) == 300
    assert not _messages(report)


def test_instances_in_one_scan_are_bounded(tmp_path: Path) -> None:
    second = (USERS % 30).replace('"dos"', '"more"')
    limits = _limits(max_scan_resource_instances=40)
    files = {".nhilint.yaml": limits, "ok.tf": ROLE, "a.tf": USERS % 30, "b.tf": second}
    report = scan_tree(tmp_path, files)
    assert ("NHI-PARSE-004", "b.tf", 1, None) in triples(report, "NHI-PARSE-004")
    assert any("max_scan_resource_instances (40) reached at aws_iam_user.more" in m for m in _messages(report))
    assert len(_users(report)) == 30
    assert [i for i in report.inventory.identities if "aws_iam_user.more" in i] == ["aws:aws_iam_user.more"]
    assert KEPT in triples(report, "NHI-TRUST")


def test_nested_for_expressions_stop_at_the_step_budget(tmp_path: Path) -> None:
    local = "locals {\n  grid = [for i in range(50000) : [for j in range(50000) : j]]\n}\n"
    main = 'resource "aws_iam_user" "u" {\n  name = "u-${length(local.grid)}"\n}\n'
    files = {".nhilint.yaml": _limits(max_eval_steps=10000), "ok.tf": ROLE, "grid.tf": local, "main.tf": main}
    report = scan_tree(tmp_path, files)
    assert any("max_eval_steps (10000) exceeded" in m for m in _messages(report))
    assert KEPT in triples(report, "NHI-TRUST")


def _eval(expr: str, limits: Limits) -> object:
    class Scope:
        budget = Budget(limits)

        def resolve(self, name: str, steps: list[object], line: int) -> object:
            raise AssertionError(name)

        def read_file(self, path: str) -> str:
            raise AssertionError(path)

    return Evaluator(Scope()).eval(parse_hcl(f"x = {expr}\n").attributes["x"].expr)


def test_toset_and_distinct_keep_first_occurrence_order_and_compare_collections_by_value() -> None:
    value = _eval('distinct(["b", "a", "b", { k = 1 }, { k = 1 }, [1, 2], [1, 2], [2, 1], 3, 3.0])', Limits())
    assert value == ["b", "a", {"k": 1}, [1, 2], [2, 1], 3]
    maps = [LDict([("a", 1), ("b", 2)]), {"b": 2, "a": 1}, {"a": [1, {"c": 2}]}, {"a": [1, {"c": 2}]}]
    assert FUNCTIONS["toset"](maps) == [maps[0], maps[2]]
    assert FUNCTIONS["setunion"](["x", "y"], ["y", "z"]) == ["x", "y", "z"]


def test_toset_of_many_distinct_values_is_linear() -> None:
    value = _eval("toset([for i in range(100000) : { id = i }])", Limits())
    assert isinstance(value, list) and len(value) == 100000


def test_each_block_past_the_scan_bound_is_reported_where_it_is_written(tmp_path: Path) -> None:
    files = {
        ".nhilint.yaml": _limits(max_scan_resource_instances=40),
        "a.tf": USERS % 30,
        "b.tf": (USERS % 30).replace('"dos"', '"more"'),
        "c.tf": (USERS % 30).replace('"dos"', '"most"'),
    }
    report = scan_tree(tmp_path, files)
    assert triples(report, "NHI-PARSE-004") == [
        ("NHI-PARSE-004", "b.tf", 1, None),
        ("NHI-PARSE-004", "c.tf", 1, None),
    ]
