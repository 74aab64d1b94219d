"""JSON documents with line marks at close to `json.loads` speed: what `yamlmarks` makes of JSON, without YAML.

JSON is YAML, and `yamlmarks` reads it as such, but composing YAML nodes costs about thirty times `json.loads`
(a quarter of the templates in a CloudFormation repository are JSON). Here `json.loads` builds the values, its
`object_pairs_hook` making each object the same `LDict` (lines, end line, key lines) the YAML walker would.
The lines come from the text's skeleton: with its escapes blanked (same length) and then every string taken
out, what is left of a JSON text is its structure (`{}[]`, a key's `:`, line breaks), numbers and literals, and
a few passes of `bytes` methods (split, len, count, translate) give the line of every `{`, `}` and key, and how
many come before each `}`. For a text `json.loads` accepts, that skeleton is exact. Objects close in the order
their `}` are written, in the text as in `json.loads`, so the hook, called once per `}`, takes its object's
lines from those of the tokens (a stack keeps those of objects still open). Python runs once per object, not
per key or bracket; what is left is about the cost of making an `LDict` and its `key_lines` per object.

Numbers are read as YAML reads them (`1e5` is a string in YAML 1.1): integers and floats without an exponent
read alike, so only an exponent or a constant (`NaN`, `Infinity`) asks YAML's resolver, and only then is
PyYAML imported (a JSON policy in Terraform code is read without it).

This is a fast path only. Whenever the answer might differ from the YAML reading, it declines (None) and the
caller reads the text as YAML: a key written twice (the format's merge and the duplicate report), invalid
JSON, a document near a limit (nodes, depth), characters YAML treats differently (non-printable ones, line
breaks other than `\\n` and `\\r\\n`, tabs, escaped surrogates), a key longer than YAML's keys or whose
`:` is on a later line, or any disagreement between the skeleton and `json.loads`. Every step is linear in the
text, whatever the text (huge strings, deep nesting, many keys).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import accumulate, compress, count, repeat
from operator import gt, sub
from typing import Any

from nhilint.lazy_re import LazyPattern
from nhilint.limits import Limits
from nhilint.values import LDict

# What YAML reads differently from JSON in a text `json.loads` accepts. In ASCII text: a tab and DEL (JSON
# refuses every other control character, YAML's printable set excludes those two). In other text: characters
# outside YAML's printable set, its other line breaks (NEL, LS, PS). Everywhere: a lone CR, and escaped
# surrogates (JSON pairs them, YAML does not).
_YAML_DIFFERS = LazyPattern("[^\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# An escape, but for one of a surrogate (`\ud800`-`\udfff`), which is left for the caller to find and decline.
_ESCAPE = LazyPattern(r"\\(?:[^u\n]|u(?![dD][89a-fA-F]))")
_LONG_KEY = 1000  # YAML's keys: at most 1024 characters (a key this long, quotes included, is read as YAML)
_BLANKS = b" \r"  # taken out of the skeleton (a tab declines): only line breaks are left between tokens
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b"{}[]:\n")))
_DEPTH = [0] * 256  # a bracket's change of depth, by byte
_DEPTH[ord("{")] = _DEPTH[ord("[")] = 1
_DEPTH[ord("}")] = _DEPTH[ord("]")] = -1
_OPEN_AS_KEY = bytes.maketrans(b"{", b":")


_new_dict, _fill = dict.__new__, dict.update
_LDICT_SLOTS = ("end_line", "key_lines", "line", "path")  # what the hook sets (a test holds LDict to it)


_Hook = Callable[[list[tuple[str, Any]]], LDict]


class _Declined(Exception):
    """The YAML reading might differ: let the caller use it."""


def load(text: str, base_line: int, limits: Limits) -> tuple[Any, int] | None:
    """(value, line of the document) as `yamlmarks.load_document` would read this JSON text, or None."""
    if text.isascii():
        if "\t" in text or "\x7f" in text:
            return None
    elif _YAML_DIFFERS.search(text):
        return None
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None  # a lone CR: a line break in YAML
    skeleton = _skeleton(text)
    if skeleton is None:
        return None
    structure, exponent = skeleton
    start = len(structure) - len(structure.lstrip(b"\n"))
    if structure[start : start + 1] not in (b"{", b"["):
        return None  # not a collection (yamlmarks reads only those here), or not JSON
    if structure.count(b"{") + structure.count(b"[") > limits.max_depth and _depth(structure) > limits.max_depth:
        return None
    # Nodes (keys and values) are at most twice the values, and each value but a collection's first follows a
    # comma: a bound, not a count (commas in strings add to it), and past the limit YAML counts exactly.
    if 2 * len(text) + 1 > limits.max_nodes and (
        2 * (text.count(",") + text.count("{") + text.count("[")) + 1 > limits.max_nodes
    ):
        return None
    hook, finished = _objects(structure, base_line)
    try:
        value = json.loads(
            text, object_pairs_hook=hook, parse_float=_plain if exponent else None, parse_constant=_plain
        )
    except (ValueError, RecursionError, IndexError, _Declined):
        return None
    if not finished():
        return None  # not the objects the structure shows: do not guess
    return value, base_line + start


def _skeleton(text: str) -> tuple[bytes, bool] | None:
    """The structure of the text (`{}[]:` and line breaks, as bytes) and whether a number has an exponent;
    None when YAML would read the text differently."""
    if "\\" in text:  # neutralise escapes (same length) so that quotes delimit strings
        text = _ESCAPE.sub("__", text)
        if "\\" in text:
            return None  # an escaped surrogate (or a backslash that escapes nothing: not JSON)
    parts = text.split('"')  # outside strings at even indexes, inside at odd ones
    if not len(parts) % 2:
        return None  # a quote left open: not JSON
    if len(text) > _LONG_KEY and max(map(len, parts[1::2]), default=0) > _LONG_KEY - 2 and _long_key(parts):
        return None
    try:
        outside = '""'.join(parts[::2]).encode("ascii")  # strings emptied; JSON allows only ASCII outside them
    except UnicodeEncodeError:
        return None
    bare = outside.translate(None, _BLANKS)
    if b"\n:" in bare:  # a line that starts with `:`: a key's `:` on a later line than the key
        return None
    # Besides the structure, what is left is numbers and literals: an `e` not in `true` or `false` (or an `E`)
    # is an exponent, which YAML 1.1 reads differently from JSON (`1e5` is a string, `1.5e+3` a float).
    exponent = bare.count(b"e") != bare.count(b"true") + bare.count(b"false") or b"E" in bare
    return bare.translate(None, _NOT_STRUCTURE), exponent


def _depth(structure: bytes) -> int:
    """How deep the brackets nest."""
    return max(accumulate(map(_DEPTH.__getitem__, structure.translate(None, b":\n"))))


def _long_key(parts: list[str]) -> bool:
    """Whether a key is longer than YAML reads as a key: a long string followed by its `:`."""
    long = compress(count(), map(gt, map(len, parts), repeat(_LONG_KEY - 2)))
    return any(i % 2 and i + 1 < len(parts) and parts[i + 1].lstrip()[:1] == ":" for i in long)


def _objects(structure: bytes, base_line: int) -> tuple[_Hook, Callable[[], bool]]:
    """The `object_pairs_hook` that marks each object, and whether it has marked every object the structure
    shows (what `json.loads` read is what the structure says).

    `json.loads` closes objects in the order their `}` are written. Each `{` and key before a `}` is a token
    there, its line in `lines`; the tokens since the previous `}` are the segment of that `}`. An object that
    holds no other has its `{` and keys at the end of its segment (they are all after the previous `}`); the
    tokens before them belong to objects still open, and wait on a stack. An object that holds others has in
    its segment only the keys after the last of them; its `{` and other keys are at the top of the stack.
    """
    tokens = structure.translate(_OPEN_AS_KEY, b"[]")  # `:` (a `{` or a key), `}` and line breaks
    segments = tokens.split(b"}")  # before each `}`, and after the last
    segments.pop()
    breaks = list(map(bytes.count, segments, repeat(b"\n")))
    before = accumulate(map(sub, map(len, segments), breaks))  # how many tokens before each `}`
    end_lines = accumulate(breaks, initial=base_line)
    next(end_lines)
    between = tokens.translate(None, b"}").split(b":")  # only line breaks between tokens
    between.pop()
    lines = list(accumulate(map(len, between), initial=base_line))  # of each token
    del lines[0]
    closes = iter(list(zip(before, end_lines, strict=True)))
    stack: list[int] = []
    done = 0  # tokens before the previous `}`

    def mapping(pairs: list[tuple[str, Any]]) -> LDict:
        nonlocal done, stack
        upto, end = next(closes)
        size = len(pairs)
        result = _new_dict(LDict)  # what `LDict(pairs, line, end_line)` makes, without its Python `__init__`
        _fill(result, pairs)
        if len(result) != size:
            raise _Declined  # a key written twice
        mark = upto - size - 1  # where its `{` is, if it holds no other object
        if mark >= done:
            if mark > done:
                stack += lines[done:mark]
            result.line = line = lines[mark]
            result.key_lines = dict(zip(result, lines[mark + 1 : upto]))  # noqa: B905 (as long: `size`)
        else:
            stack += lines[done:upto]
            mark = len(stack) - size - 1
            if mark < 0:
                raise _Declined
            result.line = line = stack[mark]
            result.key_lines = dict(zip(result, stack[mark + 1 :]))  # noqa: B905 (as long: `size`)
            del stack[mark:]
        done = upto
        result.end_line = end or line
        result.path = None
        return result

    def finished() -> bool:
        return not stack and done == len(lines) and next(closes, None) is None

    return mapping, finished


_RESOLVE: list[Callable[[str], Any]] = []


def _plain(text: str) -> Any:
    """A number with an exponent, or `NaN`, `Infinity`, as YAML reads the same plain scalar."""
    if not _RESOLVE:
        import yaml

        from nhilint.parse.yaml_composer import scalar_value

        resolver = yaml.resolver.Resolver()  # the C loaders' resolver

        def resolve(plain: str) -> Any:
            tag = resolver.resolve(yaml.ScalarNode, plain, (True, False))  # type: ignore[no-untyped-call]
            return scalar_value(yaml.ScalarNode(tag, plain))

        _RESOLVE.append(resolve)
    return _RESOLVE[0](text)
