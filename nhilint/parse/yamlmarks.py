"""Line-tracking safe YAML/JSON loading shared by CloudFormation, Kubernetes and JSON policies.

Mappings become LDict: a dict that remembers its start and end line and the line of each key (findings
point at the key a user edits); nothing is injected into the data. The C loader is used when PyYAML has
it. Short-form CloudFormation tags become their long form (`!Ref X` -> `{"Ref": "X"}`, `!GetAtt A.B` ->
`{"Fn::GetAtt": ["A", "B"]}`, `!Sub` -> `{"Fn::Sub": ...}`). `<<` merge keys are honoured.

Bounds (`Limits`) apply per document, so a long stream of small documents is read and one hostile document
costs only itself: nodes after alias expansion (a "billion laughs" document), alias references, nesting
depth; a stream with more than `max_documents` documents is read up to the limit. A bound that is hit is a
`LimitError` naming the limit and the line.

A key written twice in one mapping is never silently resolved: PyYAML's composer keeps both key nodes, so
every repeat is recorded as a `Duplicate` (key path and line, never the value) beside the loaded value,
and the format's `Merge` decides what the mapping holds (the default: the last value, as PyYAML and
kubectl do). A merge may keep both values: the repeat is then stored under `key~2` (`~3`…), a name no
CloudFormation logical id can have (they are alphanumeric), stable as long as the order of the
definitions is, and telling a reader which definition it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.parse import json_marks
from nhilint.parse.key_merge import KeyPath as KeyPath  # re-exported, as the readers of the formats use them
from nhilint.parse.key_merge import Merge as Merge
from nhilint.parse.key_merge import last_wins as last_wins
from nhilint.parse.yaml_composer import LOADER as LOADER  # re-exported: the Kubernetes and kustomize readers
from nhilint.parse.yaml_composer import STANDARD_TAG, STR_TAG, Composer, scalar_value
from nhilint.values import LDict

_STANDARD_TAG = STANDARD_TAG
_STR_TAG, _MERGE_TAG = STR_TAG, f"{_STANDARD_TAG}merge"


class LimitError(ValueError):
    """A document hit one of the loader's bounds; `reason` names the limit, never the content."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A key written again in the same mapping: where the repeat is written and how it was resolved."""

    path: KeyPath
    line: int
    first_line: int
    how: str

    @property
    def name(self) -> str:
        return key_path(self.path)

    @property
    def reason(self) -> str:
        return f"{self.name} is written again (first on line {self.first_line}); {self.how}"


class Problem(NamedTuple):
    """Something a stream could not be read for: a limit hit or a syntax error, at a line."""

    line: int
    reason: str
    kind: str  # "limit" or "syntax"


@dataclass(slots=True)
class Loaded:
    """One document: its value, the line it starts on, and the keys written twice in it."""

    value: Any
    line: int
    duplicates: list[Duplicate] = field(default_factory=list)


