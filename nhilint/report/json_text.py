"""`json.dumps(document, indent=2)`, byte for byte, written by one recursive function.

Why: the standard library uses its C encoder only without `indent`; with it, every dict and list is a Python
generator chained to its parent's, and a report of a few thousand findings or a large inventory spends more
time there than in building the document. This writes what reports hold (dicts with string keys, lists,
tuples, strings, ints, finite floats, booleans, None) into one list of pieces; anything else (another key
type, NaN or an infinity, an object) makes it hand the whole document to `json.dumps`, so the text is always
what `json.dumps` gives (tests/report/test_json_text.py compares them on generated documents and reports).
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii  # the C function when the accelerator is built
from typing import Any

_INDENT = "  "


class _Unsupported(Exception):
    """A value `json.dumps` renders differently or refuses: let it do the whole document."""


def dumps(document: Any) -> str:
    """The document as `json.dumps(document, indent=2)` writes it."""
    parts: list[str] = []
    try:
        _write(document, parts, "\n")
    except (_Unsupported, RecursionError):
        return json.dumps(document, indent=2)
    return "".join(parts)


def _write(value: Any, out: list[str], newline: str) -> None:
    """Append `value` at the indentation of `newline` (a newline and the current level's indent)."""
    if isinstance(value, str):
        out.append(encode_basestring_ascii(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _Unsupported
        out.append(float.__repr__(value))
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + _INDENT
        separator = "[" + inner
        for item in value:
            out.append(separator)
            separator = "," + inner
            if isinstance(item, str):
                out.append(encode_basestring_ascii(item))
            else:
                _write(item, out, inner)
        out.append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + _INDENT
        separator = "{" + inner
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unsupported
            out.append(separator + encode_basestring_ascii(key) + ": ")
            separator = "," + inner
            if isinstance(item, str):
                out.append(encode_basestring_ascii(item))
            else:
                _write(item, out, inner)
        out.append(newline + "}")
    else:
        raise _Unsupported
