"""Body and Block, the top of nhilint's HCL tree, without lark: what the parse cache decodes into.

A Block parsed from text may keep its body as a Lark parse tree, converted on first access. The converter
lives in nhilint/parse/hcl_convert.py (which imports lark) and registers itself here when it is imported,
which it always is before any such Block exists; a Block decoded from the cache has no tree.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from nhilint.limits import Limits
from nhilint.parse.hcl_check import Problem
from nhilint.parse.hcl_nodes import Attribute

if TYPE_CHECKING:
    from lark import Tree

AnyTree: TypeAlias = "Tree[Any]"

_CONVERTER: list[Callable[[Any], Body]] = []


def set_converter(convert: Callable[[Any], Body]) -> None:
    """Register the parse-tree -> Body converter (nhilint.parse.hcl_convert does, once)."""
    _CONVERTER[:] = [convert]


@dataclass(slots=True)
class Block:
    """A block: `type "label" "label" { ... }`. The body is converted on first access."""

    type: str
    labels: tuple[str, ...]
    line: int
    end_line: int
    _tree: AnyTree | None = field(default=None, repr=False)
    _body: Body | None = field(default=None, repr=False)

    @property
    def body(self) -> Body:
        if self._body is None:
            assert self._tree is not None
            self._body = _CONVERTER[0](self._tree)
            self._tree = None
        return self._body


@dataclass(slots=True)
class Body:
    attributes: dict[str, Attribute]
    blocks: list[Block]
    problems: list[Problem] = field(default_factory=list)  # found while parsing the file (top-level body)

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


def ensure_stack(limits: Limits) -> None:
    """Room on the Python stack for `max_depth` levels: one level of nesting takes several frames to convert
    and evaluate (a chain of locals about six). Never lowers the limit; 3.11+ frames cost no C stack."""
    needed = limits.max_depth * 30 + 2000
    if sys.getrecursionlimit() < needed:
        sys.setrecursionlimit(needed)
