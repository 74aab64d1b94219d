"""IAM policy documents (from jsonencode, heredocs, files, policy_document data) -> typed statements.

A key written twice in a JSON policy (two `Action` keys) is reported (NHI-PARSE-005) and evaluated as the
broader statement (`parse.policy_merge.broader`, the same merge CloudFormation templates are read with).
JSON policy text is read with line marks by `parse.json_marks`; only text it declines (a key written twice,
characters YAML reads differently, a limit near) goes to the line-marking YAML reader, and only then are it
and PyYAML imported: every scan builds an inventory, few read policy text, fewer need YAML for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.model import Condition, Effect, TrustPrincipal, Unknown
from nhilint.model_inputs import ParseError
from nhilint.values import Encoded, LDict, Ref, SourceText, deep_unknown, to_text


@dataclass(frozen=True, slots=True)
class Statement:
    effect: Effect
    actions: tuple[str, ...]
    not_actions: bool
    resources: tuple[str, ...]
    not_resources: bool
    principals: tuple[TrustPrincipal, ...]
    not_principals: bool
    conditions: tuple[Condition, ...]
    sid: str | None
    path: str
    line: int
    end_line: int
    unknown: str | None = None  # what in the statement could not be evaluated


@dataclass(frozen=True, slots=True)
class Document:
    statements: tuple[Statement, ...]
    unknown: str | None = None  # set when the document as a whole could not be evaluated


def parse_document(
    value: Any,
    path: str,
    line: int,
    end_line: int | None = None,
    errors: list[ParseError] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Document:
    """Turn an evaluated policy value into statements. `path`/`line` is where the value is written.

    Keys written twice in JSON text and limits hit while reading it are added to `errors` (once each).
    """
    end = end_line or line
    if value is None:
        return Document((), None)
    if isinstance(value, Ref):
        return Document((), f"{value} is known only after apply")
    if isinstance(value, Unknown):
        return Document((), value.reason)
    if isinstance(value, Encoded):
        value = value.value
    if isinstance(value, str):
        if isinstance(value, SourceText):
            path, line = value.path, 1
        parsed = _parse_json_text(value, path, line, errors if errors is not None else [], limits)
        if isinstance(parsed, Unknown):
            return Document((), parsed.reason)
        value = parsed
    if not isinstance(value, dict):
        return Document((), "the policy is not a JSON object")
    raw = value.get("Statement")
    if raw is None:
        return Document(())
    if isinstance(raw, Unknown | Ref):
        missing = deep_unknown(raw)
        return Document((), missing.reason if missing else "unknown statements")
    items = raw if isinstance(raw, list) else [raw]
    statements = []
    for item in items:
        if isinstance(item, Unknown | Ref):
            unknown = deep_unknown(item)
            statements.append(_unknown_statement(unknown.reason if unknown else "?", path, line, end))
        elif isinstance(item, dict):
            statements.append(_statement(item, path, line, end))
    return Document(tuple(statements))


def _parse_json_text(text: str, path: str, line: int, errors: list[ParseError], limits: Limits) -> Any:
    stripped = text.strip()
    if not stripped:
        return Unknown("the policy is empty")
    from nhilint.parse import json_marks

    fast = json_marks.load(text, line, limits)  # what the YAML reading below gives, when it can tell
    if fast is not None:
        return fast[0]
    try:
        json.loads(stripped, object_pairs_hook=_first_pairs)
    except RecursionError:
        return _limit(
            errors, ParseError(path, line, f"the policy is nested deeper than {limits.describe('max_depth')}", "limit")
        )
    except ValueError as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
        return Unknown(f"the policy is not valid JSON ({reason})")
    import yaml

    from nhilint.parse.policy_merge import broader
    from nhilint.parse.yamlmarks import LimitError, load_document

    try:
        loaded = load_document(text, line, limits, broader)
    except LimitError as exc:
        return _limit(errors, ParseError(path, exc.line, f"the policy is {exc.reason}", "limit"))
    except yaml.YAMLError:  # JSON that YAML reads differently (a tab in a string): no lines, last value wins
        return json.loads(stripped)
    for duplicate in loaded.duplicates:
        error = ParseError(path, duplicate.line, duplicate.reason, "duplicate-key")
        if error not in errors:
            errors.append(error)
    return loaded.value


def _first_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(pairs)


def _limit(errors: list[ParseError], error: ParseError) -> Unknown:
    if error not in errors:
        errors.append(error)
    return Unknown(error.reason)


def _unknown_statement(reason: str, path: str, line: int, end_line: int) -> Statement:
    return Statement("Allow", (), False, (), False, (), False, (), None, path, line, end_line, reason)


def _strings(value: Any, unknowns: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = to_text(item) if not isinstance(item, Ref) else Unknown(f"{item} is known only after apply")
        if isinstance(text, Unknown):
            if isinstance(item, Ref) and item.attribute in ("arn", "id", "name"):
                out.append(f"${{{item}}}")  # a reference to a resource in the code: a specific ARN
                continue
            unknowns.append(text.reason)
            continue
        out.append(text)
    return tuple(out)


def _statement(item: dict[str, Any], path: str, line: int, end_line: int) -> Statement:
    unknowns: list[str] = []
    if isinstance(item, LDict) and item.path:
        path = item.path
    stmt_line = item.line if isinstance(item, LDict) and item.line else line
    stmt_end = item.end_line if isinstance(item, LDict) and item.line else end_line
    written = to_text(item.get("Effect", "Allow"))
    effect: Effect = "Allow"  # what cannot be read is judged as the broader grant, marked unknown
    if isinstance(written, Unknown):
        unknowns.append(written.reason)
    elif written == "Deny":
        effect = "Deny"
    elif written != "Allow":  # AWS rejects it; nhilint says so instead of skipping the statement
        unknowns.append("Effect is neither Allow nor Deny")
    not_actions = "NotAction" in item
    actions = _strings(item.get("NotAction") if not_actions else item.get("Action"), unknowns)
    not_resources = "NotResource" in item
    resources = _strings(item.get("NotResource") if not_resources else item.get("Resource"), unknowns)
    not_principals = "NotPrincipal" in item
    principals = _principals(item.get("NotPrincipal") if not_principals else item.get("Principal"), unknowns)
    conditions = _conditions(item.get("Condition"), unknowns)
    sid = item.get("Sid")
    return Statement(
        effect,
        actions,
        not_actions,
        resources,
        not_resources,
        principals,
        not_principals,
        conditions,
        sid if isinstance(sid, str) else None,
        path,
        stmt_line,
        stmt_end,
        "; ".join(dict.fromkeys(unknowns)) or None,
    )


def _principals(value: Any, unknowns: list[str]) -> tuple[TrustPrincipal, ...]:
    if value is None:
        return ()
    if value == "*":
        return (TrustPrincipal("*", "*"),)
    if isinstance(value, Unknown | Ref):
        unknown = deep_unknown(value)
        unknowns.append(unknown.reason if unknown else "principal")
        return ()
    if not isinstance(value, dict):
        return ()
    out: list[TrustPrincipal] = []
    for kind, identifiers in value.items():
        items = identifiers if isinstance(identifiers, list) else [identifiers]
        for item in items:
            if isinstance(item, Ref):
                out.append(TrustPrincipal(kind, f"${{{item}}}"))
                continue
            text = to_text(item)
            out.append(TrustPrincipal(kind, text))
            if isinstance(text, Unknown):
                unknowns.append(text.reason)
    return tuple(out)


def _conditions(value: Any, unknowns: list[str]) -> tuple[Condition, ...]:
    if not isinstance(value, dict):
        if value is not None:
            unknown = deep_unknown(value)
            unknowns.append(unknown.reason if unknown else "condition")
        return ()
    out: list[Condition] = []
    for operator, body in value.items():
        if isinstance(body, Unknown):
            unknowns.append(body.reason)
            continue
        if not isinstance(body, dict):
            continue
        for key, values in body.items():
            items = values if isinstance(values, list) else [values]
            texts = tuple(to_text(v) if not isinstance(v, Ref) else f"${{{v}}}" for v in items)
            out.append(Condition(str(operator), str(key), texts))
    return tuple(out)
