"""Large manifest files whose objects nobody reads past `metadata` (CustomResourceDefinitions), read from the
C parser's events instead of composed nodes.

`yamlmarks.load_all_located` composes every node (a Python object per node, the resolver called for each) and
then walks the unread bodies only to check the bounds and repeated keys. For a file whose every object is
skimmed, the same checks are made here on the parser's events, and only `apiVersion`, `kind` and `metadata`
are built, with the lines composing gives them. Anything this reader does not handle exactly as the composed
walk does (an anchor, alias or tag, a key that is not a plain string, a key written twice, a bound reached, a
sequence document, a mapping document that is read, a syntax error) declines the whole file: the caller then
reads it the usual way, which reports it. A scalar document is kept as composing keeps it (the manifest reader
ignores it either way). Equal results are tested on crafted and real manifests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from nhilint.limits import Limits
from nhilint.parse.yaml_composer import STR_TAG, Composer, scalar_value
from nhilint.parse.yamlmarks import Loaded, Stream
from nhilint.values import LDict

MIN_CHARS = 32 << 10  # smaller files are cheap to compose; and most hold an object that is read
KEPT = frozenset({"apiVersion", "kind", "metadata"})  # what a skimmed object is built to, however it is read
_KIND_RE = re.compile(r"^kind:[ \t]*['\"]?([A-Za-z0-9]+)['\"]?[ \t]*$", re.M)
_API_RE = re.compile(r"^apiVersion:[ \t]*['\"]?([A-Za-z0-9./-]+)['\"]?[ \t]*$", re.M)


class _Decline(Exception):
    """Read this file the usual way."""


def worth_trying(text: str, reads: Callable[[str, str], bool]) -> bool:
    """A large file whose top-level `kind:` and `apiVersion:` lines name only objects nobody reads (a guess
    from the text: it only chooses the reader, the events decide)."""
    if len(text) < MIN_CHARS:
        return False
    kinds, versions = set(_KIND_RE.findall(text)), set(_API_RE.findall(text))
    return bool(kinds and versions) and not _any_read(kinds, versions, reads)


def names_a_read_object(text: str, reads: Callable[[str, str], bool]) -> bool:
    """Whether the text's top-level `kind:` and `apiVersion:` lines may name an object a reader reads, or a
    List (a guess from the text that spares parsing a file that visibly holds one)."""
    return _any_read(set(_KIND_RE.findall(text)), set(_API_RE.findall(text)), reads)


def _any_read(kinds: set[str], versions: set[str], reads: Callable[[str, str], bool]) -> bool:
    return any(kind.endswith("List") for kind in kinds) or any(reads(v, k) for k in kinds for v in versions)


def skim_stream(text: str, limits: Limits, reads: Callable[[str, str], bool]) -> Stream | None:
    """The stream `load_all_located(text, limits, merge, skim)` gives when every document is skimmed, or None."""
    try:
        return _Reader(limits, reads).stream(text)
    except (_Decline, yaml.YAMLError):
        return None


class _Frame:
    """An open mapping or sequence: the keys seen (mappings), what is being built (None: only checked)."""

    __slots__ = ("build", "expect_key", "is_map", "key", "key_line", "keys", "root", "tops")

    def __init__(self, is_map: bool, build: Any, root: bool) -> None:
        self.is_map, self.build, self.root = is_map, build, root
        self.keys: set[str] = set()
        self.expect_key = is_map
        self.key = ""
        self.key_line = 0
        self.tops: dict[str, str] = {}  # the root's scalar apiVersion and kind, as written


class _Reader:
    def __init__(self, limits: Limits, reads: Callable[[str, str], bool]) -> None:
        self.limits, self.reads = limits, reads
        self.resolver = Composer("")  # the memoised implicit tags composing uses

    def stream(self, text: str) -> Stream:
        stream, stack = Stream(), list[_Frame]()
        documents = nodes = 0
        max_nodes, max_depth = self.limits.max_nodes, self.limits.max_depth
        events: Iterator[Any] = yaml.parse(text, Loader=Composer)
        for event in events:
            kind = type(event)
            if kind is ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    raise _Decline
                nodes += 1
                if nodes > max_nodes or len(stack) > max_depth:
                    raise _Decline
                if not stack:  # a document that is a scalar (an empty one: null)
                    documents, nodes = self._document(documents), 0
                    value = self._scalar(event)
                    if value is not None:
                        stream.documents.append(Loaded(value, event.start_mark.line + 1))
                    continue
                frame = stack[-1]
                if frame.expect_key:
                    self._key(frame, event)
                    continue
                if frame.root and frame.key in ("apiVersion", "kind"):
                    frame.tops[frame.key] = event.value
                if frame.build is not None and (not frame.root or frame.key in KEPT):
                    self._attach(frame, self._scalar(event))
                frame.expect_key = frame.is_map
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor is not None or event.tag is not None:
                    raise _Decline
                nodes += 1
                if nodes > max_nodes or len(stack) > max_depth:
                    raise _Decline
                is_map = kind is MappingStartEvent
                if not stack:
                    if not is_map:
                        raise _Decline  # a sequence document: read the usual way
                    root = LDict(line=event.start_mark.line + 1)
                    root.key_lines = {}
                    stack.append(_Frame(True, root, True))
                    continue
                parent = stack[-1]
                if parent.expect_key:
                    raise _Decline  # a collection as a key
                building = parent.build is not None and (not parent.root or parent.key in KEPT)
                build: Any = None
                if building:
                    build = LDict(line=event.start_mark.line + 1) if is_map else []
                    if is_map:
                        build.key_lines = {}
                stack.append(_Frame(is_map, build, False))
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                if isinstance(frame.build, LDict):
                    frame.build.end_line = event.end_mark.line + 1
                if not stack:  # the document's root mapping
                    documents, nodes = self._document(documents), 0
                    self._skimmed(frame)
                    stream.documents.append(Loaded(frame.build, frame.build.line))
                    continue
                parent = stack[-1]
                if frame.build is not None:
                    self._attach(parent, frame.build)
                parent.expect_key = parent.is_map
            elif kind is AliasEvent:
                raise _Decline
        return stream

    def _document(self, documents: int) -> int:
        """The count of documents with one more; past `max_documents` the file is read the usual way."""
        if documents + 1 > self.limits.max_documents:
            raise _Decline
        return documents + 1

    def _scalar(self, event: Any) -> Any:
        tag = self.resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        return event.value if tag == STR_TAG else scalar_value(yaml.ScalarNode(tag, event.value))

    def _key(self, frame: _Frame, event: Any) -> None:
        if self.resolver.resolve(yaml.ScalarNode, event.value, event.implicit) != STR_TAG:
            raise _Decline  # a number, boolean, null or merge key: composing decides what it is
        key = event.value
        if key in frame.keys:
            raise _Decline  # written twice: the usual reader reports it
        frame.keys.add(key)
        frame.key, frame.key_line, frame.expect_key = key, event.start_mark.line + 1, False

    @staticmethod
    def _attach(frame: _Frame, value: Any) -> None:
        if frame.is_map:
            frame.build[frame.key] = value
            frame.build.key_lines[frame.key] = frame.key_line
        else:
            frame.build.append(value)

    def _skimmed(self, root: _Frame) -> None:
        """The root mapping is skimmed as `kubernetes._skim` decides, else the file is read the usual way."""
        version, kind = root.tops.get("apiVersion"), root.tops.get("kind")
        if version is None or kind is None or kind.endswith("List") or self.reads(version, kind):
            raise _Decline
