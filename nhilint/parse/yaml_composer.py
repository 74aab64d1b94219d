"""The C loader as yamlmarks composes with it: a memo for plain scalars' implicit tags, and scalar values."""

from __future__ import annotations

from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
STANDARD_TAG = "tag:yaml.org,2002:"
_RESOLVED: dict[str, str] = {}  # plain scalar -> its implicit tag (`Type`, `true`, `3`): the same in every file
_RESOLVED_MAX, _RESOLVED_LENGTH = 50_000, 100


class Composer(LOADER):  # type: ignore[misc,valid-type]
    """The C loader with a memo for the implicit tag of plain scalars: keys and values repeat across a tree,
    and PyYAML's resolver (Python, called by the C composer for every scalar) is a fifth of composing.
    Without path resolvers (the safe loader has none) a plain scalar's tag depends on its text alone."""

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0] and value is not None and len(value) <= _RESOLVED_LENGTH:
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = str(super().resolve(kind, value, implicit))
                if len(_RESOLVED) < _RESOLVED_MAX:
                    _RESOLVED[value] = tag
            return tag
        return str(super().resolve(kind, value, implicit))


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
