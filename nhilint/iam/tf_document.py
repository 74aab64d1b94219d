"""`data "aws_iam_policy_document"` -> the IAM JSON document it renders, with statement lines kept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nhilint.values import Encoded, LDict, Unknown

if TYPE_CHECKING:
    from nhilint.parse.terraform import TfRecord

_LIST_KEYS = {
    "actions": "Action",
    "not_actions": "NotAction",
    "resources": "Resource",
    "not_resources": "NotResource",
}


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
