"""Keys written twice in an IAM policy document, resolved as the broader grant.

Shared by JSON policy text (`iam.policy`) and CloudFormation templates (`parse.cloudformation`), which
hold policies as loaded YAML/JSON values: it works on loaded values, before any evaluation. It does not
import the YAML reader: JSON policy text without a key written twice is read without it (`json_marks`).
"""

from __future__ import annotations

from typing import Any

from nhilint.parse.key_merge import KeyPath, last_wins
from nhilint.values import LDict

_LISTS = ("Action", "Resource", "Principal")
_EXCLUSIONS = ("NotAction", "NotResource", "NotPrincipal")
UNION = "the union of the values is evaluated (the broader grant)"


def is_statement(path: KeyPath) -> bool:
    """Whether a mapping at `path` is a policy statement (`…Statement[0]`, or a lone `…Statement`)."""
    return bool(path) and (
        path[-1] == "Statement" or (len(path) >= 2 and path[-2] == "Statement" and isinstance(path[-1], int))
    )


def broader(path: KeyPath, mapping: LDict, repeated: dict[str, list[Any]]) -> dict[str, str]:
    """Resolve keys written twice in a policy as the statement that lets the principal do the most.

    - `Statement` twice in a document: both statement lists are evaluated.
    - `Effect`: Allow when any value is Allow (a statement that may allow is treated as allowing).
    - In an Allow statement `Action`, `Resource`, `Principal` take the union of the values (matches more
      requests: grants more); `NotAction`, `NotResource`, `NotPrincipal` list exclusions, so the broader grant
      excludes only what every value excludes: their intersection (as written; a value that is not a
      literal list excludes nothing). `Condition` keeps only what every value requires.
    - In a Deny statement it is the other way round: a narrower Deny leaves more allowed, so `Action`,
      `Resource`, `Principal` take the intersection, the exclusions and conditions the union.
    Either way the duplicate itself is reported, so a Deny written twice still fails the review.
    Other keys (`Sid`, `Version`) keep their last value. Outside a policy, `last_wins` applies.
    """
    how = last_wins(path, mapping, repeated)
    if "Statement" in repeated:
        statements: list[Any] = []
        for value in repeated["Statement"]:
            statements.extend(value if isinstance(value, list) else [value])
        mapping["Statement"] = statements
        how["Statement"] = "every statement is evaluated"
    if not is_statement(path):
        return how
    if "Effect" in repeated:
        effects = repeated["Effect"]
        mapping["Effect"] = "Allow" if "Allow" in effects else effects[-1]
        how["Effect"] = "Allow is evaluated if any value allows (the broader grant)"
    allow = mapping.get("Effect", "Allow") != "Deny"
    for key, values in repeated.items():
        if key == "Condition":
            mapping[key] = _condition(values, allow)
            how[key] = (
                "only the conditions every value requires are evaluated (the broader grant)"
                if allow
                else "the conditions of every value are evaluated (the broader grant)"
            )
        elif key in _LISTS or key in _EXCLUSIONS:
            widen = allow == (key in _LISTS)  # union grants more: an Allow's lists, a Deny's exclusions
            mapping[key] = _union(values) if widen else _intersection(values)
            how[key] = UNION if widen else "the intersection of the values is evaluated (the broader grant)"
    return how


def _union(values: list[Any]) -> Any:
    if any(v == "*" for v in values):
        return "*"
    if all(isinstance(v, dict) and not _intrinsic(v) for v in values):
        merged: dict[str, Any] = LDict(line=getattr(values[0], "line", 0), end_line=getattr(values[-1], "end_line", 0))
        for value in values:
            for key, item in value.items():
                merged[key] = _union([merged[key], item]) if key in merged else item
        return merged
    out: list[Any] = []
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if item not in out:
                out.append(item)
    return out


def _intersection(values: list[Any]) -> Any:
    if all(isinstance(v, dict) and not _intrinsic(v) for v in values):
        first = values[0]
        kept = LDict(line=getattr(first, "line", 0), end_line=getattr(first, "end_line", 0))
        for key, item in first.items():
            if all(key in v for v in values[1:]):
                kept[key] = _intersection([item, *(v[key] for v in values[1:])])
        return kept
    lists = [v if isinstance(v, list) else [v] for v in values]
    if any(not isinstance(item, str | int) for items in lists for item in items):
        return []  # not literal: nothing is known to be in every value
    return [item for item in lists[0] if all(item in other for other in lists[1:])]


def _condition(values: list[Any], allow: bool) -> Any:
    """An Allow keeps the (operator, key) tests every value writes alike; a Deny applies only when every
    value's tests hold: all keys, and for a key written in several, the values they share."""
    blocks = [v for v in values if isinstance(v, dict) and not _intrinsic(v)]
    if len(blocks) != len(values):
        return LDict() if allow else values[-1]
    out = LDict(line=getattr(blocks[0], "line", 0), end_line=getattr(blocks[0], "end_line", 0))
    operators = dict.fromkeys(op for block in blocks for op in block)
    for operator in operators:
        tests = [block[operator] for block in blocks if operator in block]
        if not all(isinstance(t, dict) for t in tests):
            continue
        if allow:
            if len(tests) == len(blocks):
                same = {k: v for k, v in tests[0].items() if all(t.get(k) == v for t in tests[1:])}
                if same:
                    out[operator] = same
            continue
        merged: dict[str, Any] = {}
        for test in tests:
            for key, value in test.items():
                merged[key] = _intersection([merged[key], value]) if key in merged else value
        out[operator] = merged
    return out


def _intrinsic(value: dict[str, Any]) -> bool:
    return len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::"))
