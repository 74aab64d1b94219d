"""Hostile Terraform: deep nesting, huge values, repeated keys and broken files are findings, never crashes.

Each case checks the exact finding (rule, file, line) and that the other file's finding survives.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.cli import main
from nhilint.limits import Limits
from nhilint.parse.hcl import HclLimitError, parse_hcl
from nhilint.parse.hcl_eval import Evaluator, NameScope
from tests.helpers import scan_tree, triples

ROLE = """
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = "*" }] })
}
"""
KEPT = ("NHI-TRUST-001", "ok.tf", 3, "aws:aws_iam_role.deploy")
USES_VAR = 'variable "x" {}\nresource "aws_iam_user" "ci" {\n  name = "ci-${var.x}"\n}\n'  # reads the tfvars
N = 600


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("brackets.tf", "locals {\n  x = " + "[" * N + "1" + "]" * N + "\n}\n", 2),
        ("calls.tf", "locals {\n  x = " + "lower(" * N + '"a"' + ")" * N + "\n}\n", 2),
        ("objects.tf", "locals {\n  x = " + "{ a = " * N + "1" + " }" * N + "\n}\n", 2),
        ("parens.tf", "locals {\n  x = " + "(" * N + "1" + ")" * N + "\n}\n", 2),
        ("chain.tf", "locals {\n  x = " + " + ".join(["1"] * N) + "\n}\n", 2),
        ("attrs.tf", "locals {\n  x = var" + ".a" * N + "\n}\n", 2),
        ("blocks.tf", 'resource "aws_iam_role" "r" {\n' + "dynamic {\n" * N + "}\n" * N + "}\n", 201),  # 201st block
        ("interpolation.tf", 'locals {\n  x = "' + '${lower("' * N + "a" + '")}' * N + '"\n}\n', 2),
        ("deep.tf.json", '{"locals": {\n"x": ' + "[" * N + "1" + "]" * N + "}}", 2),
        ("terraform.tfvars", "x = " + "[" * N + "1" + "]" * N + "\n", 1),
        ("terraform.tfvars.json", '{"x":\n' + "[" * N + "1" + "]" * N + "}", 2),
    ],
)
def test_deep_nesting_is_a_limit_finding_and_other_files_keep_theirs(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    report = scan_tree(tmp_path, {"ok.tf": ROLE, "vars.tf": USES_VAR, name: text})
    assert ("NHI-PARSE-004", name, line, None) in triples(report, "NHI-PARSE")
    assert "max_depth (200)" in next(f.message for f in report.findings if f.rule_id == "NHI-PARSE-004")
    assert KEPT in triples(report, "NHI-TRUST")


def test_a_chain_of_references_deeper_than_max_depth_is_reported(tmp_path: Path) -> None:
    chain = "".join(f"  l{i} = [local.l{i + 1}]\n" for i in range(N)) + f'  l{N} = "s3:GetObject"\n'
    report = scan_tree(
        tmp_path,
        {
            "ok.tf": ROLE,
            "main.tf": f"""locals {{\n{chain}}}
