"""A file that looks like infrastructure code but cannot be read.

A broken file hides every identity in it. nhilint reports the file and the line it stopped at, and
still scans every other file. Fix the syntax (`terraform validate`) or exclude the file in config.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Location, Severity
from nhilint.rules.base import Context, Rule


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for error in ctx.inventory.errors:
        location = Location(error.path, error.line, error.line)
        yield rule.finding(f"cannot parse {error.path}: {error.reason}", location, None, error.reason)


RULE = Rule("NHI-PARSE-001", "parse-error", Severity.HIGH, "NHI6", "File could not be parsed", check)
