"""The pure Terraform functions the evaluator knows, and its operators.

Each function is a plain callable over evaluated values; a TypeError/ValueError/KeyError makes the call
Unknown. A function whose output can outgrow its input (SIZED) computes the size of its result first and
raises TooLarge instead of allocating it, so a 60-byte `format("%0999999999d", 1)` costs nothing.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
from collections.abc import Callable
from typing import Any

from nhilint.limits import Limits
from nhilint.parse.nesting import json_depth
from nhilint.values import Encoded, LDict, Ref, Unknown, deep_unknown, plain, to_text, value_size


class TooLarge(Exception):
    """A result would exceed a limit (max_value_size unless named); raised before it is built."""

    def __init__(self, what: str, limit: str = "max_value_size") -> None:
        super().__init__(what)
        self.what = what
        self.limit = limit


def check_size(what: str, size: int, limit: int) -> None:
    if size > limit:
        raise TooLarge(what)


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


def _concat(limits: Limits, *lists: Any) -> Any:
    for item in lists:
        if isinstance(item, Unknown | Ref):
            return deep_unknown(item)
    check_size("concat()", sum(len(item) for item in lists), limits.max_value_size)
    out: list[Any] = []
    for item in lists:
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


def _flatten(limits: Limits, value: list[Any]) -> list[Any]:
    size = value_size(value, limits.max_value_size)  # sublists can be shared: count them each time
    check_size("flatten()", size, limits.max_value_size)
    out: list[Any] = []
    stack: list[Any] = [iter(value)]  # iterative: nesting is bounded, but a loop costs no stack at all
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
        elif isinstance(item, list):
            stack.append(iter(item))
        else:
            out.append(item)
    return out


_END = object()
_VERB_RE = re.compile(r"%(?:%|\[\d+\]|([-+ #0]*)(\d*|\*)(?:\.(\d*|\*))?([a-zA-Z]))")


def _format(limits: Limits, spec: str, *args: Any) -> str:
    """Terraform's format(); the result's size is computed from the widths and precisions first."""
    if not isinstance(spec, str):
        raise TypeError("format() takes a string")
    size = len(spec)
    for match in _VERB_RE.finditer(spec):
        if match.group(0).startswith("%[") or "*" in match.group(0):
            raise ValueError("argument indexes and * widths are not evaluated")
        width, precision = match.group(2) or "0", match.group(3) or "0"
        if len(width) > 9 or len(precision) > 9:
            raise TooLarge("format() width")
        size += int(width) + int(precision)
    size += sum(len(text) if isinstance(text := to_text(a), str) else 0 for a in args)
    check_size("format()", size, limits.max_value_size)
    if not args:
        return spec.replace("%%", "%")
    return str(spec.replace("%%", "\x00").replace("%v", "%s").replace("%q", '"%s"') % tuple(args)).replace("\x00", "%")


def _formatlist(limits: Limits, spec: str, *args: Any) -> list[str]:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise ValueError("formatlist() lists of different lengths")
    count = lengths.pop() if lengths else 1
    check_size("formatlist()", count * max(1, len(args)), limits.max_value_size)
    rows = [[a[i] if isinstance(a, list) else a for a in args] for i in range(count)]
    out = [_format(limits, spec, *row) for row in rows]
    check_size("formatlist()", sum(len(x) for x in out), limits.max_value_size)
    return out


def _range(limits: Limits, *bounds: Any) -> list[Any]:
    if not bounds or len(bounds) > 3 or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds):
        raise TypeError("range() takes one to three numbers")
    start, stop, step = (0, bounds[0], 1) if len(bounds) == 1 else (*bounds[:2], bounds[2] if len(bounds) == 3 else 1)
    if step == 0:
        raise ValueError("range() step 0")
    count = max(0, math.ceil((stop - start) / step))
    check_size("range()", count, limits.max_value_size)
    return [start + i * step for i in range(count)]


def _join(limits: Limits, sep: str, *lists: Any) -> str:
    items = [x for items in lists for x in items]
    texts = [x if isinstance(x, str) else to_text(x) for x in items]
    if not all(isinstance(t, str) for t in texts) or not isinstance(sep, str):
        raise TypeError("join() takes strings")
    check_size("join()", sum(len(str(t)) for t in texts) + len(sep) * max(0, len(texts) - 1), limits.max_value_size)
    return sep.join(str(t) for t in texts)


def _replace(limits: Limits, text: str, old: str, new: str) -> str:
    if not all(isinstance(x, str) for x in (text, old, new)):
        raise TypeError("replace() takes strings")
    check_size("replace()", len(text) + text.count(old) * (len(new) - len(old)), limits.max_value_size)
    return text.replace(old, new)


def _setproduct(limits: Limits, *sets: Any) -> list[Any]:
    if not all(isinstance(s, list) for s in sets):
        raise TypeError("setproduct() takes lists")
    check_size("setproduct()", math.prod(len(s) for s in sets) * max(1, len(sets)), limits.max_value_size)
    return [list(row) for row in itertools.product(*sets)] if sets else []


def _jsondecode(limits: Limits, text: str) -> Any:
    """json.loads recurses per nesting level: the text's depth is checked first (max_value_size bounds it)."""
    depth, _ = json_depth(text, limits.max_depth)
    if depth > limits.max_depth:
        raise TooLarge("jsondecode()", "max_depth")
    return json.loads(text)


