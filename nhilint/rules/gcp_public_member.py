"""No GCP IAM role granted to allUsers or allAuthenticatedUsers.

`allUsers` is anyone on the internet, signed in or not; `allAuthenticatedUsers` is every Google account and
every service account of every organization, which is no narrower in practice. A binding that names either
(in any `google_*_iam_member`, `_binding` or `_policy`, or a `data "google_iam_policy"` it reads) makes the
resource public, with no identity accountable for what is done with it. On a service account with a role
that lets the member act as it (token creator, service account user, workload identity user, owner…),
anyone may become that service account and use all its grants: reported as critical on the account.

Anti-pattern::

    resource "google_storage_bucket_iam_member" "assets" {
      bucket = "acme-assets"
      role   = "roles/storage.objectViewer"
      member = "allUsers"
    }

Best practice: grant the role to the service accounts or groups that need it; serve public content
through a CDN or signed URLs, and invoke private services with an identity token.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, label, short_address

EVERYONE = {
    "allUsers": "anyone on the internet, without signing in",
    "allAuthenticatedUsers": "every Google account and service account, in any organization",
}


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    reported: set[tuple[str, str]] = set()  # (via, member) already reported as "may act as"
    for trust in ctx.inventory.trusts:
        subject = identities.get(trust.identity)
        if subject is None or trust.effect != "Allow":
            continue
        for member in dict.fromkeys(p.type for p in trust.principals if p.type in EVERYONE):
            roles = ", ".join(str(p) for p in trust.actions) or "a role nhilint could not evaluate"
            reported.add((trust.via, member))
            yield rule.finding(
                f"{member} may act as {label(subject)} ({roles} granted to {EVERYONE[member]})",
                trust.location,
                subject,
                f"{trust.via}: {member} {roles}",
                trust.block,
                severity=Severity.CRITICAL,
            )
    for grant in ctx.inventory.grants:
        member = grant.principal or ""
        if member not in EVERYONE or grant.effect != "Allow" or (grant.via, member) in reported:
            continue
        roles = ", ".join(str(p) for p in grant.permissions) or "a role nhilint could not evaluate"
        scope = ", ".join(grant.scope) or "its resource"
        who = short_address(grant.source) if grant.source else grant.via  # the binding, as its file names it
        yield rule.finding(
            f"{who} grants {roles} on {scope} to {member}: {EVERYONE[member]}",
            grant.location,
            None,
            f"{member}: {roles} on {scope}",
            grant.block,
        )


RULE = Rule(
    "NHI-PRIV-012",
    "gcp-public-member",
    Severity.HIGH,
    "NHI5",
    "GCP IAM role granted to allUsers or allAuthenticatedUsers",
    check,
)
