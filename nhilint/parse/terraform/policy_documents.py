"""`data "aws_iam_policy_document"` -> the IAM JSON document it renders, with statement lines kept.

A Terraform data source evaluated like the AWS provider evaluates it, so it lives with the Terraform parser:
what comes out is a plain document (`Encoded` JSON in `.json`) that nhilint.iam reads like any other policy.
"""

from __future__ import annotations

from typing import Any

from nhilint.parse.hcl_eval import Evaluator, NameScope
from nhilint.parse.terraform.records import TfRecord, expansions
from nhilint.values import Encoded, IndexStep, LDict, Unknown, get_path

_LIST_KEYS = {
    "actions": "Action",
    "not_actions": "NotAction",
    "resources": "Resource",
    "not_resources": "NotResource",
}


def render(record: TfRecord) -> Any:
    """The data source's attributes (`json`, `minified_json`); a list of (key, attributes) under count/for_each."""

    def rendered(instance_record: TfRecord) -> LDict:
        document = Encoded(policy_document(instance_record), record.block.line)
        return LDict([("json", document), ("minified_json", document)], line=record.block.line)

    attributes = record.block.body.attributes
    if "count" not in attributes and "for_each" not in attributes:
        return rendered(record)
    instance = record.instance
    expanded = expansions(instance.evaluator, record.block)
    if len(expanded) == 1 and expanded[0][0] is None:
        return rendered(record)  # count/for_each unknown: one representative instance
    instances = []
    for key, names in expanded:
        evaluator = Evaluator(NameScope(instance, names))
        instances.append((key, rendered(TfRecord(instance, record.source, record.block, evaluator=evaluator))))
    return instances


def select(value: Any, address: str, rest: list[Any]) -> Any:
    """What `data.ADDRESS` followed by `rest` reads from a rendered value: `x.json`, `x[0].json`, `x[*].json`."""
    if isinstance(value, list):  # instances of a count/for_each data source
        if rest and isinstance(rest[0], IndexStep):
            chosen = next((doc for k, doc in value if k == rest[0].key), None)
            if chosen is None:
                return Unknown(f"data.{address}[{rest[0].key!r}] does not exist")
            return get_path(chosen, rest[1:])
        return [doc for _, doc in value] if not rest or rest[0] != "json" else get_path(value[0][1], rest)
    if rest and isinstance(rest[0], IndexStep):
        rest = rest[1:]  # count/for_each not known: the one representative instance stands for all
    return get_path(value, rest)


def policy_document(record: TfRecord) -> Any:
    """Render the document the way the AWS provider does: source docs first, then own statements by sid."""
    statements: list[Any] = []
    for key in ("source_policy_documents", "source_json"):
        statements.extend(_statements_of(record.get(key)))
    own = [_statement(s) for s in record.blocks("statement")]
    by_sid = {s.get("Sid"): i for i, s in enumerate(statements) if isinstance(s, dict) and s.get("Sid")}
    for statement in own:
        sid = statement.get("Sid")
        if sid and sid in by_sid:
            statements[by_sid[sid]] = statement
        else:
            statements.append(statement)
    for key in ("override_policy_documents", "override_json"):
        for statement in _statements_of(record.get(key)):
            sid = statement.get("Sid") if isinstance(statement, dict) else None
            index = next(
                (i for i, s in enumerate(statements) if isinstance(s, dict) and sid and s.get("Sid") == sid), None
            )
            if index is None:
                statements.append(statement)
            else:
                statements[index] = statement
    document = LDict(line=record.block.line, end_line=record.block.end_line, path=record.path)
    version = record.get("version")
    document["Version"] = version if version is not None else "2012-10-17"
    document["Statement"] = statements
    return document


def _statements_of(value: Any) -> list[Any]:
    """Statements of a source document, which may be an Encoded doc, a JSON string or a list of those."""
    if value is None:
        return []
    if isinstance(value, list):
        return [s for item in value for s in _statements_of(item)]
    if isinstance(value, Encoded):
        value = value.value
    if isinstance(value, str):
        import json

        try:
            value = json.loads(value)
        except ValueError:
            return [Unknown("a source policy document is not valid JSON")]
    if isinstance(value, dict):
        statements = value.get("Statement", [])
        return statements if isinstance(statements, list) else [statements]
    return [value if isinstance(value, Unknown) else Unknown("a source policy document could not be evaluated")]


def _statement(block: TfRecord) -> LDict:
    statement = LDict(line=block.block.line, end_line=block.block.end_line, path=block.path)
    sid = block.get("sid")
    if sid is not None:
        statement["Sid"] = sid
    effect = block.get("effect")
    statement["Effect"] = "Allow" if effect is None else effect
    for key, name in _LIST_KEYS.items():
        if block.has(key):
            statement[name] = block.get(key)
    for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        blocks = block.blocks(key)
        if blocks:
            principal = LDict(line=blocks[0].block.line)
            for item in blocks:
                kind = item.get("type")
                identifiers = item.get("identifiers")
                kind_text = kind if isinstance(kind, str) else "?"
                if kind_text == "*" or (identifiers == ["*"] and kind_text == "*"):
                    principal = "*"  # type: ignore[assignment]
                    break
                existing = principal.get(kind_text, [])
                add = identifiers if isinstance(identifiers, list) else [identifiers]
                principal[kind_text] = list(existing) + list(add)
            statement[name] = principal
    conditions = block.blocks("condition")
    if conditions:
        condition = LDict(line=conditions[0].block.line)
        for item in conditions:
            test, variable, values = item.get("test"), item.get("variable"), item.get("values")
            if not isinstance(test, str) or not isinstance(variable, str):
                condition[f"?{len(condition)}"] = Unknown(f"condition on line {item.block.line} could not be evaluated")
                continue
            condition.setdefault(test, LDict(line=item.block.line))[variable] = values
        statement["Condition"] = condition
    return statement
