"""JSON documents with line marks at the speed of `json.loads`: what `yamlmarks` makes of JSON, without YAML.

JSON is YAML, and `yamlmarks` reads it as such, but composing YAML nodes costs about thirty times `json.loads`
(a quarter of the templates in a CloudFormation repository are JSON). Here one regex pass finds where each
object opens and closes and where its keys are; `json.loads` builds the values, its `object_pairs_hook`
making each object the same `LDict` (lines, end line, key lines) the YAML walker would, since objects close
in the same order in both passes. Numbers are read as YAML reads them (`1e5` is a string in YAML 1.1).

This is a fast path only. Whenever the answer might differ from the YAML reading, it declines (None) and the
caller reads the text as YAML: a key written twice (the format's merge and the duplicate report), invalid
JSON, a document near a limit (nodes, depth), characters YAML treats differently (non-printable ones, line
breaks other than `\\n` and `\\r\\n`, escaped surrogate pairs), or any disagreement between the two passes.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from nhilint.limits import Limits
from nhilint.parse.yaml_composer import scalar_value
from nhilint.values import LDict

# One match per key (a string with its `:`), bracket, stray quote or the end; what lies between (values, commas,
# blanks) is passed over inside the regex engine, so Python sees only the structure. Possessive quantifiers and
# a match that cannot fail keep it linear in the text, whatever the text.
_STRING = r'"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"'
_STRUCTURE = re.compile(rf'(?:{_STRING}(?!\s*:)|[^"{{}}\[\]]++)*+(?:({_STRING})(\s*:)|([{{}}\[\]])|(")|\Z)')
# What YAML reads differently from JSON: characters outside YAML's printable set, its other line breaks
# (NEL, LS, PS, a lone CR), tabs (YAML refuses some), and escaped surrogates (JSON pairs them, YAML does not).
_ASCII_DIFFERS = re.compile("[^\x0a\x0d\x20-\x7e]|\r(?!\n)|\\\\u[dD][89a-fA-F]")  # the same, for ASCII text
_YAML_DIFFERS = re.compile(
    "[^\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|\r(?!\n)|\\\\u[dD][89a-fA-F]"
)


class _Declined(Exception):
    """The YAML reading might differ: let the caller use it."""


_RESOLVER = yaml.resolver.Resolver()  # the C loaders' resolver


def _plain(text: str) -> Any:
    """A number (or `NaN`, `Infinity`) as YAML reads the same plain scalar."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return scalar_value(yaml.ScalarNode(tag, text))


def load(text: str, base_line: int, limits: Limits) -> tuple[Any, int] | None:
    """(value, line of the document) as `yamlmarks.load_document` would read this JSON text, or None."""
    if (_ASCII_DIFFERS if text.isascii() else _YAML_DIFFERS).search(text):
        return None
    closed: list[tuple[int, int, list[int]]] = []  # per object, in closing order: its lines and its keys' lines
    stack: list[tuple[int, list[int] | None]] = []  # open brackets: line, key lines (None: a list)
    first = -1
    line, seen = base_line, 0  # the line at offset `seen` (tokens come in order: newlines are counted once)
    for match in _STRUCTURE.finditer(text):
        group = match.lastindex  # 2: a key (groups 1 and 2), 3: a bracket, 4: a stray quote, None: the end
        if group == 2:  # a key (YAML's keys: on one line with their `:`, at most 1024 characters)
            position = match.start(1)
            line += text.count("\n", seen, position)
            seen = position
            keys = stack[-1][1] if stack else None
            if keys is None or "\n" in match.group(2) or match.end(1) - position > 1000:
                return None
            keys.append(line)
            continue
        if group != 3:
            if group == 4:
                return None  # a string that does not end on its line: not JSON
            break  # the end of the text
        bracket = match.group(3)
        position = match.start(3)
        line += text.count("\n", seen, position)
        seen = position
        if bracket in "{[":
            if first < 0:
                first = line
            stack.append((line, [] if bracket == "{" else None))
            if len(stack) > limits.max_depth:
                return None
            continue
        if not stack:
            return None
        start, keys = stack.pop()
        if keys is not None:
            closed.append((start, line, keys))
    # Nodes (keys and values) are at most twice the values, and each value but a collection's first follows a
    # comma: a bound, not a count (commas in strings add to it), and past the limit YAML counts exactly.
    nodes = 2 * (text.count(",") + text.count("{") + text.count("[")) + 1
    if stack or first < 0 or nodes > limits.max_nodes:
        return None
    objects = iter(closed)

    def mapping(pairs: list[tuple[str, Any]]) -> LDict:
        start, end, keys = next(objects, (-1, -1, None))
        if keys is None or len(keys) != len(pairs):
            raise _Declined
        result = LDict(pairs, line=start, end_line=end)
        if len(result) != len(pairs):
            raise _Declined  # a key written twice
        result.key_lines = dict(zip(result, keys, strict=True))
        return result

    try:
        value = json.loads(text, object_pairs_hook=mapping, parse_float=_plain, parse_int=_plain, parse_constant=_plain)
    except (ValueError, RecursionError, _Declined):
        return None
    if next(objects, None) is not None:
        return None
    return value, first
