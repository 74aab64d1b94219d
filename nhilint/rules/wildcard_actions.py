"""No wildcard actions: `*` or `service:*` in an Allow statement.

`s3:*` grants every current and future S3 action, including deletes and policy changes. List the actions
the workload needs. A statement that is `Action: *` on `Resource: *`, or admin-equivalent (`iam:*` on
`Resource: *`), is reported as an admin grant by NHI-PRIV-004 instead; a service wildcard on `Resource: *`
is also NHI-PRIV-002's (the resources are a second problem, with a second fix). Statements whose actions
nhilint could not evaluate are reported as unknown.

The finding names the policy the statement is written in. A managed policy or policy document that no
identity in the scan uses is reported on itself, one severity lower ("not attached to any identity in the
scan"): the change that attaches it is too late for review.

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

from nhilint.analyse.privilege import admin_equivalent, admin_role, wildcard_actions
from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule
from nhilint.rules.holders import holder


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for grant in ctx.inventory.grants:
        if grant.permission_type == "action" and grant.unknown and grant.effect == "Allow" and not grant.permissions:
            held = holder(ctx, grant)
            yield rule.finding(
                f"could not evaluate the actions granted to {held.who}: {grant.unknown}",
                grant.location,
                held.subject,
                grant.via,
                grant.block,
                True,
                ctx,
            )
            continue
        wildcards = wildcard_actions(grant)
        if not wildcards or (admin_role(grant) or admin_equivalent(grant)) is not None:
            continue
        held = holder(ctx, grant)
        plural = "s" if len(wildcards) > 1 else ""
        yield rule.finding(
            held.granted(f"wildcard action{plural} {', '.join(wildcards)}")
            + f"{held.suffix}: list the actions it needs",
            grant.location,
            held.subject,
            f"{grant.via}: {', '.join(wildcards)}",
            grant.block,
            severity=held.severity(rule),
        )


RULE = Rule("NHI-PRIV-001", "wildcard-actions", Severity.HIGH, "NHI5", "Policy grants wildcard actions", check)
