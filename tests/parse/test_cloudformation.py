"""CloudFormation reading and intrinsic functions: what evaluates, and what stays Unknown with a reason."""

from __future__ import annotations

from typing import Any

import pytest

from nhilint.parse.cfn_eval import Evaluator, marker_ref
from nhilint.parse.cloudformation import TemplateError, parse_template, tight_end
from nhilint.parse.yamlmarks import load_located
from nhilint.values import Ref, Unknown

TEMPLATE = """
Parameters:
  Env: {Type: String, Default: prod}
  Names: {Type: CommaDelimitedList, Default: "a, b"}
  Secret: {Type: String, NoEcho: true}
  Ami: {Type: "AWS::SSM::Parameter::Value<String>", Default: /ami/latest}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NoSecret: !Equals [!Ref Secret, ""]
  Either: !Or [!Condition IsProd, !Condition NoSecret]
  Both: !And [!Condition NoSecret, !Not [!Condition IsProd]]
  Loop: !Not [!Condition Loop]
Mappings:
  Accounts:
    prod: {Id: "111122223333"}
Resources:
  Bucket: {Type: AWS::S3::Bucket}
  Role: {Type: AWS::IAM::Role}
"""


@pytest.fixture(name="ev")
def _evaluator() -> Evaluator:
    template = parse_template(TEMPLATE.lstrip("\n"), "t.yaml")
    assert template is not None
    return Evaluator(template)


def value(ev: Evaluator, yaml_text: str) -> Any:
    return ev.value(load_located(f"v: {yaml_text}\n")["v"])


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("!Ref Env", "prod"),
        ("!Ref Names", ["a", "b"]),
        ("!Ref AWS::AccountId", "${current_account}"),
        ("!Ref AWS::Partition", "aws"),
        ("!Ref Bucket", Ref("t.yaml#Bucket")),
        ("!GetAtt Role.Arn", Ref("t.yaml#Role", "Arn")),
        ("!Sub 'arn:${AWS::Partition}:s3:::${Bucket}/${Env}/*'", "arn:aws:s3:::${t.yaml#Bucket}/prod/*"),
        ("!Sub '${Role.Arn}'", Ref("t.yaml#Role", "Arn")),
        ("!Sub ['${A}-${B}', {A: x, B: !Ref Env}]", "x-prod"),
        ("!Sub 'home/${aws:username}/${!Literal}'", "home/${aws:username}/${Literal}"),
        ("!Sub 'arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q'", "arn:aws:sqs:${AWS::Region}:${current_account}:q"),
        ("!Join ['/', [a, !Ref Env, !GetAtt Role.Arn]]", "a/prod/${t.yaml#Role.Arn}"),
        ("!Select [1, [a, b, c]]", "b"),
        ("!Select [0, !Split [',', 'x,y']]", "x"),
        ("!FindInMap [Accounts, !Ref Env, Id]", "111122223333"),
        ("!If [IsProd, yes-prod, no]", "yes-prod"),
        ("[a, !Ref AWS::NoValue, b]", ["a", "b"]),
        ("{A: !Ref AWS::NoValue, B: 1}", {"B": 1}),
    ],
)
def test_values(ev: Evaluator, written: str, expected: Any) -> None:
    assert value(ev, written) == expected


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("!Ref Secret", "parameter Secret has no Default; its value is given at deploy"),
        ("!Ref Ami", "parameter Ami is read from SSM at deploy"),
        ("!Ref AWS::Region", "AWS::Region is known only at deploy"),
        ("!Ref Missing", "Ref to Missing, which is not in the template"),
        ("!GetAtt Missing.Arn", "Fn::GetAtt of Missing, which is not in the template"),
        ("!Sub 'x-${Secret}'", "parameter Secret has no Default; its value is given at deploy"),
        ("!Sub 'x-${Nothing}'", "${Nothing} in Fn::Sub names nothing in the template"),
        (
            "!Join ['', [a, !ImportValue shared]]",
            "Fn::ImportValue (a value exported by another stack) is evaluated only at deploy",
        ),
        ("!GetAZs ''", "Fn::GetAZs is evaluated only at deploy"),
        ("!Base64 abc", "Fn::Base64 is evaluated only at deploy"),
        ("!Select [5, [a]]", "Fn::Select index 5 is out of range"),
        ("!FindInMap [Accounts, dev, Id]", "Fn::FindInMap: Accounts/dev/Id is not in Mappings"),
        (
            "!If [NoSecret, a, b]",
            "condition NoSecret could not be evaluated: parameter Secret has no Default; its value is given at deploy",
        ),
        ("!If [Loop, a, b]", "condition Loop could not be evaluated: condition Loop refers to itself"),
        ("'{{resolve:ssm:/db/password}}'", "{{resolve:ssm:/db/password}} is a dynamic reference resolved at deploy"),
    ],
)
def test_unknowns_say_why(ev: Evaluator, written: str, reason: str) -> None:
    assert value(ev, written) == Unknown(reason)


