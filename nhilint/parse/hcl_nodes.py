"""The expression nodes of nhilint's HCL syntax tree (nhilint.parse.hcl builds them), with line numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

# --- expression nodes -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    value: str | int | float | bool | None
    line: int


@dataclass(frozen=True, slots=True)
class Template:
    """A string with interpolations; parts are literal text or expressions."""

    parts: tuple[str | Expr, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Name:
    """A bare identifier: `var`, `local`, `aws_iam_role`, `count`, `each`, a for-loop variable."""

    name: str
    line: int


@dataclass(frozen=True, slots=True)
class GetAttr:
    base: Expr
    name: str
    line: int


@dataclass(frozen=True, slots=True)
class Index:
    base: Expr
    key: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Splat:
    """`base[*].a.b` or `base.*.a`: apply `steps` (attribute names or index expressions) to each element."""

    base: Expr
    steps: tuple[str | Expr, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    line: int
    expand_last: bool = False


@dataclass(frozen=True, slots=True)
class TupleExpr:
    items: tuple[Expr, ...]
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class ObjectExpr:
    items: tuple[tuple[Expr, Expr], ...]
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class Conditional:
    test: Expr
    then: Expr
    otherwise: Expr
    line: int


@dataclass(frozen=True, slots=True)
class BinaryOp:
    op: str
    left: Expr
    right: Expr
    line: int


@dataclass(frozen=True, slots=True)
class UnaryOp:
    op: str
    operand: Expr
    line: int


@dataclass(frozen=True, slots=True)
class ForExpr:
    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None  # None for a tuple comprehension
    value: Expr
    condition: Expr | None
    grouping: bool
    line: int


@dataclass(frozen=True, slots=True)
class Unsupported:
    """Syntax nhilint does not evaluate (template directives, provider functions), or an expression over a
    limit (`limit` names it): evaluating that reports the limit (NHI-PARSE-004) instead of a quiet Unknown."""

    what: str
    line: int
    limit: str | None = None


Expr = Union[  # noqa: UP007 - a runtime alias over forward-declared classes
    Literal,
    Template,
    Name,
    GetAttr,
    Index,
    Splat,
    Call,
    TupleExpr,
    ObjectExpr,
    Conditional,
    BinaryOp,
    UnaryOp,
    ForExpr,
    Unsupported,
]


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: Expr
    line: int
    end_line: int
