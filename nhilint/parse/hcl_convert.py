"""Lark parse tree -> nhilint's typed HCL nodes: the half of the python-hcl2 adapter that needs lark.

Split from nhilint/parse/hcl.py so that a run served by the parse cache never imports lark (about 0.1 s of
every pre-commit run): nhilint.parse.hcl imports this module only when it has text to parse, and a Block
whose body is still a parse tree converts it through the hook this module registers (hcl_body.set_converter).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeAlias

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.parse import hcl_templates
from nhilint.parse.hcl_body import Block, Body, ensure_stack, set_converter
from nhilint.parse.hcl_check import HclSyntaxError, check_tree, token_kind
from nhilint.parse.hcl_nodes import (
    Attribute,
    BinaryOp,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    Name,
    ObjectExpr,
    Splat,
    TupleExpr,
    UnaryOp,
    Unsupported,
)
from nhilint.parse.hcl_templates import template_parts

AnyTree: TypeAlias = "Tree[Any]"


@functools.lru_cache(maxsize=1)
def parser() -> Any:
    """python-hcl2's Lark parser (it loads its pickled LALR tables once per process)."""
    from hcl2.parser import parser as hcl2_parser

    return hcl2_parser()


def parse_text(
    text: str,
    keep: Callable[[str, tuple[str, ...]], bool] | None = None,
    lazy: bool = True,
    limits: Limits = DEFAULT_LIMITS,
) -> Body:
    """nhilint.parse.hcl.parse_hcl's work (see there)."""
    ensure_stack(limits)
    try:
        tree = parser().parse(text + "\n")
    except UnexpectedCharacters as exc:
        raise HclSyntaxError(exc.line, f"unexpected character at column {exc.column}") from None
    except UnexpectedToken as exc:
        line = exc.line if exc.line > 0 else _last_line(text)
        raise HclSyntaxError(line, f"unexpected {token_kind(exc.token.type, parser())}") from None
    except UnexpectedEOF:
        raise HclSyntaxError(_last_line(text), "unexpected end of file") from None
    except UnexpectedInput as exc:  # pragma: no cover - other lark input errors
        raise HclSyntaxError(getattr(exc, "line", 1), "invalid syntax") from None
    problems = check_tree(tree, limits)
    body = _body(tree.children[0], lazy=lazy, keep=keep)
    body.problems = problems
    return body


def parse_expression(text: str, line: int = 1) -> Expr:
    """Parse one expression (used for `${...}` inside heredocs); line numbers are shifted to `line`."""
    body = parse_text(("\n" * (line - 1)) + f"__nhilint_expr = {text}")
    return body.attributes["__nhilint_expr"].expr


def _last_line(text: str) -> int:
    return max(1, text.count("\n") + 1)


def _body(tree: AnyTree, lazy: bool = False, keep: Callable[[str, tuple[str, ...]], bool] | None = None) -> Body:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for child in tree.children:
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            name = _identifier(child.children[0])
            attributes[name] = Attribute(name, _expr(child.children[-1]), child.meta.line, child.meta.end_line)
        elif child.data == "block":
            blocks.append(_block(child, lazy, keep))
    return Body(attributes, blocks)