def test_conditions_short_circuit_around_unknowns(ev: Evaluator) -> None:
    assert ev.condition("IsProd") is True
    assert ev.condition("Either") is True  # IsProd decides, NoSecret is not needed
    assert ev.condition("Both") is False  # Not IsProd decides
    assert isinstance(ev.condition("NoSecret"), Unknown)


def test_policy_template_overrides_replace_parameters(ev: Evaluator) -> None:
    scoped = ev.with_overrides({"BucketName": Ref("t.yaml#Bucket")})
    definition = {"Fn::Sub": ["arn:${AWS::Partition}:s3:::${b}/*", {"b": {"Ref": "BucketName"}}]}
    assert scoped.value(definition) == "arn:aws:s3:::${t.yaml#Bucket}/*"
    assert scoped.value({"Ref": "Env"}) == Unknown("policy template parameter Env is not given")
    assert marker_ref("${t.yaml#Bucket}") == Ref("t.yaml#Bucket")
    assert marker_ref("${dir/t.yaml#Role.Arn}") == Ref("dir/t.yaml#Role", "Arn")


def test_template_parts_and_locations() -> None:
    text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A:\n    Type: X::Y::Z\n\n  # c\n  B:\n    Type: Q\n"
    template = parse_template(text, "t.yaml")
    assert template is not None
    assert [(r.logical_id, r.location.start_line, r.location.end_line) for r in template.resources.values()] == [
        ("A", 3, 4),
        ("B", 7, 8),
    ]
    assert tight_end(['{"A": {', '  "B": 1', "}}"], 1, 3) == 3
    assert tight_end(["a:", "  b: 1"], 1, 2) == 2  # no newline at the end of the file


@pytest.mark.parametrize(
    "text",
    [
        "kind: ConfigMap\nmetadata: {name: x}\n",
        "a: 1\n---\nb: 'Type: AWS::S3::Bucket'\n",
        "- Type: AWS::S3::Bucket\n",
    ],
)
def test_not_a_template(text: str) -> None:
    assert parse_template(text, "x.yaml") is None


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("Resources:\n  A: [1,\n", 3, "while parsing a flow"),
        ("Resources: [a]\n", 1, "Resources is not a mapping"),
        ('{"Resources": {"A": {"Type": "X"},}\n', 2, "while parsing a flow mapping"),
    ],
)
def test_errors_carry_line_and_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(TemplateError) as error:
        parse_template(text, "x.yaml")
    assert (error.value.line, error.value.reason[: len(reason)]) == (line, reason)


def test_values_past_the_depth_limit_are_unknown_strings_included() -> None:
    """A plain string one level past `max_depth` is unknown like any other value there (the evaluator's inlined
    string case keeps the bound), and the template gets one limit finding."""
    from nhilint.limits import Limits

    template = parse_template("Resources: {Bucket: {Type: AWS::S3::Bucket}}\n", "t.yaml", Limits(max_depth=3))
    assert template is not None
    ev = Evaluator(template)
    shallow = ev.value(load_located("a: {b: {c: x, d: '{{resolve:ssm:p}}'}}"))
    assert shallow["a"]["b"]["c"] == "x" and isinstance(shallow["a"]["b"]["d"], Unknown)
    assert template.errors == []
    deep = ev.value(load_located("a: {b: {c: {d: x, e: [y], f: 1}}}"))["a"]["b"]["c"]
    assert all(isinstance(deep[key], Unknown) for key in "def")
    assert [e.kind for e in template.errors] == ["limit"]


def test_tight_end_answers_as_written_plainly() -> None:
    """`tight_end` (its helper calls inlined) against the rule it states, on random lines."""
    import random

    def reference(lines: list[str], start: int, end: int) -> int:
        if start < 1 or start > len(lines):
            return start
        indent = len(lines[start - 1]) - len(lines[start - 1].lstrip(" "))
        for last in range(min(end, len(lines)), start, -1):
            text = lines[last - 1]
            stripped = text.strip()
            deeper = len(text) - len(text.lstrip(" ")) > indent
            if stripped and not stripped.startswith("#") and (last < end or deeper or stripped[0] in "}]"):
                return last
        return start

    rng = random.Random(3)
    pieces = ["", "  ", "    ", "# c", "  # c", "  }", "}", "  ]", "a: 1", "  b: 2", "    c: 3", "\t", "  - x"]
    for _ in range(2000):
        lines = [rng.choice(pieces) for _ in range(rng.randint(0, 8))]
        start, end = rng.randint(0, 9), rng.randint(0, 10)
        assert tight_end(lines, start, end) == reference(lines, start, end), (lines, start, end)
