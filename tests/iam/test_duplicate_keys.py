"""Keys written twice in a JSON policy: reported at the repeat's line and evaluated as the broader grant."""

from __future__ import annotations

import pytest

from nhilint.iam.policy import parse_document
from nhilint.limits import Limits
from nhilint.model_inputs import ParseError


def _parse(text: str) -> tuple[dict[str, object], list[ParseError]]:
    errors: list[ParseError] = []
    document = parse_document(text, "policy.json", 1, errors=errors)
    assert document.unknown is None
    (statement,) = document.statements
    fields = {
        "effect": statement.effect,
        "actions": statement.actions,
        "not_actions": statement.not_actions,
        "resources": statement.resources,
        "principals": tuple(p.identifier for p in statement.principals),
        "conditions": tuple((c.operator, c.key, c.values) for c in statement.conditions),
    }
    return fields, errors


def test_two_action_keys_take_the_union_and_are_reported_without_values() -> None:
    fields, errors = _parse(
        '{"Statement": [{"Effect": "Allow",\n "Action": ["s3:GetObject"],\n'
        ' "Resource": "*",\n "Action": ["iam:PassRole", "s3:GetObject"]}]}'
    )
    assert fields["actions"] == ("s3:GetObject", "iam:PassRole")
    assert errors == [
        ParseError(
            "policy.json",
            4,
            "Statement[0].Action is written again (first on line 2); the "
            "union of the values is evaluated (the broader grant)",
            "duplicate-key",
        )
    ]


def test_effect_written_twice_is_allow_if_either_allows() -> None:
    fields, errors = _parse('{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Effect": "Deny"}}')
    assert fields["effect"] == "Allow"
    assert [e.reason for e in errors] == [
        "Statement.Effect is written again (first on line 1); Allow is evaluated "
        "if any value allows (the broader grant)"
    ]


def test_not_action_twice_excludes_only_what_both_exclude() -> None:
    fields, _ = _parse(
        '{"Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "s3:*"], "Resource": "*", "NotAction": ["iam:*"]}]}'
    )
    assert (fields["not_actions"], fields["actions"]) == (True, ("iam:*",))


def test_a_deny_written_twice_denies_only_what_both_deny() -> None:
    fields, _ = _parse(
        '{"Statement": [{"Effect": "Deny", "Action": ["s3:DeleteObject", "s3:PutObject"],'
        ' "Resource": "*", "Action": ["s3:DeleteObject"]}]}'
    )
    assert fields["actions"] == ("s3:DeleteObject",)


def test_principal_twice_trusts_both() -> None:
    fields, _ = _parse(
        '{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",'
        ' "Principal": {"Service": "ec2.amazonaws.com"},'
        ' "Principal": {"AWS": "arn:aws:iam::444455556666:root"}}]}'
    )
    assert fields["principals"] == ("ec2.amazonaws.com", "arn:aws:iam::444455556666:root")


def test_condition_twice_keeps_only_what_both_require() -> None:
    fields, _ = _parse(
        '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",'
        ' "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}, "Bool": {"aws:SecureTransport":'
        ' "true"}},'
        ' "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]}'
    )
    assert fields["conditions"] == (("StringEquals", "aws:PrincipalOrgID", ("o-abc",)),)


def test_statement_key_twice_evaluates_every_statement() -> None:
    errors: list[ParseError] = []
    document = parse_document(
        '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],\n'
        ' "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
        "policy.json",
        1,
        errors=errors,
    )
    assert [s.actions for s in document.statements] == [("s3:GetObject",), ("*",)]
    assert [(e.line, e.kind) for e in errors] == [(2, "duplicate-key")]


@pytest.mark.parametrize("depth", [600, 5000])
def test_deep_json_policy_is_a_limit_not_a_recursion_error(depth: int) -> None:
    errors: list[ParseError] = []
    text = '{"Statement": ' + "[" * depth + "]" * depth + "}"
    document = parse_document(text, "policy.json", 3, errors=errors, limits=Limits())
    assert document.unknown is not None and "max_depth (200)" in document.unknown
    assert [(e.path, e.kind) for e in errors] == [("policy.json", "limit")]
