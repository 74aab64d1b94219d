"""Line-tracking safe YAML/JSON loading shared by CloudFormation, Kubernetes and JSON policies.

Mappings become LDict: a dict that remembers its start and end line and the line of each key (findings
point at the key a user edits); nothing is injected into the data. The C loader is used when PyYAML has
it. Short-form CloudFormation tags become their long form (`!Ref X` -> `{"Ref": "X"}`, `!GetAtt A.B` ->
`{"Fn::GetAtt": ["A", "B"]}`, `!Sub` -> `{"Fn::Sub": ...}`). Anchors and aliases are expanded with a node
budget, so a "billion laughs" document is an error, not a hang; `<<` merge keys are honoured.
"""

from __future__ import annotations

from typing import Any

import yaml

from nhilint.parse.hcl_eval import LDict

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_NODES = 1_000_000
_STANDARD_TAG = "tag:yaml.org,2002:"


class YamlBudgetError(ValueError):
    """The document expands (through aliases) to more nodes than any real template has."""

    def __init__(self, line: int) -> None:
        super().__init__(f"document expands to more than {MAX_NODES} nodes (alias bomb?)")
        self.line = line


def error_line(exc: yaml.YAMLError | YamlBudgetError) -> int:
    """The 1-based line a YAML error points at."""
    if isinstance(exc, YamlBudgetError):
        return exc.line
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 1


def load_located(text: str, base_line: int = 1) -> Any:
    """Load one YAML/JSON document; mappings come back as LDict with 1-based lines shifted by base_line."""
    node = yaml.compose(str(text), Loader=LOADER)  # the C parser rejects str subclasses
    if node is None:
        return None
    return located(node, base_line - 1, [0])


def load_all_located(text: str) -> list[tuple[int, Any]]:
    """Every document of a multi-document stream, with the line it starts on. Empty documents are skipped."""
    budget = [0]
    documents = []
    for node in yaml.compose_all(str(text), Loader=LOADER):
        value = located(node, 0, budget) if node is not None else None
        if value is not None:
            documents.append((node.start_mark.line + 1, value))
    return documents


def located(node: yaml.Node, offset: int, budget: list[int]) -> Any:
    budget[0] += 1
    if budget[0] > MAX_NODES:
        raise YamlBudgetError(node.start_mark.line + 1 + offset)
    tag = node.tag or ""
    if tag.startswith("!") and not tag.startswith("!!"):
        return _short_form(tag[1:], node, offset, budget)
    if isinstance(node, yaml.MappingNode):
        return _mapping(node, offset, budget)
    if isinstance(node, yaml.SequenceNode):
        return [located(item, offset, budget) for item in node.value]
    return _scalar(node)


def _mapping(node: yaml.MappingNode, offset: int, budget: list[int]) -> LDict:
    result = LDict(line=node.start_mark.line + 1 + offset, end_line=node.end_mark.line + 1 + offset)
    key_lines: dict[str, int] = {}
    merged: list[LDict] = []
    for key_node, value_node in node.value:
        if key_node.tag == f"{_STANDARD_TAG}merge":
            value = located(value_node, offset, budget)
            merged.extend(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, LDict))
            continue
        key = str(located(key_node, offset, budget))
        result[key] = located(value_node, offset, budget)
        key_lines[key] = key_node.start_mark.line + 1 + offset
    for source in merged:  # explicit keys win over merged ones
        for key, value in source.items():
            if key not in result:
                result[key] = value
                key_lines[key] = source.line_of(key)
    result.key_lines = key_lines
    return result


def _short_form(name: str, node: yaml.Node, offset: int, budget: list[int]) -> LDict:
    """`!Ref X`, `!GetAtt A.B`, `!Sub ...`, `!If [...]`: the long form CloudFormation means."""
    if isinstance(node, yaml.ScalarNode):
        value: Any = node.value
        if name == "GetAtt" and isinstance(value, str) and "." in value:
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = [located(item, offset, budget) for item in node.value]
    else:
        value = _mapping(node, offset, budget)  # type: ignore[arg-type]
    key = name if name in ("Ref", "Condition") else f"Fn::{name}"
    line = node.start_mark.line + 1 + offset
    result = LDict([(key, value)], line=line, end_line=node.end_mark.line + 1 + offset)
    result.key_lines = {key: line}
    return result


def _scalar(node: yaml.Node) -> Any:
    tag = node.tag.removeprefix(_STANDARD_TAG)
    value = node.value
    if tag == "str" or not isinstance(value, str):
        return value
    if tag == "int":
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag == "float":
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    if tag == "bool":
        return value.lower() in ("true", "yes", "on", "y")
    if tag == "null":
        return None
    return value
