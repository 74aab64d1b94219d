"""A data-only encoding of parsed HCL trees (Body, Block, Attribute, expressions) for the parse cache.

The cache directory may be written by someone else (a shared `NHILINT_CACHE_DIR`, a restored CI cache), so an
entry is plain JSON and decoding builds only the node classes of an explicit allowlist (`NODES`), each field
checked against the type its dataclass declares: an unknown class, a wrong number of fields or a value of the
wrong type makes the whole entry invalid (a cache miss), never an error and never anything but data.

The encoding is derived from `dataclasses.fields` of the allowlisted classes, not copied by hand, so a field
added to a node class changes `SCHEMA` (part of the cache key) and old entries simply stop matching. A field
whose annotation cannot be resolved (Block's `_tree`, a lark parse tree) is accepted only at its default value.
A node is `["ClassName", field, field, ...]`; tuples and lists are arrays, dicts objects with string keys.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import types
import typing
from collections.abc import Callable
from typing import Any

from nhilint.parse import hcl

FORMAT = 1  # bump when the shape of an entry changes in a way SCHEMA does not see

NODES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        hcl.Body,
        hcl.Block,
        hcl.Attribute,
        hcl.Literal,
        hcl.Template,
        hcl.Name,
        hcl.GetAttr,
        hcl.Index,
        hcl.Splat,
        hcl.Call,
        hcl.TupleExpr,
        hcl.ObjectExpr,
        hcl.Conditional,
        hcl.BinaryOp,
        hcl.UnaryOp,
        hcl.ForExpr,
        hcl.Unsupported,
    )
}

_PRIMITIVES = (str, int, float, bool, type(None))

Decoder = Callable[[Any], Any]


class Invalid(Exception):
    """An entry (or a tree to store) that is not exactly what the allowlisted node classes declare."""


def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a dataclass; the parse cache encodes dataclasses only")
    return dataclasses.fields(cls)


def _schema() -> str:
    """A digest of every allowlisted class's fields (name, declared type, default): part of the cache key."""
    parts: list[object] = [FORMAT]
    for name, cls in NODES.items():
        for f in _fields(cls):
            default = repr(f.default) if f.default is not dataclasses.MISSING else "-"
            parts.append(f"{name}.{f.name}:{f.type}={default}:{f.init}")
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


SCHEMA = _schema()


# --- encoding ---------------------------------------------------------------------------------------


def encode(body: hcl.Body) -> bytes:
    """The JSON of a fully converted tree; raises Invalid for anything outside the allowlist (a lazy block)."""
    try:
        return json.dumps(_encode(body), ensure_ascii=False, separators=(",", ":")).encode()
    except (RecursionError, UnicodeEncodeError, ValueError) as exc:
        raise Invalid(type(exc).__name__) from None


def _encode(value: Any) -> Any:
    kind = type(value)
    if kind in _PRIMITIVES:
        return value
    if kind is tuple or kind is list:
        return [_encode(item) for item in value]
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise Invalid("a map key that is not a string")
        return {key: _encode(item) for key, item in value.items()}
    names = _ENCODE_FIELDS.get(kind)
    if names is None:
        raise Invalid(f"{kind.__name__} is not an allowlisted node class")
    return [kind.__name__, *(_encode(getattr(value, name)) for name in names)]


_ENCODE_FIELDS: dict[type, tuple[str, ...]] = {cls: tuple(f.name for f in _fields(cls)) for cls in NODES.values()}


# --- decoding ---------------------------------------------------------------------------------------


def decode(data: Any) -> hcl.Body:
    """Build the Body an entry describes; raises Invalid unless every node and value is as declared."""
    try:
        body = _decoders().node(hcl.Body)(data)
    except (RecursionError, TypeError, ValueError) as exc:  # too deep; a node class refusing its arguments
        raise Invalid(type(exc).__name__) from None
    if type(body) is not hcl.Body:
        raise Invalid("not a Body")
    return body


def _reject(value: Any) -> Any:
    raise Invalid("a value of a type the cache does not store")


