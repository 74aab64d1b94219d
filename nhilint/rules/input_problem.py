"""The shared check of the input-problem rules: one finding per ParseError of the rule's kind."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Location
from nhilint.model_inputs import InputProblem
from nhilint.rules.base import Context, Rule


def problems(rule: Rule, ctx: Context, kind: InputProblem, verb: str) -> Iterator[Finding]:
    for error in ctx.inventory.errors:
        if error.kind == kind:
            location = Location(error.path, error.line, error.line)
            yield rule.finding(f"{verb} {error.path}: {error.reason}", location, None, error.reason)
