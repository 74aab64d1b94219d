"""A small, safe evaluator for the Terraform expressions identity code really uses.

It knows literals, templates, `var`/`local`/`module`/resource references (through a Scope), conditionals,
comprehensions and a set of pure functions. Anything else evaluates to `Unknown(reason)`: nhilint never
guesses, and a rule that meets an Unknown says "could not evaluate".

Two value types keep what plain JSON would lose:
- `Ref(address, attribute)`: a reference to another resource (`aws_iam_role.ci.arn`) is kept as the link it
  is, so extractors can connect grants and usages to identities.
- `Encoded(value)`: `jsonencode(...)` and policy documents keep their structure (with Unknowns and line
  numbers inside) instead of becoming a string.
Object literals evaluate to `LDict`, a dict that remembers the line it was written on.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from nhilint.model import Unknown
from nhilint.parse import hcl
from nhilint.parse.hcl import Expr


class LDict(dict[str, Any]):
    """A dict from an object literal or policy block, with the line it starts on."""

    __slots__ = ("end_line", "key_lines", "line", "path")

    def __init__(
        self, items: Iterable[tuple[str, Any]] = (), line: int = 0, end_line: int = 0, path: str | None = None
    ) -> None:
        super().__init__(items)
        self.line = line
        self.end_line = end_line or line
        self.path = path
        self.key_lines: dict[str, int] | None = None  # YAML: the line of each key, where findings point

    def line_of(self, key: str) -> int:
        """The line a key is written on (YAML), else the line of the mapping."""
        return (self.key_lines or {}).get(key, self.line)


class SourceText(str):
    """Text read by `file()`, remembering which file it came from (for line numbers in findings)."""

    path: str


def source_text(text: str, path: str) -> SourceText:
    result = SourceText(text)
    result.path = path
    return result


def stamp_path(value: Any, path: str) -> Any:
    """Record on every object literal inside value the file it was written in (where not known yet)."""
    if isinstance(value, LDict):
        if value.path is None:
            value.path = path
        for item in value.values():
            stamp_path(item, path)
    elif isinstance(value, Encoded):
        stamp_path(value.value, path)
    elif isinstance(value, list):
        for item in value:
            stamp_path(item, path)
    return value


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to another resource's attribute; its value is only known after apply."""

    address: str
    attribute: str | None = None

    def __str__(self) -> str:
        return f"{self.address}.{self.attribute}" if self.attribute else self.address


@dataclass(frozen=True, slots=True)
class Encoded:
    """The result of `jsonencode(value)` or a policy document's `.json`: a JSON string we keep as structure."""

    value: Any
    line: int = 0


class Scope(Protocol):
    """Resolves names: `var`, `local`, resource types, `each`, for-loop variables…"""

    def resolve(self, name: str, steps: list[str | Any], line: int) -> Any:
        """Return the value of `name` followed by `steps` (attribute names or index values)."""
        ...

    def read_file(self, path: str) -> str | Unknown: ...


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def first_unknown(values: Iterable[Any]) -> Unknown | None:
    for value in values:
        found = deep_unknown(value)
        if found is not None:
            return found
    return None


def deep_unknown(value: Any) -> Unknown | None:
    """The first Unknown anywhere inside value (Refs count as unknown text)."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Ref):
        return Unknown(f"{value} is known only after apply")
    if isinstance(value, Encoded):
        return deep_unknown(value.value)
    if isinstance(value, dict):
        return first_unknown(value.values())
    if isinstance(value, list | tuple):
        return first_unknown(value)
    return None


def to_text(value: Any) -> str | Unknown:
    """Render a value as a string the way HCL interpolation does; Unknown if it cannot be."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if value is None:
        return Unknown("null in a string")
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Ref):
        return f"${{{value}}}"  # a marker extractors can link (`serviceAccount:${google_service_account.x.email}`)
    if isinstance(value, Encoded):
        missing = deep_unknown(value.value)
        return missing if missing else json.dumps(plain(value.value), separators=(",", ":"))
    return Unknown(f"a {type(value).__name__} used as a string")


# `${type.name.attr}` markers, with a root directory, module prefixes and instance keys
# (`envs/prod/module.a["x"].aws_iam_role.r[0].arn`); IAM policy variables such as `${aws:username}` do not match.
_KEY = r'(?:\[(?:"[^"]*"|\d+)\])?'
_ADDRESS = rf"(?:[A-Za-z0-9_.-]+/)*(?:module\.[A-Za-z0-9_-]+{_KEY}\.)*[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z0-9_-]+{_KEY}"
_REF_MARKER_RE = re.compile(rf"\$\{{({_ADDRESS})(?:\.([A-Za-z0-9_.]+))?\}}")


