"""The one adapter over python-hcl2: HCL text -> a small typed syntax tree with line numbers.

python-hcl2's dict output turns expressions back into strings and loses quotes inside function calls
(`concat(["a"], x)` comes out as `concat([a], x)`), so nhilint reads its Lark parse tree instead and keeps
every expression as a node. Block bodies are converted lazily: a large repository is mostly resources no
rule looks at, and parsing is where the time goes.

This module is the API and imports no lark: a run whose files all come from the parse cache never loads
the parser (nhilint/parse/hcl_convert.py holds the lark half, imported on the first text to parse).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.parse import hcl_templates
from nhilint.parse.hcl_body import Block as Block
from nhilint.parse.hcl_body import Body as Body
from nhilint.parse.hcl_body import ensure_stack as ensure_stack
from nhilint.parse.hcl_check import HclLimitError as HclLimitError
from nhilint.parse.hcl_check import HclSyntaxError as HclSyntaxError
from nhilint.parse.hcl_nodes import (
    Attribute as Attribute,
)
from nhilint.parse.hcl_nodes import (
    BinaryOp as BinaryOp,
)
from nhilint.parse.hcl_nodes import (
    Call as Call,
)
from nhilint.parse.hcl_nodes import (
    Conditional as Conditional,
)
from nhilint.parse.hcl_nodes import (
    Expr as Expr,
)
from nhilint.parse.hcl_nodes import (
    ForExpr as ForExpr,
)
from nhilint.parse.hcl_nodes import (
    GetAttr as GetAttr,
)
from nhilint.parse.hcl_nodes import (
    Index as Index,
)
from nhilint.parse.hcl_nodes import (
    Literal as Literal,
)
from nhilint.parse.hcl_nodes import (
    Name as Name,
)
from nhilint.parse.hcl_nodes import (
    ObjectExpr as ObjectExpr,
)
from nhilint.parse.hcl_nodes import (
    Splat as Splat,
)
from nhilint.parse.hcl_nodes import (
    Template as Template,
)
from nhilint.parse.hcl_nodes import (
    TupleExpr as TupleExpr,
)
from nhilint.parse.hcl_nodes import (
    UnaryOp as UnaryOp,
)
from nhilint.parse.hcl_nodes import (
    Unsupported as Unsupported,
)


def _parser() -> Any:
    from nhilint.parse import hcl_convert

    return hcl_convert.parser()


def parse_hcl(
    text: str,
    keep: Callable[[str, tuple[str, ...]], bool] | None = None,
    lazy: bool = True,
    limits: Limits = DEFAULT_LIMITS,
) -> Body:
    """Parse HCL text into a Body whose top-level block bodies are converted lazily.

    `keep(type, labels)` says which top-level blocks need their body at all; the others keep only their
    header and lines, so a large repository does not hold the parse tree of every S3 bucket in memory.
    `lazy=False` converts everything now (a worker process must return plain, picklable nodes).
    Raises HclSyntaxError, or HclLimitError when the text nests deeper than `limits.max_depth`; repeated
    keys are in `Body.problems`. Error messages name token types, never the file's text (it may be a secret).
    """
    from nhilint.parse import hcl_convert

    return hcl_convert.parse_text(text, keep, lazy, limits)


def parse_expression(text: str, line: int = 1) -> Expr:
    """Parse one expression (used for `${...}` inside heredocs); line numbers are shifted to `line`."""
    from nhilint.parse import hcl_convert

    return hcl_convert.parse_expression(text, line)


def template_from_text(text: str, line: int) -> Expr:
    """Template text (a heredoc, a file read by templatefile, a `.tf.json` string) -> a Literal or a Template."""
    return hcl_templates.template_from_text(text, line, parse_expression)
