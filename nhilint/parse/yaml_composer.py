"""The C loader as yamlmarks composes with it: a memo for plain scalars' implicit tags, and scalar values."""

from __future__ import annotations

import operator
from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
STANDARD_TAG = "tag:yaml.org,2002:"
_RESOLVED: dict[str, str] = {}  # plain scalar -> its implicit tag (`Type`, `true`, `3`): the same in every file
_RESOLVED_MAX, _RESOLVED_LENGTH = 50_000, 100
_SCALAR = yaml.ScalarNode
STR_TAG = f"{STANDARD_TAG}str"  # a string scalar's tag
_COLLECTION_TAGS: dict[type, str] = {yaml.SequenceNode: f"{STANDARD_TAG}seq", yaml.MappingNode: f"{STANDARD_TAG}map"}


class Composer(LOADER):  # type: ignore[misc,valid-type]
    """The C loader with a memo for the implicit tag of plain scalars: keys and values repeat across a tree,
    and PyYAML's resolver (Python, called by the C composer for every node) is a fifth of composing.
    Without path resolvers (the safe loader has none) a plain scalar's tag depends on its text alone, any
    other node's on its kind alone, and the resolver's per-node path bookkeeping does nothing."""

    if not LOADER.yaml_path_resolvers:  # always so for the safe loader; with them, PyYAML's own resolver

        def resolve(self, kind: type, value: str | None, implicit: Any) -> str:
            if kind is _SCALAR:
                if not implicit[0]:
                    return STR_TAG  # quoted, or `!`
                tag = _RESOLVED.get(value)  # type: ignore[arg-type]
                if tag is None:
                    tag = str(super().resolve(kind, value, implicit))
                    if len(value) <= _RESOLVED_LENGTH and len(_RESOLVED) < _RESOLVED_MAX:  # type: ignore[arg-type]
                        _RESOLVED[value] = tag  # type: ignore[index]
                return tag
            return _COLLECTION_TAGS.get(kind) or str(super().resolve(kind, value, implicit))

        # The C composer calls these around every node; without path resolvers they do nothing.
        descend_resolver = staticmethod(operator.is_)  # (parent, index) -> ignored
        ascend_resolver = staticmethod(tuple)  # () -> ignored


def scalar_value(node: yaml.Node) -> Any:
    """A composed scalar's value by its resolved tag (what the safe constructor makes of it)."""
    tag = node.tag.removeprefix(STANDARD_TAG)
    value = node.value
    if tag == "str" or not isinstance(value, str):
        return value
    if tag == "int":
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag == "float":
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    if tag == "bool":
        return value.lower() in ("true", "yes", "on", "y")
    if tag == "null":
        return None
    return value
