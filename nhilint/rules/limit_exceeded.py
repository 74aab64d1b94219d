"""An input that hit one of nhilint's resource bounds, so part of it was not evaluated.

nhilint reads untrusted code and bounds every resource: file size, nesting depth, evaluation steps, the size
of an evaluated value, YAML documents, nodes and aliases (`limits:` in `.nhilint.yaml`). A file that hits a
bound is not a silent pass: what could not be evaluated is unknown, and this finding names the limit.

Anti-pattern::

    locals {
      pad = format("%0999999999d", 1)
    }

Best practice: real infrastructure code stays far below the defaults; if yours does not, raise the named
limit in `.nhilint.yaml` (`limits: {max_depth: 400}`) rather than excluding the file.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule
from nhilint.rules.input_problem import problems


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    yield from problems(rule, ctx, "limit", "not evaluated in full:")


RULE = Rule("NHI-PARSE-004", "limit-exceeded", Severity.HIGH, "NHI6", "Input exceeds a resource limit", check)
