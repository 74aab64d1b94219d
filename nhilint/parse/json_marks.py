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
from itertools import accumulate, chain, repeat
from operator import attrgetter
from typing import Any

import yaml

from nhilint.limits import Limits
from nhilint.parse.yaml_composer import scalar_value
from nhilint.values import LDict

# One match per key (a string followed by its `:`), bracket, stray quote or the end; what lies between (values,
# commas, blanks, a key's `:`) is passed over inside the regex engine, so Python sees only the structure. Each
# match ends on its token's line (a key's closing quote, a bracket): the lines of all tokens are counted in one
# pass at C speed. Possessive quantifiers and a match that cannot fail keep it linear in the text, whatever the text.
_STRING = r'"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"'
_STRUCTURE = re.compile(
    rf'(?:{_STRING}(?!\s*:)|[^"{{}}\[\]]++)*+(?:({_STRING})(?=[ \t\r]*:)|(\{{)|(\[)|(\}})|(\])|(")|\Z)'
)
_KEY, _OPEN, _OPEN_LIST, _CLOSE, _CLOSE_LIST, _QUOTE = 1, 2, 3, 4, 5, 6
# What YAML reads differently from JSON: characters outside YAML's printable set, its other line breaks
# (NEL, LS, PS, a lone CR), tabs (YAML refuses some), and escaped surrogates (JSON pairs them, YAML does not).
# Three searches, each a fast scan, rather than one alternation tried at every position.
_ASCII_DIFFERS = re.compile("[^\x0a\x0d\x20-\x7e]")  # the characters, for ASCII text
_YAML_DIFFERS = re.compile("[^\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LONE_CR = re.compile("\r(?!\n)")
_SURROGATE = re.compile("\\\\u[dD][89a-fA-F]")
_LONG_KEY = 1000  # YAML's keys: at most 1024 characters (a key this long is read as YAML)


_LASTINDEX = attrgetter("lastindex")


class _Declined(Exception):
    """The YAML reading might differ: let the caller use it."""


_RESOLVER = yaml.resolver.Resolver()  # the C loaders' resolver


def _plain(text: str) -> Any:
    """A number (or `NaN`, `Infinity`) as YAML reads the same plain scalar."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return scalar_value(yaml.ScalarNode(tag, text))


def _differs(text: str) -> bool:
    """Whether YAML might read a character of this JSON text differently."""
    if (_ASCII_DIFFERS if text.isascii() else _YAML_DIFFERS).search(text):
        return True
    if "\r" in text and _LONE_CR.search(text) is not None:
        return True
    return "\\u" in text and _SURROGATE.search(text) is not None


def load(text: str, base_line: int, limits: Limits) -> tuple[Any, int] | None:
    """(value, line of the document) as `yamlmarks.load_document` would read this JSON text, or None."""
    if _differs(text):
        return None
    matches = list(_STRUCTURE.finditer(text))
    ends = list(map(re.Match.end, matches))
    lines = list(accumulate(map(text.count, repeat("\n"), chain((0,), ends), ends), initial=base_line))[1:]
    kinds = list(map(_LASTINDEX, matches))
    if _QUOTE in kinds:
        return None  # a string that does not end on its line (or a key's `:` on the next line): not JSON
    if (
        _KEY in kinds
        and max(map(len, text.split("\n"))) > _LONG_KEY  # only a long line can hold a long key
        and any(m.end(1) - m.start(1) > _LONG_KEY for m in matches if m.lastindex == _KEY)
    ):
        return None
    closed: list[tuple[int, int, list[int]]] = []  # per object, in closing order: its lines and its keys' lines
    stack: list[tuple[int, int]] = []  # open brackets: line, and where its keys start in `keys` (-1: a list)
    keys: list[int] = []  # the lines of the keys of the objects open, innermost last
    depth, max_depth = 0, limits.max_depth
    for kind, line in zip(kinds, lines, strict=True):
        if kind == _KEY:
            keys.append(line)
        elif kind in (_OPEN, _OPEN_LIST):
            stack.append((line, len(keys) if kind == _OPEN else -1))
            depth += 1
            if depth > max_depth:
                return None
        elif kind is not None:
            if not stack:
                return None
            start, mark = stack.pop()
            depth -= 1
            if (mark < 0) != (kind == _CLOSE_LIST):
                return None  # brackets that do not pair: not JSON
            if mark >= 0:
                closed.append((start, line, keys[mark:]))
                del keys[mark:]
    # Nodes (keys and values) are at most twice the values, and each value but a collection's first follows a
    # comma: a bound, not a count (commas in strings add to it), and past the limit YAML counts exactly.
    nodes = 2 * (text.count(",") + text.count("{") + text.count("[")) + 1
    if stack or keys or not matches or matches[0].lastindex not in (_OPEN, _OPEN_LIST) or nodes > limits.max_nodes:
        return None
    first = lines[0]
    objects = iter(closed)

    def mapping(pairs: list[tuple[str, Any]]) -> LDict:
        start, end, keys = next(objects, (-1, -1, None))
        if keys is None or len(keys) != len(pairs):
            raise _Declined
        result = LDict(pairs, start, end)
        if len(result) != len(pairs):
            raise _Declined  # a key written twice
        result.key_lines = dict(zip(result, keys))  # noqa: B905 (the lengths are equal: checked above)
        return result

    try:
        value = json.loads(text, object_pairs_hook=mapping, parse_float=_plain, parse_int=_plain, parse_constant=_plain)
    except (ValueError, RecursionError, _Declined):
        return None
    if next(objects, None) is not None:
        return None
    return value, first
