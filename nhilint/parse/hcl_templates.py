"""Heredocs and template text (`file()` read by templatefile, `.tf.json` strings): literal text and `${...}`.

Each interpolation is parsed as an HCL expression on its own; one nhilint cannot parse, or one over a limit,
makes the template Unsupported (a limit one is reported when evaluated), never the whole file unreadable.
The expression parser is passed in by nhilint.parse.hcl, which sits above this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nhilint.parse.hcl_check import HclLimitError, HclSyntaxError
from nhilint.parse.hcl_nodes import Expr, Literal, Template, Unsupported

ExpressionParser = Callable[[str, int], Expr]
"""Parses the text of one `${...}` expression whose first line is the given line (nhilint.parse.hcl)."""

_HEREDOC_RE = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\n?(.*?)\n[ \t]*\1\n?\Z", re.S)


def heredoc(raw: str, line: int, trim: bool, parse_expression: ExpressionParser) -> Expr:
    match = _HEREDOC_RE.match(raw)
    if not match:
        return Unsupported("heredoc", line)
    body = match.group(2) + "\n"
    if trim:
        lines = body.split("\n")
        indents = [len(x) - len(x.lstrip(" \t")) for x in lines if x.strip()]
        cut = min(indents, default=0)
        body = "\n".join(x[cut:] for x in lines)
    return template_from_text(body, line + 1, parse_expression)


def template_from_text(text: str, line: int, parse_expression: ExpressionParser) -> Expr:
    """Split heredoc text into literal parts and `${...}` expressions (`$${` is a literal `${`)."""
    if "${" not in text and "%{" not in text:
        return Literal(text, line)
    if "%{" in text.replace("%%{", ""):
        return Unsupported("template directive %{...}", line)
    parts: list[str | Expr] = []
    pos = 0
    while True:
        start = text.find("${", pos)
        if start < 0:
            parts.append(text[pos:])
            break
        if start > 0 and text[start - 1] == "$":
            parts.append(text[pos : start - 1] + "${")
            pos = start + 2
            continue
        parts.append(text[pos:start])
        end = _matching_brace(text, start + 2)
        if end < 0:
            return Unsupported("unterminated interpolation", line)
        expr_line = line + text.count("\n", 0, start)
        try:
            parts.append(parse_expression(text[start + 2 : end].strip(), expr_line))
        except HclSyntaxError:
            return Unsupported("interpolation nhilint cannot parse", expr_line)
        except HclLimitError:
            return Unsupported("an interpolation", expr_line, "max_depth")
        pos = end + 1
    return template_parts([p.replace("%%{", "%{") if isinstance(p, str) else p for p in parts], line)


def template_parts(parts: list[str | Expr], line: int) -> Expr:
    """Literal text and expressions -> a Literal when nothing is interpolated, else a Template."""
    merged: list[str | Expr] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    if not merged:
        return Literal("", line)
    if len(merged) == 1 and isinstance(merged[0], str):
        return Literal(merged[0], line)
    return Template(tuple(merged), line)


def _matching_brace(text: str, pos: int) -> int:
    depth = 0
    in_string = False
    i = pos
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1