class _Decoders:
    """Decoders compiled once from the allowlisted classes' declared field types."""

    def __init__(self) -> None:
        self._nodes: dict[type, Decoder] = {}
        self._fields: dict[type, tuple[list[Decoder], set[str]]] = {}
        for cls in NODES.values():
            self._nodes[cls] = self._node_decoder(cls)
        for cls in NODES.values():
            self._fields[cls] = self._field_decoders(cls)

    def node(self, cls: type) -> Decoder:
        return self._nodes[cls]

    def _node_decoder(self, cls: type) -> Decoder:
        name = cls.__name__
        slots = self._fields  # filled after every node decoder exists (the types are recursive)
        names = [f.name for f in _fields(cls)]
        size = len(names) + 1

        def decode_node(value: Any) -> Any:
            if type(value) is not list or len(value) != size or value[0] != name:
                raise Invalid(f"not a {name} node")
            decoders, late = slots[cls]
            args = [d(v) for d, v in zip(decoders, value[1:], strict=True)]
            if not late:
                return cls(*args)
            node = cls(**{n: a for n, a in zip(names, args, strict=True) if n not in late})
            for field_name, arg in zip(names, args, strict=True):
                if field_name in late:
                    object.__setattr__(node, field_name, arg)
            return node

        return decode_node

    def _field_decoders(self, cls: type) -> tuple[list[Decoder], set[str]]:
        namespace = vars(sys.modules[cls.__module__])
        decoders: list[Decoder] = []
        late: set[str] = set()
        for f in _fields(cls):
            if not f.init:
                late.add(f.name)
            try:
                decoders.append(self._type(_declared(f, namespace)))
            except Exception:  # an annotation that does not resolve at runtime: only its default is stored
                decoders.append(_only(f.default))
        return decoders, late

    def _type(self, declared: Any) -> Decoder:
        if declared in _PRIMITIVES:
            exact = declared

            def decode_primitive(value: Any) -> Any:
                if type(value) is not exact:
                    raise Invalid(f"not a {exact.__name__}")
                return value

            return decode_primitive
        if declared is None:
            return _only(None)
        if declared in self._nodes:
            return self._nodes[declared]
        origin, args = typing.get_origin(declared), typing.get_args(declared)
        if origin in (typing.Union, types.UnionType):
            return self._union(args)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            item = self._type(args[0])
            return lambda value: tuple(item(v) for v in _array(value))
        if origin is tuple:
            items = [self._type(a) for a in args]
            return lambda value: tuple(d(v) for d, v in zip(items, _array(value, len(items)), strict=True))
        if origin is list:
            item = self._type(args[0])
            return lambda value: [item(v) for v in _array(value)]
        if origin is dict and args[0] is str:
            item = self._type(args[1])
            return lambda value: {k: item(v) for k, v in _object(value).items()}
        return _reject

    def _union(self, members: tuple[Any, ...]) -> Decoder:
        primitives = frozenset(m if m is not None else type(None) for m in members if m in _PRIMITIVES or m is None)
        nodes = {m.__name__: self._nodes[m] for m in members if m in self._nodes}
        others = [self._type(m) for m in members if m not in primitives and m is not None and m not in self._nodes]

        def decode_union(value: Any) -> Any:
            if type(value) in primitives:
                return value
            if type(value) is list and value and type(value[0]) is str and value[0] in nodes:
                try:
                    return nodes[value[0]](value)
                except Invalid:
                    if not others:
                        raise
            for other in others:
                try:
                    return other(value)
                except Invalid:
                    continue
            raise Invalid("a value of none of the declared types")

        return decode_union


def _declared(f: dataclasses.Field[Any], namespace: dict[str, Any]) -> Any:
    """A field's type with its string annotation resolved where the class is defined (our own source)."""
    holder = type("_Field", (), {"__annotations__": {"value": f.type}})
    return typing.get_type_hints(holder, namespace)["value"]


def _only(default: Any) -> Decoder:
    if default is dataclasses.MISSING or type(default) not in _PRIMITIVES:
        return _reject

    def decode_default(value: Any) -> Any:
        if type(value) is not type(default) or value != default:
            raise Invalid("a field the cache stores only at its default")
        return value

    return decode_default


def _array(value: Any, size: int | None = None) -> list[Any]:
    if type(value) is not list or (size is not None and len(value) != size):
        raise Invalid("not an array of the declared size")
    return value


def _object(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise Invalid("not an object")
    return value


_COMPILED: list[_Decoders] = []


def _decoders() -> _Decoders:
    if not _COMPILED:
        _COMPILED.append(_Decoders())
    return _COMPILED[0]