def _distinct(values: list[Any]) -> list[Any]:
    """`values` without repeats, first occurrence first (toset, distinct, setunion): linear, by a hashable key
    that is equal exactly when the values are (a list scan would be quadratic: 50,000 keys took minutes)."""
    out: list[Any] = []
    seen: set[Any] = set()
    for v in values:
        key = _hash_key(v)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def _hash_key(value: Any) -> Any:
    """A hashable stand-in for an evaluated value, equal for equal values (maps compare without order).

    Tagged tuples cannot collide with a value: evaluated values are never Python tuples."""
    if isinstance(value, dict):
        return ("map", frozenset((k, _hash_key(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(_hash_key(v) for v in value))
    if isinstance(value, Encoded):
        return ("encoded", _hash_key(value.value), value.line)
    return value


SIZED: dict[str, Callable[..., Any]] = {
    "concat": _concat,
    "flatten": _flatten,
    "jsondecode": _jsondecode,
    "format": _format,
    "formatlist": _formatlist,
    "range": _range,
    "join": _join,
    "replace": _replace,
    "setproduct": _setproduct,
}
"""Functions whose output can outgrow their input: the first argument is the Limits, checked first."""

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "merge": _merge,
    "coalesce": _coalesce,
    "lookup": _lookup,
    "lower": str.lower,
    "upper": str.upper,
    "title": str.title,
    "trimspace": str.strip,
    "trim": lambda s, chars: s.strip(chars),
    "trimprefix": lambda s, p: s.removeprefix(p),
    "trimsuffix": lambda s, p: s.removesuffix(p),
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
    "setunion": lambda *sets: _distinct([x for s in sets for x in s]),
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

UNKNOWN_TOLERANT = {
    "merge",
    "concat",
    "coalesce",
    "sensitive",
    "nonsensitive",
    "tolist",
    "toset",
    # structural: an unknown value inside a map or list does not change which item is picked or how many there are
    "lookup",
    "keys",
    "length",
    "element",
    "values",
    "tomap",
}
"""Functions called even when an argument holds an Unknown inside (an argument that is Unknown still is not)."""


def _eq(a: Any, b: Any) -> bool:
    return bool(plain(a) == plain(b))


OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": _eq,
    "!=": lambda a, b: not _eq(a, b),
    "&&": lambda a, b: bool(a) and bool(b),
    "||": lambda a, b: bool(a) or bool(b),
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: _number(a) + _number(b),
    "-": lambda a, b: _number(a) - _number(b),
    "*": lambda a, b: _multiply(_number(a), _number(b)),
    "/": lambda a, b: _number(a) / _number(b),
    "%": lambda a, b: _number(a) % _number(b),
}
"""Arithmetic is on numbers only, as in Terraform: Python's `"a" * 10**9` or list `+` would build huge values."""


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("arithmetic on a non-number")
    return value


def _multiply(a: int | float, b: int | float) -> int | float:
    if isinstance(a, int) and isinstance(b, int) and a.bit_length() + b.bit_length() > 4096:
        raise TooLarge("multiplication")  # Terraform numbers are 512-bit; repeated squaring would not end
    return a * b