def refs_in_text(text: str) -> list[tuple[Ref, int]]:
    """Resource references rendered into a string as markers, each with the offset where it ends."""
    return [(Ref(m.group(1), m.group(2)), m.end()) for m in _REF_MARKER_RE.finditer(text)]


def ref_marker(text: str) -> Ref | None:
    """The Ref when a string is exactly one marker, e.g. `${aws_iam_role.ci.arn}`."""
    match = _REF_MARKER_RE.fullmatch(text)
    return Ref(match.group(1), match.group(2)) if match else None


def plain(value: Any) -> Any:
    """Strip LDict/Encoded wrappers (for JSON output and comparisons)."""
    if isinstance(value, Encoded):
        return plain(value.value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class Evaluator:
    """Evaluates expressions against a Scope. Stateless apart from the scope; cheap to create."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def eval(self, expr: Expr) -> Any:
        if isinstance(expr, hcl.Literal):
            return expr.value
        if isinstance(expr, hcl.Template):
            return self._template(expr)
        if isinstance(expr, hcl.Name | hcl.GetAttr | hcl.Index):
            return self._traversal(expr)
        if isinstance(expr, hcl.TupleExpr):
            return [self.eval(item) for item in expr.items]
        if isinstance(expr, hcl.ObjectExpr):
            return self._object(expr)
        if isinstance(expr, hcl.Call):
            return self._call(expr)
        if isinstance(expr, hcl.Conditional):
            test = self.eval(expr.test)
            if isinstance(test, bool):
                return self.eval(expr.then if test else expr.otherwise)
            return Unknown(f"condition on line {expr.line} could not be evaluated")
        if isinstance(expr, hcl.BinaryOp):
            return self._binary(expr)
        if isinstance(expr, hcl.UnaryOp):
            value = self.eval(expr.operand)
            if expr.op == "!" and isinstance(value, bool):
                return not value
            if expr.op == "-" and isinstance(value, int | float) and not isinstance(value, bool):
                return -value
            return value if isinstance(value, Unknown) else Unknown(f"operator {expr.op} on {value!r}")
        if isinstance(expr, hcl.ForExpr):
            return self._for(expr)
        if isinstance(expr, hcl.Splat):
            return self._splat(expr)
        return Unknown(f"{expr.what} on line {expr.line} is not evaluated")

    # -- pieces ------------------------------------------------------------------------------------

    def _template(self, expr: hcl.Template) -> Any:
        if len(expr.parts) == 1 and not isinstance(expr.parts[0], str):
            return self.eval(expr.parts[0])  # "${x}" is x itself, not its string form
        out: list[str] = []
        for part in expr.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            text = to_text(self.eval(part))
            if isinstance(text, Unknown):
                return text
            out.append(text)
        return "".join(out)

    def _object(self, expr: hcl.ObjectExpr) -> Any:
        result = LDict(line=expr.line, end_line=expr.end_line)
        for key_expr, value_expr in expr.items:
            key = self.eval(key_expr)
            if isinstance(key_expr, hcl.Name):  # `{ foo = 1 }` keys are bare words, not references
                key = key_expr.name
            text = to_text(key)
            if isinstance(text, Unknown):
                return Unknown(f"object key on line {expr.line}: {text.reason}")
            result[text] = self.eval(value_expr)
        return result

    def _traversal(self, expr: Expr) -> Any:
        steps: list[Any] = []
        node = expr
        while not isinstance(node, hcl.Name):
            if isinstance(node, hcl.GetAttr):
                steps.append(node.name)
                node = node.base
            elif isinstance(node, hcl.Index):
                steps.append(IndexStep(self.eval(node.key)))
                node = node.base
            else:
                return self._apply_steps(self.eval(node), list(reversed(steps)))
        return self.scope.resolve(node.name, list(reversed(steps)), node.line)

    def _apply_steps(self, value: Any, steps: list[Any]) -> Any:
        return get_path(value, steps)

    def _splat(self, expr: hcl.Splat) -> Any:
        base = self.eval(expr.base)
        if isinstance(base, Unknown | Ref):
            return base if isinstance(base, Unknown) else Ref(base.address, "[*]")
        items = base if isinstance(base, list) else [base]
        steps = [s if isinstance(s, str) else IndexStep(self.eval(s)) for s in expr.steps]
        return [get_path(item, list(steps)) for item in items]

    def _binary(self, expr: hcl.BinaryOp) -> Any:
        left = self.eval(expr.left)
        if expr.op == "&&" and left is False:
            return False
        if expr.op == "||" and left is True:
            return True
        right = self.eval(expr.right)
        for value in (left, right):
            if isinstance(value, Unknown | Ref):
                return deep_unknown(value)
        try:
            return _OPERATORS[expr.op](left, right)
        except (TypeError, ZeroDivisionError, KeyError):
            return Unknown(f"operator {expr.op} on line {expr.line} could not be evaluated")

    def _for(self, expr: hcl.ForExpr) -> Any:
        collection = self.eval(expr.collection)
        if isinstance(collection, Unknown | Ref):
            return deep_unknown(collection)
        if isinstance(collection, dict):
            pairs: list[tuple[Any, Any]] = list(collection.items())
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            return Unknown(f"for expression over {type(collection).__name__}")
        tuple_out: list[Any] = []
        obj_out = LDict(line=expr.line)
        for key, value in pairs:
            names = {expr.value_var: value}
            if expr.key_var:
                names[expr.key_var] = key
            inner = Evaluator(NameScope(self.scope, names))
            if expr.condition is not None:
                keep = inner.eval(expr.condition)
                if isinstance(keep, Unknown):
                    return keep
                if not keep:
                    continue
            if expr.key is None:
                tuple_out.append(inner.eval(expr.value))
                continue
            out_key = to_text(inner.eval(expr.key))
            if isinstance(out_key, Unknown):
                return out_key
            out_value = inner.eval(expr.value)
            if expr.grouping:
                obj_out.setdefault(out_key, []).append(out_value)
            else:
                obj_out[out_key] = out_value
        return tuple_out if expr.key is None else obj_out

    def _call(self, expr: hcl.Call) -> Any:
        name = expr.name
        if name in _LAZY_FUNCTIONS:
            return _LAZY_FUNCTIONS[name](self, expr)
        args = [self.eval(a) for a in expr.args]
        if expr.expand_last and args and isinstance(args[-1], list):
            args = args[:-1] + list(args[-1])
        if name == "jsonencode":
            return Encoded(args[0], expr.line) if args else Unknown("jsonencode without argument")
        if name == "file":
            return self._file(args, expr.line)
        if name == "templatefile":
            return self._templatefile(args, expr.line)
        function = _FUNCTIONS.get(name)
        if function is None:
            return Unknown(f"function {name}() on line {expr.line} is not evaluated")
        if name in _UNKNOWN_TOLERANT:
            missing = next((deep_unknown(a) for a in args if isinstance(a, Unknown | Ref)), None)
        else:
            missing = first_unknown(args)
        if missing is not None and name != "coalesce":
            return missing
        try:
            return function(*args)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            return Unknown(f"{name}() on line {expr.line} could not be evaluated")

    def _file(self, args: list[Any], line: int) -> Any:
        if len(args) != 1 or not isinstance(args[0], str):
            return first_unknown(args) or Unknown(f"file() on line {line} has no literal path")
        return self.scope.read_file(args[0])

    def _templatefile(self, args: list[Any], line: int) -> Any:
        if len(args) != 2 or not isinstance(args[0], str) or not isinstance(args[1], dict):
            return first_unknown(args) or Unknown(f"templatefile() on line {line} could not be evaluated")
        text = self.scope.read_file(args[0])
        if isinstance(text, Unknown):
            return text
        template = hcl.template_from_text(text, 1)
        return Evaluator(NameScope(self.scope, dict(args[1]))).eval(template)


@dataclass(frozen=True, slots=True)
class IndexStep:
    key: Any


def get_path(value: Any, steps: list[Any]) -> Any:
    """Follow attribute names and index steps into a value."""
    for step in steps:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Ref):
            attr = step if isinstance(step, str) else None
            return Ref(value.address, attr if value.attribute is None else f"{value.attribute}.{attr}")
        key = step.key if isinstance(step, IndexStep) else step
        if isinstance(key, Unknown):
            return key
        if isinstance(value, dict):
            text = to_text(key)
            if isinstance(text, Unknown) or text not in value:
                return Unknown(f"key {key!r} not found")
            value = value[text]
        elif isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
            if not -len(value) <= key < len(value):
                return Unknown(f"index {key} out of range")
            value = value[key]
        elif isinstance(value, list) and isinstance(key, str):
            value = [get_path(v, [key]) for v in value]
        else:
            return Unknown(f"cannot take {key!r} of {type(value).__name__}")
    return value


class NameScope:
    """A scope that adds names (for-loop variables, templatefile vars) over a parent scope."""

    def __init__(self, parent: Scope, names: dict[str, Any]) -> None:
        self.parent = parent
        self.names = names

    def resolve(self, name: str, steps: list[Any], line: int) -> Any:
        if name in self.names:
            return get_path(self.names[name], steps)
        return self.parent.resolve(name, steps, line)

    def read_file(self, path: str) -> str | Unknown:
        return self.parent.read_file(path)


def _try(ev: Evaluator, expr: hcl.Call) -> Any:
    last: Any = Unknown(f"try() on line {expr.line} had no evaluable argument")
    for arg in expr.args:
        value = ev.eval(arg)
        if not isinstance(value, Unknown):
            return value
        last = value
    return last


def _can(ev: Evaluator, expr: hcl.Call) -> Any:
    value = ev.eval(expr.args[0]) if expr.args else None
    return Unknown(f"can() on line {expr.line}") if isinstance(value, Unknown) else True


_LAZY_FUNCTIONS: dict[str, Callable[[Evaluator, hcl.Call], Any]] = {"try": _try, "can": _can}


def _merge(*maps: Any) -> Any:
    result = LDict(line=next((m.line for m in maps if isinstance(m, LDict)), 0))
    for item in maps:
        if item is None:
            continue
        if isinstance(item, Unknown | Ref):
            return deep_unknown(item)
        if not isinstance(item, dict):
            raise TypeError("merge() takes maps")
        result.update(item)
    return result


def _concat(*lists: Any) -> Any:
    out: list[Any] = []
    for item in lists:
        if isinstance(item, Unknown | Ref):
            return deep_unknown(item)
        out.extend(item)
    return out


def _coalesce(*values: Any) -> Any:
    for value in values:
        if isinstance(value, Unknown | Ref):
            return deep_unknown(value)
        if value is not None and value != "":
            return value
    return None


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if isinstance(mapping, Unknown):
        return mapping
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise KeyError(key)


def _flatten(value: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in value:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _format(spec: str, *args: Any) -> str:
    return spec.replace("%%", "\x00").replace("%v", "%s").replace("%q", '"%s"') % tuple(args) if args else spec


def _distinct(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "merge": _merge,
    "concat": _concat,
    "coalesce": _coalesce,
    "lookup": _lookup,
    "flatten": _flatten,
    "format": lambda spec, *a: _format(spec, *a).replace("\x00", "%"),
    "jsondecode": json.loads,
    "lower": str.lower,
    "upper": str.upper,
    "title": str.title,
    "trimspace": str.strip,
    "trim": lambda s, chars: s.strip(chars),
    "trimprefix": lambda s, p: s.removeprefix(p),
    "trimsuffix": lambda s, p: s.removesuffix(p),
    "replace": lambda s, old, new: s.replace(old, new),
    "join": lambda sep, items: sep.join(items),
    "split": lambda sep, s: s.split(sep),
    "substr": lambda s, offset, length: s[offset : offset + length] if length >= 0 else s[offset:],
    "startswith": lambda s, p: s.startswith(p),
    "endswith": lambda s, p: s.endswith(p),
    "contains": lambda items, v: v in items,
    "length": len,
    "keys": lambda m: sorted(m.keys()),
    "values": lambda m: [m[k] for k in sorted(m.keys())],
    "element": lambda items, i: items[i % len(items)],
    "index": lambda items, v: items.index(v),
    "distinct": _distinct,
    "compact": lambda items: [i for i in items if i not in (None, "")],
    "toset": _distinct,
    "tolist": list,
    "tomap": lambda m: m,
    "tostring": lambda v: v if isinstance(v, str) else to_text(v),
    "tonumber": lambda v: float(v) if "." in str(v) else int(v),
    "tobool": lambda v: v if isinstance(v, bool) else {"true": True, "false": False}[v],
    "zipmap": lambda ks, vs: LDict(zip(ks, vs, strict=True)),
    "setunion": lambda *sets: _distinct(_flatten(list(sets))),
    "max": max,
    "min": min,
    "abs": abs,
    "ceil": math.ceil,
    "floor": math.floor,
    "basename": os.path.basename,
    "dirname": os.path.dirname,
    "one": lambda items: items[0] if len(items) == 1 else (None if not items else items[2]),
    "sensitive": lambda v: v,
    "nonsensitive": lambda v: v,
}

_UNKNOWN_TOLERANT = {"merge", "concat", "coalesce", "sensitive", "nonsensitive", "tolist", "toset"}


def _eq(a: Any, b: Any) -> bool:
    return bool(plain(a) == plain(b))


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": _eq,
    "!=": lambda a, b: not _eq(a, b),
    "&&": lambda a, b: bool(a) and bool(b),
    "||": lambda a, b: bool(a) or bool(b),
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: a % b,
}
