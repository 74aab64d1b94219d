"""Variable type constraints: what Terraform's conversion adds to a value before the module sees it.

A `variable` with `type = map(object({ tags = optional(map(string), {}) }))` receives each object with every
declared attribute: an attribute the caller left out is null, or the `optional(...)` default. Without this a
module that reads `each.value.tags` would see a missing key where Terraform sees `{}` or null. Only the
structure is converted (objects, maps, lists, sets, tuples); primitive values are kept as they are, and an
Unknown stays Unknown. Extra attributes are kept: dropping them would only turn a readable value into an error.

`-var NAME=VALUE` values are read here too, by the variable's type, as Terraform reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nhilint.parse import hcl
from nhilint.parse.hcl_eval import Budget, Evaluator
from nhilint.values import LDict, Unknown, deep_unknown

_COLLECTIONS = frozenset({"map", "list", "set"})


def convert(value: Any, type_expr: hcl.Expr, evaluate: Callable[[hcl.Expr], Any], depth: int = 0) -> Any:
    """`value` as a variable of type `type_expr` receives it; `evaluate` computes `optional()` defaults."""
    if value is None or isinstance(value, Unknown) or depth > 32 or not isinstance(type_expr, hcl.Call):
        return value
    name, args = type_expr.name, type_expr.args
    if name in _COLLECTIONS and len(args) == 1:
        if isinstance(value, dict):
            return _copy(value, {k: convert(v, args[0], evaluate, depth + 1) for k, v in value.items()})
        if isinstance(value, list):
            return [convert(v, args[0], evaluate, depth + 1) for v in value]
        return value
    if name == "tuple" and len(args) == 1 and isinstance(args[0], hcl.TupleExpr) and isinstance(value, list):
        kinds = args[0].items
        return [convert(v, kinds[i], evaluate, depth + 1) if i < len(kinds) else v for i, v in enumerate(value)]
    if name == "object" and len(args) == 1 and isinstance(args[0], hcl.ObjectExpr) and isinstance(value, dict):
        return _object(value, args[0], evaluate, depth)
    return value


def _object(value: dict[str, Any], spec: hcl.ObjectExpr, evaluate: Callable[[hcl.Expr], Any], depth: int) -> Any:
    items = dict(value)
    for key_expr, kind in spec.items:
        key = _attribute_name(key_expr)
        if key is None:
            continue
        optional = isinstance(kind, hcl.Call) and kind.name == "optional" and kind.args
        inner = kind.args[0] if optional and isinstance(kind, hcl.Call) else kind
        if key in items:
            items[key] = convert(items[key], inner, evaluate, depth + 1)
        elif optional and isinstance(kind, hcl.Call):
            default = evaluate(kind.args[1]) if len(kind.args) > 1 else None
            items[key] = convert(default, inner, evaluate, depth + 1)
        # a required attribute the caller left out: Terraform refuses the call; nothing to add
    return _copy(value, items)


def _attribute_name(expr: hcl.Expr) -> str | None:
    if isinstance(expr, hcl.Name):
        return expr.name
    if isinstance(expr, hcl.Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, hcl.Template) and len(expr.parts) == 1 and isinstance(expr.parts[0], str):
        return expr.parts[0]
    return None


def _copy(original: dict[str, Any], items: dict[str, Any]) -> dict[str, Any]:
    """The converted mapping, keeping where the original was written (findings point there)."""
    if not isinstance(original, LDict):
        return items
    copy = LDict(items.items(), original.line, original.end_line, original.path)
    copy.key_lines = original.key_lines
    return copy


class CommandLineValue(str):
    """A `-var NAME=VALUE` value as typed: what it means depends on the variable's type (`from_command_line`)."""


class _Literals:
    """The scope of a `-var` value: no names at all (Terraform refuses references there too)."""

    budget = Budget()

    def resolve(self, name: str, steps: list[Any], line: int) -> Any:
        return Unknown(f"the value refers to {name}, which a -var value cannot do")

    def read_file(self, path: str) -> str | Unknown:
        return Unknown("a -var value cannot read files")


def from_command_line(text: str, type_expr: hcl.Expr | None, name: str) -> Any:
    """`-var NAME=VALUE` as Terraform reads it: the text itself for a string (or untyped) variable, a number or
    bool for those types, and an HCL expression (`["a","b"]`, `{ k = "v" }`) for a collection or object type.

    A value that is not of the type is Unknown with a reason that never quotes the value (it may be a secret);
    `command_line_problem` turns that reason into a usage error before the scan."""
    if isinstance(type_expr, hcl.Name) and type_expr.name == "number":
        try:
            return float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            return Unknown(f"-var {name}: the value is not a number")
    if isinstance(type_expr, hcl.Name) and type_expr.name == "bool":
        return {"true": True, "false": False}.get(text.strip(), Unknown(f"-var {name}: the value is not true or false"))
    if not isinstance(type_expr, hcl.Call):
        return str(text)
    kind = type_expr.name
    try:
        expr = hcl.parse_expression(text)
    except (hcl.HclSyntaxError, hcl.HclLimitError):
        return Unknown(f"-var {name}: the value is not a valid HCL expression for its {kind}() type")
    value = Evaluator(_Literals()).eval(expr)
    missing = deep_unknown(value)
    if missing is not None:
        return Unknown(f"-var {name}: {missing.reason}")
    shape = "list" if kind in _SEQUENCES else "map" if kind in _MAPPINGS else None
    if shape is not None and not isinstance(value, list if shape == "list" else dict):
        return Unknown(f"-var {name}: the value is not a {shape} for its {kind}() type")
    return value


_SEQUENCES = frozenset({"list", "set", "tuple"})
_MAPPINGS = frozenset({"map", "object"})


def command_line_problem(text: str, type_expr: hcl.Expr | None, name: str) -> str | None:
    """Why `-var NAME=text` is not a value of the declared type (as Terraform refuses it), else None."""
    value = from_command_line(text, type_expr, name)
    return value.reason if isinstance(value, Unknown) else None
