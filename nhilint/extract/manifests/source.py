"""Where a manifest object is written, and reading its fields: shared by the object and RBAC readers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nhilint.model import Location
from nhilint.parse.kubernetes import span
from nhilint.values import LDict, to_text


@dataclass(frozen=True, slots=True)
class Source:
    """Where an object's parts are written: its own file and lines, or (rendered) one fixed place."""

    location: Location
    lines: list[str] | None = None  # the file's text; None for rendered objects (lines of kustomize's output)

    @property
    def exact(self) -> bool:
        return self.lines is not None

    def at(self, node: Any, key: str | None = None) -> Location:
        if self.lines is None or not isinstance(node, LDict):
            return self.location
        if key is not None:
            line = node.line_of(key)
            return Location(self.location.path, line, line)
        return Location(self.location.path, *span(node, self.lines))


def text(value: Any) -> str | None:
    if value is None:
        return None
    text = to_text(value)
    return text if isinstance(text, str) else None


def strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else ([] if value is None else [value])
    return [t for t in (text(item) for item in items) if t is not None]


def items(value: Any) -> list[Any]:
    """A list field as a list (anything else, as written by mistake, as nothing)."""
    return value if isinstance(value, list) else []
