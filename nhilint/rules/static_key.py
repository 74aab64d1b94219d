"""No long-lived static keys for machine identities.

AWS access keys and GCP service-account keys never expire on their own, are copied into CI systems and
laptops, and are the credential most often leaked. Azure client secrets and service-principal passwords
without an `end_date` are the same. Prefer federation: IAM roles for workloads, OIDC for CI (GitHub
Actions, GitLab), Workload Identity on GKE and Azure. A key that a `time_rotating` resource replaces, or
a password with an end date, is not reported.

Anti-pattern::

    resource "aws_iam_access_key" "ci" { user = aws_iam_user.ci.name }

Best practice: delete the user and key; let CI assume a role through OIDC federation.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import STATIC_KEY_KINDS, Context, Rule, label


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for credential in ctx.inventory.credentials:
        if credential.kind not in STATIC_KEY_KINDS:
            continue
        if (credential.rotation and credential.rotation.known) or (credential.expires and credential.expires.known):
            continue
        parent = ctx.inventory.identities.get(credential.of) if isinstance(credential.of, str) else None
        of = f" of {label(parent)}" if parent else ""
        if credential.expires is not None and not credential.expires.known:
            yield rule.finding(
                f"could not evaluate the expiry of {label(credential)}{of}",
                credential.location,
                credential,
                credential.expires.source,
                unknown=True,
                ctx=ctx,
            )
            continue
        yield rule.finding(
            f"{label(credential)}{of} is a long-lived static key that is never rotated", credential.location, credential
        )


RULE = Rule(
    "NHI-CRED-001", "long-lived-static-key", Severity.HIGH, "NHI7", "Long-lived static key without rotation", check
)
