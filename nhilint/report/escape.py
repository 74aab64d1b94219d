"""The one escaping layer for text read from the scanned code (file names, resource names, tags) on its way
into a human-facing output: a value cannot forge a line, a table row or a spreadsheet formula.

- `printable`: non-printable characters (newlines, ANSI escapes, bidi overrides) as backslash escapes. A name
  with a newline cannot start a line of its own, such as a GitHub Actions workflow command (`::error …`) or a
  fake finding line; every text output (scan, inventory, explain-identity, suppressions, audit) uses it.
- `markdown_cell`: `printable`, and `|` escaped, so a value stays in its table cell.
- `csv_cell`: `printable` (a CSV written to stdout is read in CI logs as well), and a leading `'` where a
  spreadsheet would start a formula (`=`, `+`, `-`, `@`; OWASP's CSV injection advice also names a leading tab
  and CR, which `printable` has already escaped), leaving the empty-cell `-` and GitHub handles
  such as `@org/team` as written. Quoting is the `csv` module's.

Import-free, so the commands and the audit's progress line can use it without the reporters' import cost.
"""

from __future__ import annotations

import re
from typing import Any

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_FORMULA_STARTS = frozenset("=+-@")
_HANDLES_RE = re.compile(r"^@[\w.-]+(/[\w.-]+)?( @[\w.-]+(/[\w.-]+)?)*$")  # `@org/team @alice` stays as is


def printable(text: str) -> str:
    """Non-printable characters (controls, ANSI escapes, bidi overrides, line separators) as backslash escapes."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _ESCAPES.get(c) or _escape(c) for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def markdown_cell(text: str) -> str:
    """`text` as one Markdown table cell."""
    return printable(text).replace("|", "\\|")


def csv_cell(value: Any) -> str:
    """`value` as one CSV cell: on one line, and not a formula (see the module docstring)."""
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else printable(str(value))
    if text[:1] in _FORMULA_STARTS and text != "-" and not _HANDLES_RE.match(text):
        return "'" + text
    return text