def _block(tree: AnyTree, lazy: bool, keep: Callable[[str, tuple[str, ...]], bool] | None = None) -> Block:
    kids = [c for c in tree.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
    type_ = _identifier(kids[0])
    labels = tuple(_label(k) for k in kids[1:-1])
    body_tree = kids[-1]
    block = Block(type_, labels, tree.meta.line, tree.meta.end_line)
    if keep is not None and not keep(type_, labels):
        block._body = Body({}, [])
    elif lazy:
        block._tree = body_tree
    else:
        block._body = _body(body_tree)
    return block


def _label(tree: AnyTree) -> str:
    if tree.data == "identifier":
        return _identifier(tree)
    return "".join(_unescape(str(p.children[0])) for p in tree.children if isinstance(p.children[0], Token))


def _identifier(tree: AnyTree) -> str:
    return str(tree.children[0])


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)")


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def repl(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE_RE.sub(repl, text)


def _children(tree: AnyTree) -> list[AnyTree]:
    return [c for c in tree.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def _expr(node: AnyTree | Token) -> Expr:
    if isinstance(node, Token):
        return Literal(str(node), node.line or 0)
    data = node.data
    line = node.meta.line if not node.meta.empty else 0
    if data == "expr_term":
        kids = _children(node)
        return _expr(kids[0]) if kids else Literal(None, line)
    if data == "identifier":
        name = _identifier(node)
        if name in ("true", "false"):
            return Literal(name == "true", line)
        if name == "null":
            return Literal(None, line)
        return Name(name, line)
    if data == "string":
        return _string(node, line)
    if data == "int_lit":
        return Literal(int("".join(str(t) for t in node.children)), line)
    if data == "float_lit":
        return Literal(float("".join(str(t) for t in node.children)), line)
    if data == "tuple":
        return TupleExpr(tuple(_expr(k) for k in _children(node)), line, node.meta.end_line)
    if data == "object":
        items = []
        for elem in _children(node):
            key_tree, value_tree = elem.children[0], elem.children[-1]
            items.append((_object_key(key_tree), _expr(value_tree)))
        return ObjectExpr(tuple(items), line, node.meta.end_line)
    if data == "function_call":
        kids = _children(node)
        name = _identifier(kids[0])
        args: tuple[Expr, ...] = ()
        expand = False
        if len(kids) > 1:
            args = tuple(_expr(a) for a in _children(kids[1]))
            expand = any(isinstance(t, Token) and str(t) == "..." for t in kids[1].children)
        return Call(name, args, line, expand)
    if data == "provider_function_call":
        return Unsupported("provider function call", line)
    if data == "get_attr_expr_term":
        base, attr = _children(node)
        return GetAttr(_expr(base), _identifier(attr.children[0]), line)
    if data == "index_expr_term":
        base, index = _children(node)
        return Index(_expr(base), _index_key(index), line)
    if data in ("attr_splat_expr_term", "full_splat_expr_term"):
        base, splat = _children(node)
        steps: list[str | Expr] = []
        for step in _children(splat):
            if step.data == "get_attr":
                steps.append(_identifier(step.children[0]))
            else:
                steps.append(_index_key(step))
        return Splat(_expr(base), tuple(steps), line)
    if data == "conditional":
        test, then, otherwise = _children(node)
        return Conditional(_expr(test), _expr(then), _expr(otherwise), line)
    if data == "binary_op":
        return _binary(node, line)
    if data == "unary_op":
        op = str(node.children[0])
        return UnaryOp(op, _expr(node.children[1]), line)
    if data in ("heredoc_template", "heredoc_template_trim"):
        return hcl_templates.heredoc(str(node.children[0]), line, data.endswith("trim"), parse_expression)
    if data in ("for_tuple_expr", "for_object_expr"):
        return _for(node, line)
    if data == "interpolation":
        return _expr(_children(node)[0])
    return Unsupported(data, line)


_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    ">": 4,
    "<=": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}


def _binary(node: AnyTree, line: int) -> Expr:
    """Rebuild an operator chain with HCL precedence.

    python-hcl2's grammar nests every chain to the right (`a * b + c` as `a * (b + c)`) and lets a
    conditional bind tighter than a comparison (`x == "a" ? 1 : 2`); parenthesised terms stay intact.
    """
    operands: list[Expr] = []
    operators: list[str] = []
    tail: AnyTree | None = None
    current: AnyTree = node
    while True:
        kids = _children(current)
        operands.append(_expr(kids[0]))
        term_kids = _children(kids[1])
        operators.append(str(term_kids[0].children[0]))
        right = term_kids[1]
        if isinstance(right, Tree) and right.data == "binary_op":
            current = right
            continue
        if isinstance(right, Tree) and right.data == "conditional":
            tail = right
            test_tree = _children(right)[0]
            if isinstance(test_tree, Tree) and test_tree.data == "binary_op":
                current = test_tree
                continue
            operands.append(_expr(test_tree))
        else:
            operands.append(_expr(right))
        break
    expr = _fold(operands, operators, line)
    if tail is not None:
        _, then, otherwise = _children(tail)
        return Conditional(expr, _expr(then), _expr(otherwise), line)
    return expr


def _fold(operands: list[Expr], operators: list[str], line: int) -> Expr:
    output: list[Expr] = [operands[0]]
    stack: list[str] = []

    def reduce() -> None:
        op = stack.pop()
        right = output.pop()
        left = output.pop()
        output.append(BinaryOp(op, left, right, line))

    for op, operand in zip(operators, operands[1:], strict=True):
        while stack and _PRECEDENCE.get(stack[-1], 0) >= _PRECEDENCE.get(op, 0):
            reduce()
        stack.append(op)
        output.append(operand)
    while stack:
        reduce()
    return output[0]


def _object_key(tree: AnyTree) -> Expr:
    inner = _children(tree)[0] if _children(tree) else tree
    if inner.data == "identifier":
        return Literal(_identifier(inner), inner.meta.line)
    if inner.data == "object_elem_key_dot_accessor":
        return Literal(".".join(_identifier(i) for i in _children(inner)), inner.meta.line)
    if inner.data == "object_elem_key_expression":
        return _expr(_children(inner)[0])
    return _expr(inner)


def _index_key(index: AnyTree) -> Expr:
    kids = _children(index)
    if kids:
        return _expr(kids[0])
    return Literal(int("".join(str(t) for t in index.children if isinstance(t, Token))), index.meta.line)


def _string(node: AnyTree, line: int) -> Expr:
    parts: list[str | Expr] = []
    for part in node.children:
        if not isinstance(part, Tree):
            continue
        inner = part.children[0]
        if isinstance(inner, Token):
            text = str(inner)
            if inner.type == "ESCAPED_INTERPOLATION":
                parts.append(text[1:])  # `$${x}` is the literal text `${x}`
            else:
                parts.append(_unescape(text).replace("%%{", "%{"))
        else:
            parts.append(_expr(inner))
    return template_parts(parts, line)


def _for(node: AnyTree, line: int) -> Expr:
    kids = _children(node)
    intro = kids[0]
    intro_kids = _children(intro)
    names = [_identifier(k) for k in intro_kids if k.data == "identifier"]
    collection = _expr(intro_kids[-1])
    rest = kids[1:]
    condition = None
    if rest and rest[-1].data == "for_cond":
        condition = _expr(_children(rest[-1])[0])
        rest = rest[:-1]
    key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
    grouping = any(isinstance(t, Token) and str(t) == "..." for t in node.children)
    if node.data == "for_tuple_expr":
        return ForExpr(key_var, value_var, collection, None, _expr(rest[0]), condition, False, line)
    return ForExpr(key_var, value_var, collection, _expr(rest[0]), _expr(rest[1]), condition, grouping, line)


set_converter(_body)