@dataclass(slots=True)
class Stream:
    """A multi-document stream: the documents read, and why any document (or the rest) was not."""

    documents: list[Loaded] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def key_path(path: KeyPath) -> str:
    """`Resources.AdminRole`, `Statement[0].Action`: how a report names a key."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if len(part) <= 64 else part[:61] + "..."
            out += f".{text}" if out else text
    return out or "(document)"


def keep_both(mapping: LDict, key: str, values: list[Any]) -> None:
    """Keep the first value under `key` and each repeat under `key~2`, `key~3`…"""
    mapping[key] = values[0]
    for number, value in enumerate(values[1:], start=2):
        mapping[f"{key}~{number}"] = value


# -- loading -----------------------------------------------------------------------------------------


def load_located(text: str, base_line: int = 1, limits: Limits = DEFAULT_LIMITS, merge: Merge = last_wins) -> Any:
    """Load one YAML/JSON document; mappings come back as LDict with 1-based lines shifted by base_line."""
    return load_document(text, base_line, limits, merge).value


def load_document(text: str, base_line: int = 1, limits: Limits = DEFAULT_LIMITS, merge: Merge = last_wins) -> Loaded:
    """One document with its duplicates. Raises yaml.YAMLError (syntax; more than one document) or LimitError."""
    if text.lstrip()[:1] in ("{", "["):  # JSON: the same values and lines at json.loads speed, when it can
        fast = json_marks.load(text, base_line, limits)
        if fast is not None:
            return Loaded(*fast)
    try:
        node = yaml.compose(str(text), Loader=Composer)  # the C parser rejects str subclasses
    except RecursionError as exc:  # the pure-Python composer recurses; libyaml stops at 1000 levels itself
        raise LimitError(base_line, f"nested deeper than {limits.describe('max_depth')}") from exc
    except yaml.YAMLError as exc:
        _raise_depth(exc, base_line - 1, limits)
        raise
    if node is None:
        return Loaded(None, base_line)
    walker = _Walker(base_line - 1, limits, merge)
    return Loaded(walker.document(node), node.start_mark.line + base_line, walker.duplicates)


Skim = Callable[[yaml.Node], frozenset[str] | None]
"""Which top-level keys of a document to build (None: all). The others are still walked for the bounds and
for keys written twice, exactly as when built, but no value is made: a reader that only needs an object's
`metadata` does not pay for its large `spec`."""


def load_all_located(
    text: str, limits: Limits = DEFAULT_LIMITS, merge: Merge = last_wins, skim: Skim | None = None
) -> Stream:
    """Every document of a stream (empty ones skipped), each within the limits on its own.

    A document that hits a limit is a problem of its own and the next one is read; a syntax error ends
    the stream (the parser cannot resynchronise) but keeps the documents before it.
    """
    stream = Stream()
    count = 0
    nodes: Iterator[yaml.Node] = yaml.compose_all(str(text), Loader=Composer)
    while True:
        try:
            node = next(nodes, None)
        except RecursionError:
            stream.problems.append(Problem(1, f"nested deeper than {limits.describe('max_depth')}", "limit"))
            return stream
        except yaml.YAMLError as exc:
            stream.problems.append(_stream_problem(exc, limits))
            return stream
        if node is None:
            return stream
        count += 1
        line = node.start_mark.line + 1
        if count > limits.max_documents:
            limit = limits.describe("max_documents")
            reason = f"more than {limit} documents in one stream; the rest of the file is not read"
            stream.problems.append(Problem(line, reason, "limit"))
            return stream
        walker = _Walker(0, limits, merge)
        try:
            value = walker.document(node, skim(node) if skim is not None else None)
        except LimitError as exc:
            stream.problems.append(Problem(exc.line, f"document at line {line}: {exc.reason}", "limit"))
            continue
        except RecursionError:
            stream.problems.append(Problem(line, f"nested deeper than {limits.describe('max_depth')}", "limit"))
            continue
        if value is not None:
            stream.documents.append(Loaded(value, line, walker.duplicates))


def _stream_problem(exc: yaml.YAMLError, limits: Limits) -> Problem:
    try:
        _raise_depth(exc, 0, limits)
    except LimitError as limit:
        return Problem(limit.line, limit.reason, "limit")
    return Problem(error_line(exc), syntax_reason(exc), "syntax")


def _raise_depth(exc: yaml.YAMLError, offset: int, limits: Limits) -> None:
    """libyaml's own nesting bound (1000 levels) is the depth limit too: report it as such."""
    if "maximum nesting depth" in str(getattr(exc, "problem", "") or ""):
        raise LimitError(error_line(exc) + offset, f"nested deeper than {limits.describe('max_depth')}") from exc


# -- errors --------------------------------------------------------------------------------------------


def error_line(exc: yaml.YAMLError | LimitError) -> int:
    """The 1-based line a YAML error points at."""
    if isinstance(exc, LimitError):
        return exc.line
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 1


_QUOTED_RE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_SAFE_QUOTED_RE = re.compile(r"['\"](?:<[a-z ]+>|[-:,\[\]{}?|>!&*#%@`]|\\t)['\"]")


def syntax_reason(exc: Exception) -> str:
    """PyYAML's problem category without the text it quotes (an alias name, a token, a scalar may be a
    secret): `'<scalar>'` token types and single indicator characters stay, anything else quoted goes."""
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    text = (f"{context} {problem}" if context else str(problem)) if problem else type(exc).__name__
    return _QUOTED_RE.sub(
        lambda m: m.group(0) if _SAFE_QUOTED_RE.fullmatch(m.group(0)) else "(text not shown)", " ".join(text.split())
    )


# -- the walk ------------------------------------------------------------------------------------------


