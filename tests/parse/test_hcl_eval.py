"""The evaluator: what real Terraform uses evaluates; everything else is Unknown, never a guess."""

from __future__ import annotations

from typing import Any

import pytest

from nhilint.parse.hcl import parse_hcl
from nhilint.parse.hcl_eval import Evaluator
from nhilint.values import Encoded, LDict, Ref, Unknown, plain


class Scope:
    def __init__(self, variables: dict[str, Any]) -> None:
        self.variables = variables

    def resolve(self, name: str, steps: list[Any], line: int) -> Any:
        if name == "var" and steps and steps[0] in self.variables:
            return self.variables[steps[0]]
        if name == "aws_iam_role":
            return Ref(f"aws_iam_role.{steps[0]}", ".".join(s for s in steps[1:] if isinstance(s, str)) or None)
        return Unknown(f"{name} undefined")

    def read_file(self, path: str) -> str | Unknown:
        return Unknown("no files")


def evaluate(text: str, **variables: Any) -> Any:
    body = parse_hcl(f"x = {text}\n")
    return Evaluator(Scope(variables)).eval(body.attributes["x"].expr)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"a-${var.env}-b"', "a-prod-b"),
        ('merge({ a = "1" }, var.tags, { b = "2" })', {"a": "1", "owner": "team-x", "b": "2"}),
        (
            'concat(["arn:aws:iam::aws:policy/AdministratorAccess"], ["x"])',
            ["arn:aws:iam::aws:policy/AdministratorAccess", "x"],
        ),
        ('"arn:aws:s3:::bucket/$${aws:username}/*"', "arn:aws:s3:::bucket/${aws:username}/*"),
        ('var.env == "prod" ? "big" : "small"', "big"),
        ('[for r in var.repos : "repo:acme/${r}:*"]', ["repo:acme/a:*", "repo:acme/b:*"]),
        ("{ for k, v in var.tags : upper(k) => v }", {"OWNER": "team-x"}),
        ('lookup(var.tags, "owner", "none")', "team-x"),
        ('format("%s-%s", "a", var.env)', "a-prod"),
        ('join(",", ["a", "b"])', "a,b"),
        ("1 + 2 * 3", 7),
        ('try(var.missing, "fallback")', "fallback"),
        ('coalesce("", var.env)', "prod"),
        ('"a\\"b"', 'a"b'),
    ],
)
def test_evaluates(text: str, expected: Any) -> None:
    result = evaluate(text, env="prod", tags=LDict({"owner": "team-x"}), repos=["a", "b"])
    assert plain(result) == expected


def test_jsonencode_keeps_structure_and_lines() -> None:
    body = parse_hcl('x = jsonencode({\n  Statement = [{\n    Action = "s3:*"\n  }]\n})\n')
    value = Evaluator(Scope({})).eval(body.attributes["x"].expr)
    assert isinstance(value, Encoded)
    statement = value.value["Statement"][0]
    assert isinstance(statement, LDict) and statement.line == 2


def test_references_stay_links() -> None:
    assert evaluate("aws_iam_role.ci.arn") == Ref("aws_iam_role.ci", "arn")
    assert evaluate('"${aws_iam_role.ci.arn}/*"') == "${aws_iam_role.ci.arn}/*"


@pytest.mark.parametrize("text", ["var.nope", "upper(var.nope)", "unknownfn(1)", 'var.nope == "a" ? 1 : 2'])
def test_unknowns_never_guess(text: str) -> None:
    assert isinstance(evaluate(text), Unknown)


def test_heredoc_interpolation_and_trim() -> None:
    body = parse_hcl('x = <<-EOT\n    {"a": "${var.env}", "b": "$${keep}"}\n    EOT\n')
    assert Evaluator(Scope({"env": "prod"})).eval(body.attributes["x"].expr) == '{"a": "prod", "b": "${keep}"}\n'


def test_structural_functions_see_past_unknowns_inside_their_arguments() -> None:
    """`lookup(each.value, "policies", null)` on a node group whose subnets are unknown still finds the policies."""
    group = LDict({"subnets": Unknown("module.vpc is remote"), "policies": {"ssm": "arn:aws:iam::aws:policy/SSM"}})
    assert evaluate('lookup(var.group, "policies", null)', group=group) == {"ssm": "arn:aws:iam::aws:policy/SSM"}
    assert evaluate('lookup(var.group, "missing", null)', group=group) is None
    assert evaluate("keys(var.group)", group=group) == ["policies", "subnets"]
    assert evaluate("length(var.group)", group=group) == 2
    assert evaluate('lookup(var.unset, "a", null)', unset=Unknown("var.unset has no default")) == Unknown(
        "var.unset has no default"
    )
