"""A Terraform module call that reaches a module already on its call stack.

`module "m" { source = "./" }`, or `./net` calling `../`, is a cycle: Terraform refuses it, and a scanner that
follows it either loops or drops the directory. nhilint reports the `module` block, does not follow the call,
and still evaluates every directory once per instance, so nothing it declares is lost.

Anti-pattern::

    module "self" {
      source = "./"
    }

Best practice: call child modules in their own directories; never call a module's own directory or a parent.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule
from nhilint.rules.input_problem import problems


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    yield from problems(rule, ctx, "module-cycle", "module call not followed in")


RULE = Rule("NHI-PARSE-003", "module-cycle", Severity.HIGH, "NHI6", "Module call forms a cycle", check)
