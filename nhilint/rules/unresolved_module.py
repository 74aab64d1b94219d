"""A module whose source nhilint did not read.

Remote module sources (registry, git, S3) are never fetched: nhilint does not reach the network. The
identities such a module creates are not in the inventory. Scan the module's own repository, or vendor it.
A local module path that has no `.tf` files is reported too.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for item in ctx.inventory.unresolved:
        yield rule.finding(f"{item.what} was not scanned: {item.reason}", item.location, None, item.reason)


RULE = Rule("NHI-PARSE-002", "module-not-scanned", Severity.INFO, "NHI6", "Module source not scanned", check)
