"""An owner must name a real, reachable owner in the form your organisation uses.

`owner = "TBD"`, `owner = "john"` or a stale team name is as bad as no owner. Set `settings.owner_pattern`
(a regular expression, matched in full) in your policy or `.nhilint.yaml`; the rule is silent when no
pattern is configured. The `strict` policy requires `team-…`, `squad-…` or `svc-…` handles. IAM groups
(containers of principals) are not checked.

Anti-pattern (with `owner_pattern: "^team-[a-z0-9-]+$"`)::

    tags = { owner = "bob" }

Best practice::

    tags = { owner = "team-payments" }
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, fact_where, label, subjects
from nhilint.rules.owner_missing import CONTAINER_KINDS


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    pattern = ctx.settings.owner_pattern
    if not pattern:
        return
    compiled = re.compile(pattern)
    for subject in subjects(ctx.inventory):
        if subject.kind in CONTAINER_KINDS:
            continue
        owner = subject.lifecycle.owner
        if owner is None or not isinstance(owner.value, str):
            continue
        if owner.source.startswith("parent:"):
            continue  # reported once, on the parent
        if not compiled.fullmatch(owner.value):
            yield rule.finding(
                f"owner {owner.value!r} of {label(subject)} does not match {pattern}",
                fact_where(owner, subject.location),
                subject,
                owner.source,
                subject.location,
            )


RULE = Rule(
    "NHI-OWN-002", "owner-pattern", Severity.LOW, "NHI1", "Owner does not match the configured owner pattern", check
)