class _Walker:
    """Turns one composed document into values within its limits, recording repeated keys."""

    def __init__(self, offset: int, limits: Limits, merge: Merge) -> None:
        self.offset = offset
        self.limits = limits
        self.merge = merge
        self.nodes = 0
        self.aliases = 0
        self.seen: set[int] = set()  # composed nodes already visited: a second visit is an alias
        self.at = offset + 1  # the last line written outside an alias expansion: where a limit points
        self.max_nodes, self.max_depth = limits.max_nodes, limits.max_depth
        self.duplicates: list[Duplicate] = []

    def document(self, node: yaml.Node, keep: frozenset[str] | None = None) -> Any:
        if keep is None or type(node) is not yaml.MappingNode or node.tag != f"{_STANDARD_TAG}map":
            return self.located(node, (), 0, False)
        if _plain_keys(node) is None:  # a key written twice or not a plain scalar: build it all
            return self.located(node, (), 0, False)
        self.nodes += 1  # what `located` counts for the document node
        self.seen.add(id(node))
        self.at = self.line(node)
        return self._mapping(node, (), 0, False, keep)

    def checked(self, node: yaml.Node, path: KeyPath, depth: int, expanding: bool) -> None:
        """What `located` does for the bounds and for repeated keys, without building the value."""
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise LimitError(
                self.at, f"expands to more than {self.limits.describe('max_nodes')} nodes (an alias bomb?)"
            )
        if depth > self.max_depth:
            raise LimitError(self.line(node), f"nested deeper than {self.limits.describe('max_depth')}")
        if type(node) is yaml.ScalarNode:
            return
        if id(node) in self.seen:
            if not expanding:
                self.aliases += 1
                if self.aliases > self.limits.max_aliases:
                    raise LimitError(self.at, f"more than {self.limits.describe('max_aliases')} aliases")
                expanding = True
        else:
            self.seen.add(id(node))
            if not expanding:
                self.at = self.line(node)
        tag = node.tag or ""
        if tag[:1] == "!" and tag[:2] != "!!":
            name = tag[1:]
            key = name if name in ("Ref", "Condition") else f"Fn::{name}"
            if isinstance(node, yaml.MappingNode):
                self._checked_mapping(node, (*path, key), depth + 1, expanding)
            else:
                for i, item in enumerate(node.value):
                    self.checked(item, (*path, key, i), depth + 1, expanding)
        elif isinstance(node, yaml.MappingNode):
            self._checked_mapping(node, path, depth, expanding)
        else:
            for i, item in enumerate(node.value):
                self.checked(item, (*path, i), depth + 1, expanding)

    def _checked_mapping(self, node: yaml.MappingNode, path: KeyPath, depth: int, expanding: bool) -> None:
        if _plain_keys(node) is None:  # a repeat is resolved (and reported) on the built values
            self._mapping(node, path, depth, expanding)
            return
        scalar, inner = yaml.ScalarNode, depth + 1
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag == _MERGE_TAG:
                self.checked(value_node, path, inner, expanding)
                continue
            if key_tag == _STR_TAG and type(key_node) is scalar:  # as in `_mapping`: `located` inlined
                self.nodes += 1
                if self.nodes > self.max_nodes or inner > self.max_depth:
                    self._bounds(key_node, inner)
                key = key_node.value
            else:
                key = str(self.located(key_node, path, inner, expanding))
            if not expanding:
                self.at = int(key_node.start_mark.line) + 1 + self.offset
            if type(value_node) is scalar:  # a scalar is only counted (what `checked` does with it)
                self.nodes += 1
                if self.nodes > self.max_nodes or inner > self.max_depth:
                    self._bounds(value_node, inner)
                continue
            self.checked(value_node, (*path, key), inner, expanding)

    def line(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1 + self.offset

    def _bounds(self, node: yaml.Node, depth: int) -> None:
        """The checks `located` makes after counting a node (nodes, then depth)."""
        if self.nodes > self.max_nodes:
            raise LimitError(
                self.at, f"expands to more than {self.limits.describe('max_nodes')} nodes (an alias bomb?)"
            )
        if depth > self.max_depth:
            raise LimitError(self.line(node), f"nested deeper than {self.limits.describe('max_depth')}")

    def located(self, node: yaml.Node, path: KeyPath, depth: int, expanding: bool) -> Any:
        self.nodes += 1
        if self.nodes > self.max_nodes or depth > self.max_depth:
            self._bounds(node, depth)
        tag = node.tag or ""
        if type(node) is yaml.ScalarNode:  # most nodes: no alias bookkeeping (an aliased scalar costs one node)
            if tag[:1] == "!" and tag[:2] != "!!":
                return self._short_form(tag[1:], node, path, depth, expanding)
            return scalar_value(node)
        if id(node) in self.seen:
            if not expanding:
                self.aliases += 1
                if self.aliases > self.limits.max_aliases:
                    raise LimitError(self.at, f"more than {self.limits.describe('max_aliases')} aliases")
                expanding = True
        else:
            self.seen.add(id(node))
            if not expanding:
                self.at = self.line(node)
        if tag[:1] == "!" and tag[:2] != "!!":
            return self._short_form(tag[1:], node, path, depth, expanding)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth, expanding)
        return [self.located(item, (*path, i), depth + 1, expanding) for i, item in enumerate(node.value)]

    def _mapping(
        self, node: yaml.MappingNode, path: KeyPath, depth: int, expanding: bool, keep: frozenset[str] | None = None
    ) -> LDict:
        result = LDict(line=self.line(node), end_line=int(node.end_mark.line) + 1 + self.offset)
        key_lines: dict[str, int] = {}
        merged: list[LDict] = []
        repeated: dict[str, list[Any]] = {}
        repeat_lines: dict[str, list[int]] = {}
        scalar, inner = yaml.ScalarNode, depth + 1
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag == _MERGE_TAG:
                value = self.located(value_node, path, inner, expanding)
                merged.extend(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, LDict))
                continue
            if key_tag == _STR_TAG and type(key_node) is scalar:  # most keys: `located` inlined
                self.nodes += 1
                if self.nodes > self.max_nodes or inner > self.max_depth:
                    self._bounds(key_node, inner)
                key = key_node.value
            else:
                key = str(self.located(key_node, path, inner, expanding))
            key_line = int(key_node.start_mark.line) + 1 + self.offset
            if not expanding:
                self.at = key_line
            if keep is not None and key not in keep:  # not read: only checked (no repeat here: _plain_keys)
                self.checked(value_node, (*path, key), inner, expanding)
                continue
            if value_node.tag == _STR_TAG and type(value_node) is scalar:  # likewise for string values
                self.nodes += 1
                if self.nodes > self.max_nodes or inner > self.max_depth:
                    self._bounds(value_node, inner)
                value = value_node.value
            else:
                value = self.located(value_node, (*path, key), inner, expanding)
            if key in key_lines:
                repeated.setdefault(key, [result[key]]).append(value)
                repeat_lines.setdefault(key, []).append(key_line)
            else:
                key_lines[key] = key_line
            result[key] = value
        for source in merged:  # explicit keys win over merged ones
            for key, value in source.items():
                if key not in result:
                    result[key] = value
                    key_lines[key] = source.line_of(key)
        result.key_lines = key_lines
        if repeated:
            how = self.merge(path, result, repeated)
            for key, lines in repeat_lines.items():
                for number, line in enumerate(lines, start=2):
                    if f"{key}~{number}" in result:
                        key_lines[f"{key}~{number}"] = line
                    self.duplicates.append(Duplicate((*path, key), line, key_lines[key], how[key]))
        return result

    def _short_form(self, name: str, node: yaml.Node, path: KeyPath, depth: int, expanding: bool) -> LDict:
        """`!Ref X`, `!GetAtt A.B`, `!Sub ...`, `!If [...]`: the long form CloudFormation means."""
        key = name if name in ("Ref", "Condition") else f"Fn::{name}"
        if isinstance(node, yaml.ScalarNode):
            value: Any = node.value
            if name == "GetAtt" and isinstance(value, str) and "." in value:
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = [self.located(item, (*path, key, i), depth + 1, expanding) for i, item in enumerate(node.value)]
        else:
            value = self._mapping(node, (*path, key), depth + 1, expanding)  # type: ignore[arg-type]
        line = self.line(node)
        result = LDict([(key, value)], line=line, end_line=int(node.end_mark.line) + 1 + self.offset)
        result.key_lines = {key: line}
        return result


def _plain_keys(node: yaml.MappingNode) -> set[str] | None:
    """The keys of a mapping when each is a plain scalar written once (no merge key), else None."""
    keys: set[str] = {k.value for k, _ in node.value if k.tag == _STR_TAG and type(k) is yaml.ScalarNode}
    if len(keys) == len(node.value):  # most mappings: every key a string scalar, each once
        return keys
    keys.clear()
    for key_node, _ in node.value:
        tag = key_node.tag or ""
        if type(key_node) is not yaml.ScalarNode or (tag[:1] == "!" and tag[:2] != "!!"):
            return None
        key = str(scalar_value(key_node))
        if key in keys:
            return None
        keys.add(key)
    return keys
