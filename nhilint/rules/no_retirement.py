"""Every identity and credential needs a retirement hook.

An identity is retired safely when something says when it goes away. nhilint accepts either a `retire-on`
tag or `# nhilint:retire-on app:payments` comment naming the trigger (a workload, a vendor contract, a
ticket), or a workload in the scanned code that runs as the identity (a Lambda role, an instance profile,
an ECS task role, a Pod's ServiceAccount, a compute `service_account`): when that workload is deleted, the
identity is visibly orphaned. An identity with neither is an orphan in the making. Groups (containers of
principals) and service-linked roles (retired by their AWS service) are exempt.

A credential (an access key, a service-account key, an API key, a stored secret…) is retired with the
identity of the scanned code it belongs to (or whose key it holds, as a CI secret set from an access key
does), or by its rotation or expiry. One that belongs to no identity
of the code (a standalone API key or secret, a key for an account created elsewhere) and is neither
rotated nor expiring needs a `retire-on` trigger of its own. An AgentCore credential provider whose client
secret is kept in a Secrets Manager secret of the scanned code goes with that secret: reported once, on the
secret, which names the provider.

Anti-pattern::

    resource "aws_iam_role" "vendor_sync" { ... }        # nothing uses it, nothing retires it

Best practice::

    resource "aws_iam_role" "vendor_sync" {
      ...
      tags = { retire-on = "contract:ACME-2027" }
    }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Credential, Fact, Finding, Identity, Severity
from nhilint.rules.base import Context, Rule, fact_where, kept_in, label, read_by, unknown_reason
from nhilint.rules.owner_missing import CONTAINER_KINDS

EXEMPT_KINDS = CONTAINER_KINDS | {"service_linked_role"}


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    used = {usage.identity for usage in ctx.inventory.usages}
    identities = ctx.inventory.identities
    # credentials that hold an identity's secret (a CI secret set from an access key) go with that identity
    holding = {usage.workload for usage in ctx.inventory.usages if usage.identity in identities}
    for identity in identities.values():
        if identity.kind in EXEMPT_KINDS or identity.id in used:
            continue
        yield from _hook(
            rule,
            ctx,
            identity,
            identity.lifecycle.retire_on,
            "no retire-on tag and no workload in the scanned code uses it",
        )
    for credential in ctx.inventory.credentials:
        if (isinstance(credential.of, str) and credential.of in identities) or credential.address in holding:
            continue  # retired with its identity
        if credential.rotation is not None or credential.expires is not None:
            continue  # replaced or ended on its own
        if kept_in(ctx.inventory, credential):
            continue  # goes with the secret of the scan it is kept in, reported (once) there
        yield from _hook(
            rule,
            ctx,
            credential,
            credential.lifecycle.retire_on,
            "it belongs to no identity of the scanned code and has no rotation, expiry or retire-on tag",
            read_by(ctx.inventory, credential),
        )


def _hook(
    rule: Rule, ctx: Context, subject: Identity | Credential, retire_on: Fact | None, why: str, readers: str = ""
) -> Iterator[Finding]:
    who = label(subject) + readers
    if retire_on is None:
        yield rule.finding(f"{who} has no retirement hook: {why}", subject.location, subject)
    elif not retire_on.known:
        yield rule.finding(
            f"could not evaluate the retire-on of {who}: {unknown_reason(retire_on)}",
            fact_where(retire_on, subject.location),
            subject,
            retire_on.source,
            subject.location,
            True,
            ctx,
        )


RULE = Rule(
    "NHI-RET-001",
    "no-retirement-hook",
    Severity.MEDIUM,
    "NHI1",
    "Identity or credential has no retire-on trigger, no workload using it and no identity to retire with",
    check,
)
