"""`.tf.json` files -> the same Body tree as HCL, with line numbers from a YAML node walk.

Terraform's JSON syntax writes expressions as `"${...}"` strings and nested blocks as objects; which
object is a block is decided by the block names identity code uses (the JSON syntax itself cannot say).
"""

from __future__ import annotations

import yaml

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.parse import hcl
from nhilint.parse.hcl import Attribute, Block, Body
from nhilint.parse.hcl_check import Problem
from nhilint.parse.tfjson_values import JsonSyntaxError as JsonSyntaxError
from nhilint.parse.tfjson_values import load_json

# Nested blocks that identity-related resources use; any other object value is an attribute map.
NESTED_BLOCKS = frozenset(
    {
        "inline_policy",
        "statement",
        "principals",
        "not_principals",
        "condition",
        "default_tags",
        "identity",
        "metadata",
        "rule",
        "role_ref",
        "subject",
        "secret",
        "service_account",
        "node_config",
        "template",
        "spec",
        "container_definitions",
        "lifecycle",
        "timeouts",
        "oidc",
        "aws",
        "assume_role",
        "aggregation_rule",
        "cluster_role_selectors",
        "restrictions",
    }
)

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def body_from_json(text: str, limits: Limits = DEFAULT_LIMITS) -> Body:
    """Parse Terraform JSON syntax. Raises JsonSyntaxError or HclLimitError (nesting deeper than max_depth)."""
    load_json(text, limits)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:  # valid JSON YAML cannot read (a tab before a value)
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise JsonSyntaxError(line, "JSON nhilint cannot read") from None
    if not isinstance(node, yaml.MappingNode):
        raise JsonSyntaxError(1, "a .tf.json file must hold a JSON object")
    problems: list[Problem] = []
    body = _top_body(node, problems)
    body.problems = problems
    return body


def _repeats(node: yaml.MappingNode, problems: list[Problem]) -> None:
    """JSON objects with a key written twice (JSON keeps the last; the repeat is reported, not its value)."""
    seen: set[str] = set()
    for key_node, _ in node.value:
        key = str(key_node.value)
        if key in seen:
            line = key_node.start_mark.line + 1
            problems.append((line, "duplicate-key", f"object key {key!r} is written more than once"))
        seen.add(key)


def _top_body(node: yaml.MappingNode, problems: list[Problem]) -> Body:
    _walk_repeats(node, problems)
    blocks: list[Block] = []
    attributes: dict[str, Attribute] = {}
    for key_node, value_node in node.value:
        block_type = str(key_node.value)
        label_count = {"resource": 2, "data": 2, "module": 1, "provider": 1, "variable": 1, "output": 1}
        depth = label_count.get(block_type, 0)
        for labels, inner in _labelled(value_node, depth):
            for item in inner if isinstance(inner, list) else [inner]:
                blocks.append(_block(block_type, labels, item))
    return Body(attributes, blocks)


def _walk_repeats(root: yaml.Node, problems: list[Problem]) -> None:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            _repeats(node, problems)
            stack.extend(value for _, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _labelled(node: yaml.Node, depth: int) -> list[tuple[tuple[str, ...], yaml.Node | list[yaml.Node]]]:
    if depth == 0:
        return [((), node.value if isinstance(node, yaml.SequenceNode) else node)]
    out: list[tuple[tuple[str, ...], yaml.Node | list[yaml.Node]]] = []
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    for item in items:
        if not isinstance(item, yaml.MappingNode):
            continue
        for key_node, value_node in item.value:
            for labels, inner in _labelled(value_node, depth - 1):
                out.append(((str(key_node.value), *labels), inner))
    return out


def _block(block_type: str, labels: tuple[str, ...], node: yaml.Node) -> Block:
    start, end = node.start_mark.line + 1, node.end_mark.line + 1
    block = Block(block_type, labels, start, end)
    block._body = _body(node) if isinstance(node, yaml.MappingNode) else Body({}, [])
    return block


def _body(node: yaml.MappingNode) -> Body:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key in NESTED_BLOCKS and isinstance(value_node, yaml.MappingNode | yaml.SequenceNode):
            items = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            blocks.extend(_block(key, (), item) for item in items if isinstance(item, yaml.MappingNode))
            continue
        line = key_node.start_mark.line + 1
        attributes[key] = Attribute(key, _expr(value_node), line, value_node.end_mark.line + 1)
    return Body(attributes, blocks)


def _expr(node: yaml.Node) -> hcl.Expr:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        items = tuple((hcl.Literal(str(k.value), k.start_mark.line + 1), _expr(v)) for k, v in node.value)
        return hcl.ObjectExpr(items, line, node.end_mark.line + 1)
    if isinstance(node, yaml.SequenceNode):
        return hcl.TupleExpr(tuple(_expr(v) for v in node.value), line, node.end_mark.line + 1)
    tag = node.tag.rsplit(":", 1)[-1]
    if tag == "int":
        return hcl.Literal(int(node.value), line)
    if tag == "float":
        return hcl.Literal(float(node.value), line)
    if tag == "bool":
        return hcl.Literal(node.value == "true", line)
    if tag == "null":
        return hcl.Literal(None, line)
    return hcl.template_from_text(str(node.value), line)
