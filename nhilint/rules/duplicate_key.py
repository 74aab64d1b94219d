"""A key written twice in one mapping: a repeated HCL attribute, CloudFormation logical id or policy key.

Parsers silently keep the last value, so a second `Action` key or a second logical id can hide a privileged
grant from review while the first stays in front of the reviewer. nhilint reports the duplicate where it is
written; for CloudFormation and JSON policies it evaluates the broader of the values and says so.

Anti-pattern::

    {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Action": "*", "Resource": "*"}]}

Best practice: write each key once; merge the values you meant into one list.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule
from nhilint.rules.input_problem import problems


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    yield from problems(rule, ctx, "duplicate-key", "duplicate key in")


RULE = Rule("NHI-PARSE-005", "duplicate-key", Severity.HIGH, "NHI6", "Key written twice", check)
