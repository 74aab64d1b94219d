"""No wildcard actions: `*` or `service:*` in an Allow statement.

`s3:*` grants every current and future S3 action, including deletes and policy changes. List the actions
the workload needs. A statement that is `Action: *` on `Resource: *` is reported as an admin grant by
NHI-PRIV-004 instead. Statements whose actions nhilint could not evaluate are reported as unknown.

Anti-pattern::

    statement {
      actions   = ["s3:*"]
      resources = [aws_s3_bucket.reports.arn]
    }

Best practice::

    statement {
      actions   = ["s3:GetObject", "s3:PutObject"]
      resources = ["${aws_s3_bucket.reports.arn}/*"]
    }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.analyse.privilege import full_admin_statement, wildcard_actions
from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, label, short_address


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    for grant in ctx.inventory.grants:
        subject = identities.get(grant.principal) if grant.principal else None
        who = label(subject) if subject else f"policy {short_address(grant.source)}"
        if grant.permission_type == "action" and grant.unknown and grant.effect == "Allow" and not grant.permissions:
            yield rule.finding(
                f"could not evaluate the actions granted to {who}: {grant.unknown}",
                grant.location,
                subject,
                grant.via,
                grant.block,
                True,
                ctx,
            )
            continue
        wildcards = wildcard_actions(grant)
        if not wildcards or full_admin_statement(grant):
            continue
        yield rule.finding(
            f"{who} is granted wildcard action{'s' if len(wildcards) > 1 else ''} {', '.join(wildcards)}",
            grant.location,
            subject,
            f"{grant.via}: {', '.join(wildcards)}",
            grant.block,
        )


RULE = Rule("NHI-PRIV-001", "wildcard-actions", Severity.HIGH, "NHI5", "Policy grants wildcard actions", check)
