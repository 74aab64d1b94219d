"""Line-tracking safe YAML/JSON loading: mappings become LDict (dict + start/end line), nothing injected.

Used for JSON policies in heredocs and files; CloudFormation and Kubernetes share it. The C loader is used
when PyYAML has it. Anchors and aliases are expanded with a node budget, so a "billion laughs" document is
an error, not a hang.
"""

from __future__ import annotations

from typing import Any

import yaml

from nhilint.parse.hcl_eval import LDict

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_NODES = 1_000_000


class YamlBudgetError(ValueError):
    """The document expands (through aliases) to more nodes than any real template has."""


def load_located(text: str, base_line: int = 1) -> Any:
    """Load one YAML/JSON document; mappings come back as LDict with 1-based lines shifted by base_line."""
    node = yaml.compose(str(text), Loader=LOADER)  # the C parser rejects str subclasses
    if node is None:
        return None
    return located(node, base_line - 1, [0])


def located(node: yaml.Node, offset: int, budget: list[int]) -> Any:
    budget[0] += 1
    if budget[0] > MAX_NODES:
        raise YamlBudgetError(f"document expands to more than {MAX_NODES} nodes (alias bomb?)")
    if isinstance(node, yaml.MappingNode):
        result = LDict(line=node.start_mark.line + 1 + offset, end_line=node.end_mark.line + 1 + offset)
        for key_node, value_node in node.value:
            key = located(key_node, offset, budget)
            result[str(key)] = located(value_node, offset, budget)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [located(item, offset, budget) for item in node.value]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    tag = node.tag.rsplit(":", 1)[-1]
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