resource "aws_iam_policy" "p" {{
  name   = "p"
  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = local.l0, Resource = "*" }}] }})
}}
""",
        },
    )
    limits = [t for t in triples(report, "NHI-PARSE-004")]
    assert limits and all(t[1] == "main.tf" for t in limits), limits
    assert KEPT in triples(report, "NHI-TRUST")


def test_depth_is_checked_before_conversion() -> None:
    with pytest.raises(HclLimitError) as raised:
        parse_hcl("a = 1\nb = " + "[" * 30 + "]" * 30 + "\n", limits=Limits(max_depth=20))
    assert raised.value.line == 2
    assert parse_hcl("b = " + "[" * 15 + "]" * 15 + "\n", limits=Limits(max_depth=20)).attributes["b"]


class _Scope:
    def __init__(self, limits: Limits) -> None:
        from nhilint.parse.hcl_eval import Budget

        self.reported: list[tuple[int, str]] = []
        self.budget = Budget(limits, lambda line, reason: self.reported.append((line, reason)))

    def resolve(self, name: str, steps: list[object], line: int) -> object:
        raise AssertionError(name)

    def read_file(self, path: str) -> str:
        raise AssertionError(path)


@pytest.mark.parametrize(
    ("expr", "what"),
    [
        ('format("%0999999999d", 1)', "format()"),
        ('format("%.999999999f", 1)', "format()"),
        ('formatlist("%09999999d", [1, 2])', "format()"),
        ("range(100000000)", "range()"),
        ('join(format("%0500000d", 1), ["a", "b", "c"])', "join()"),
        ('replace("aaaaaaaaaa", "a", format("%0200000d", 1))', "replace()"),
        ("setproduct(range(1000), range(1000), range(10))", "setproduct()"),
        ("concat(range(600000), range(600000))", "concat()"),
        ('"${format("%0600000d", 1)}${format("%0600000d", 1)}"', "a string template"),
        ("[for i in range(400000) : [i, i]]", "a for expression"),
    ],
)
def test_values_over_max_value_size_are_unknown_and_reported(expr: str, what: str) -> None:
    scope = _Scope(Limits())
    value = Evaluator(scope).eval(parse_hcl(f"\n\nx = {expr}\n").attributes["x"].expr)
    assert getattr(value, "reason", None) == f"max_value_size (1000000) exceeded by {what} on line 3"
    assert scope.reported == [(3, value.reason)]


def test_string_repetition_and_list_arithmetic_are_not_evaluated() -> None:
    scope = _Scope(Limits())
    for expr in ('"a" * 1000000000', "[1] + [2]", '"a" + "b"'):
        value = Evaluator(scope).eval(parse_hcl(f"x = {expr}\n").attributes["x"].expr)
        assert "could not be evaluated" in value.reason
    assert Evaluator(scope).eval(parse_hcl("x = 2 * 3 + 1\n").attributes["x"].expr) == 7


def test_evaluation_steps_are_bounded_per_scope_budget() -> None:
    scope = _Scope(Limits(max_eval_steps=1000))
    value = Evaluator(NameScope(scope, {})).eval(parse_hcl("x = [for i in range(5000) : i]\n").attributes["x"].expr)
    assert "max_eval_steps (1000) exceeded" in value.reason
    assert [line for line, _ in scope.reported] == [1]


def test_repeated_attributes_and_keys_are_parse_problems() -> None:
    body = parse_hcl(
        'resource "aws_iam_role_policy" "p" {\n'
        '  policy = "a"\n'
        '  policy = "b"\n'
        '  x = { Action = "s3:GetObject", "Action" = "*", "${var.k}" = 1, "${var.k}" = 2 }\n'
        "}\n"
    )
    assert body.problems == [
        (3, "duplicate-key", "attribute 'policy' is written more than once"),
        (4, "duplicate-key", "object key 'Action' is written more than once"),
    ]
    assert body.blocks[0].body.attributes["policy"].expr.value == "b"  # Terraform's value, reported


SECRET = "hunter2-correct-horse"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("broken.tf", f'resource "aws_iam_user" "u" {{\n  name = "x"\n  password "{SECRET}"\n}}\n'),
        ("broken2.tf", f'locals {{\n  token = "{SECRET}" "{SECRET}"\n}}\n'),
        ("broken3.tf", f"locals {{\n  {SECRET} = = 1\n}}\n"),
        ("broken.tf.json", f'{{"locals": {{"token": "{SECRET}" "{SECRET}"}}}}'),
        ("terraform.tfvars", f'x = "{SECRET}" {SECRET}\n'),
        ("terraform.tfvars.json", f'{{"x": "{SECRET}",, }}'),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_parse_errors_never_quote_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, fmt: str
) -> None:
    (tmp_path / "main.tf").write_text(USES_VAR, encoding="utf-8")
    (tmp_path / name).write_text(text, encoding="utf-8")
    main(["scan", str(tmp_path), "--format", fmt, "--no-cache"])
    out = capsys.readouterr()
    assert "NHI-PARSE-001" in out.out
    assert SECRET not in out.out + out.err
    assert "hunter2" not in out.out + out.err
