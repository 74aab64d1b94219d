"""A resource file whose objects nobody reads, cut down to what kustomize and nhilint use of them.

A file of CustomResourceDefinitions is most of what `kubectl kustomize` parses and prints for an overlay, and
nhilint skims those objects (`kubernetes.Reads`): only `apiVersion`, `kind` and `metadata` are read. `stub`
writes each document as those three keys, the `metadata` text copied exactly as written (so names, namespaces,
labels and annotations are the same strings kustomize would read), from the C parser's events.

Anything kustomize might read differently in the stub than in the file declines the whole file, which is then
copied as written: a document that is read, a `List`, a sequence or scalar document, a key written twice or not a
plain string, an anchor, alias, tag or directive, a `metadata` that is not a mapping, a bound reached, a syntax
error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from nhilint.limits import Limits
from nhilint.parse.manifest_skim import names_a_read_object
from nhilint.parse.yaml_composer import STR_TAG, Composer


@dataclass(frozen=True, slots=True)
class Stub:
    """The stub text of a file and the kinds it holds (a patch of one of them needs the real file)."""

    text: str
    kinds: frozenset[str]
    printed: int  # at most what kustomize prints of the file's documents as written (`printed_size`)


class _Decline(Exception):
    """Copy this file as written."""


def stub(text: str, reads: Callable[[str, str], bool], limits: Limits) -> Stub | None:
    """The file's documents as stubs, or None when it must be copied as written."""
    if names_a_read_object(text, reads):  # a file that visibly holds a read object is not parsed
        return None
    try:
        return _Reader(text, reads, limits).read()
    except (_Decline, yaml.YAMLError, RecursionError):
        return None


def printed_size(value: str, depth: int) -> int:
    """At most how many characters a YAML printer writes for one node at this depth: each of its lines indented
    (two columns a level, a key or `- ` before it) and every character that may be escaped in a double-quoted
    string at its escape's length (`\\"`, `\\\\`, `\\uXXXX`). kustomize re-indents JSON and deep documents: what it
    prints may be many times what is written, and a copy whose stubs hide that must not pass under the limit."""
    plain = value.isascii() and value.replace("\n", "").isprintable()
    escaped = value.count('"') + value.count("\\") + (0 if plain else 5 * len(value))
    return len(value) + escaped + (value.count("\n") + 1) * (2 * depth + 6)


class _Frame:
    __slots__ = ("expect_key", "is_map", "key", "keys")

    def __init__(self, is_map: bool) -> None:
        self.is_map = self.expect_key = is_map
        self.keys: set[str] = set()
        self.key = ""


class _Reader:
    def __init__(self, text: str, reads: Callable[[str, str], bool], limits: Limits) -> None:
        self.text, self.reads, self.limits = text, reads, limits
        self.resolver = Composer("")  # the memoised implicit tags composing uses
        self.stubs: list[str] = []
        self.kinds: set[str] = set()
        self.tops: dict[str, str] = {}
        self.meta: tuple[Any, Any] | None = None  # the start and end marks of the metadata mapping
        self.documents = 0
        self.printed = 0

    def read(self) -> Stub:
        stack: list[_Frame] = []
        nodes = 0
        start: Any = None
        events: Iterator[Any] = yaml.parse(self.text, Loader=Composer)
        for event in events:
            kind = type(event)
            if kind is AliasEvent:
                raise _Decline
            if kind is DocumentStartEvent:
                if event.version is not None or event.tags:
                    raise _Decline
                continue
            if kind is ScalarEvent or kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor is not None or event.tag is not None:
                    raise _Decline
                nodes += 1
                if nodes > self.limits.max_nodes or len(stack) >= self.limits.max_depth:
                    raise _Decline
                self.printed += printed_size(event.value if kind is ScalarEvent else "", len(stack))
                if not stack:  # a document
                    if kind is not MappingStartEvent:
                        if kind is ScalarEvent and event.value == "" and event.implicit[0]:
                            self._document()  # an empty document: kustomize skips it too
                            nodes = 0
                            continue
                        raise _Decline
                    stack.append(_Frame(True))
                    self.tops, self.meta = {}, None
                    continue
                frame = stack[-1]
                if frame.expect_key:
                    self._key(frame, event)
                    continue
                if len(stack) == 1:
                    start = self._top(frame.key, event, start)
                if kind is ScalarEvent:
                    frame.expect_key = frame.is_map
                else:
                    stack.append(_Frame(kind is MappingStartEvent))
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                stack.pop()
                if not stack:
                    self._root_done()
                    nodes = 0
                    continue
                if len(stack) == 1 and stack[0].key == "metadata":
                    self.meta = (start, event.end_mark)
                stack[-1].expect_key = stack[-1].is_map
        if not self.stubs:
            raise _Decline  # nothing to stub
        return Stub("---\n".join(self.stubs), frozenset(self.kinds), self.printed)

    def _document(self) -> None:
        self.documents += 1
        if self.documents > self.limits.max_documents:
            raise _Decline

    def _plain_string(self, event: Any) -> bool:
        return bool(self.resolver.resolve(yaml.ScalarNode, event.value, event.implicit) == STR_TAG)

    def _key(self, frame: _Frame, event: Any) -> None:
        if type(event) is not ScalarEvent or not self._plain_string(event) or event.value in frame.keys:
            raise _Decline  # a collection, number or merge key, or a key written twice: as written
        frame.keys.add(event.value)
        frame.key, frame.expect_key = event.value, False

    def _top(self, key: str, event: Any, start: Any) -> Any:
        """Record the root's `apiVersion`, `kind` and where `metadata` starts."""
        if key in ("apiVersion", "kind"):
            if type(event) is not ScalarEvent or not self._plain_string(event):
                raise _Decline
            self.tops[key] = event.value
        elif key == "metadata":
            mark: Any = event.start_mark
            if type(event) is not MappingStartEvent or mark.column < 1:
                raise _Decline
            return mark
        return start

    def _root_done(self) -> None:
        self._document()
        version, kind = self.tops.get("apiVersion"), self.tops.get("kind")
        if not version or not kind or kind.endswith("List") or self.reads(version, kind) or self.meta is None:
            raise _Decline
        start, end = self.meta
        metadata = self.text[start.index : end.index].rstrip(" \t")
        if not metadata.endswith("\n"):
            metadata += "\n"
        self.stubs.append(
            f"apiVersion: {json.dumps(version)}\nkind: {json.dumps(kind)}\nmetadata:\n{' ' * start.column}{metadata}"
        )
        self.kinds.add(kind)
