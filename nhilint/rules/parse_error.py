"""A file or directory that looks like infrastructure code but cannot be parsed or read.

A broken or unreadable file hides every identity in it, and an unreadable directory hides every file in it.
nhilint reports the path and the line it stopped at, and still scans every other file. The message names
what went wrong (the kind of token, not its text: a file may hold a secret). Fix the syntax (`terraform
validate`), the permissions, or exclude the path in config.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Location, Severity
from nhilint.rules.base import Context, Rule


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for error in ctx.inventory.errors:
        if error.kind not in ("syntax", "unreadable"):
            continue
        location = Location(error.path, error.line, error.line)
        yield rule.finding(f"cannot parse {error.path}: {error.reason}", location, None, error.reason)


RULE = Rule("NHI-PARSE-001", "parse-error", Severity.HIGH, "NHI6", "File could not be parsed", check)
