"""Checks on python-hcl2's Lark parse tree before nhilint converts it: nesting depth and repeated keys.

Lark's LALR parser builds any depth without recursion, but converting and evaluating the tree recurses
once per level, so the depth is measured here, iteratively, over the whole file (bodies are converted
lazily, later, when a problem could no longer be reported). Repeated attributes and object keys are found
here too: the converted tree keeps Terraform's last-wins value, and the repetition is reported
(NHI-PARSE-005) at the line of the repeat, naming the key, never its value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nhilint.limits import Limits
from nhilint.model_inputs import InputProblem

if TYPE_CHECKING:  # lark is imported only where a parse tree is checked: a cached run never loads it
    from lark import Tree

Problem = tuple[int, InputProblem, str]
"""(line, kind, reason) of a problem found while parsing one file; the caller adds the path."""

# Nodes that each add one level of expression or block nesting.
_NESTING = frozenset({"expr_term", "binary_op", "block"})


class HclSyntaxError(Exception):
    """The text is not valid HCL; carries the 1-based line a user should look at."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class HclLimitError(Exception):
    """The text is over a limit (nesting depth): the file is not evaluated; carries the line and the reason."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def check_tree(tree: Tree[Any], limits: Limits) -> list[Problem]:
    """Raise HclLimitError if the tree nests deeper than max_depth; return the repeated keys found."""
    from lark import Tree

    problems: list[Problem] = []
    stack: list[tuple[Tree[Any], int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data in _NESTING:
            depth += 1
            if depth > limits.max_depth:
                line = node.meta.line if not node.meta.empty else 1
                raise HclLimitError(line, f"{limits.describe('max_depth')} exceeded: expressions nested too deeply")
        if node.data == "body":
            _repeats(node, "attribute", "attribute", problems)
        elif node.data == "object":
            _repeats(node, "object_elem", "object key", problems)
        stack.extend((child, depth) for child in node.children if isinstance(child, Tree))
    return problems


def _repeats(node: Tree[Any], data: str, what: str, problems: list[Problem]) -> None:
    from lark import Tree

    seen: set[str] = set()
    for child in node.children:
        if isinstance(child, Tree) and child.data == data:
            name = _key(child.children[0])
            if name is None:
                continue
            if name in seen:
                problems.append((child.meta.line, "duplicate-key", f"{what} {name!r} is written more than once"))
            seen.add(name)


def _key(tree: Any) -> str | None:
    """The literal name of an attribute or object key (`a`, `"a"`); None for a computed key."""
    from lark import Token, Tree

    if isinstance(tree, Tree) and tree.data == "object_elem_key":
        kids = [k for k in tree.children if isinstance(k, Tree)]
        tree = kids[0] if len(kids) == 1 else None
    if not isinstance(tree, Tree):
        return None
    if tree.data == "identifier":
        return str(tree.children[0])
    if tree.data == "string" and all(
        isinstance(p, Tree) and p.children and isinstance(p.children[0], Token) for p in tree.children
    ):
        return "".join(str(p.children[0]) for p in tree.children)
    return None


_TOKEN_KINDS = {
    "$END": "end of file",
    "NL_OR_COMMENT": "newline or comment",
    "NAME": "identifier",
    "STRING_CHARS": "string literal",
    "ESCAPED_INTERPOLATION": "string literal",
    "DECIMAL": "number",
    "NEGATIVE_DECIMAL": "number",
    "EXP_MARK": "number",
    "BINARY_OP": "operator",
    "EQ": "'='",
    "__ANON_1": "heredoc",
    "__ANON_2": "heredoc",
}


def token_kind(type_: str, parser: Any) -> str:
    """What a Lark token is, for a message: its kind, or the grammar's fixed text (`'{'`, `'for'`)."""
    if type_ in _TOKEN_KINDS:
        return _TOKEN_KINDS[type_]
    fixed = {t.name: t.pattern.value for t in parser.terminals if t.pattern.type == "str"}
    return repr(fixed[type_]) if type_ in fixed else "token"
