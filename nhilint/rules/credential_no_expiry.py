"""A credential must expire or be rotated.

Secrets, API keys, tokens and certificates that never expire stay valid long after the workload, vendor or
person that used them is gone. nhilint accepts as expiry or rotation: an `end_date`/`expiration_date`, a
certificate `validity_period_hours`, a token `ttl`, a `time_rotating` resource that the credential is
replaced by (`replace_triggered_by`, `rotate_when_changed`, keepers), a Secrets Manager rotation, or an
`expires` tag/comment. Static access keys and service-account keys are reported by NHI-CRED-001 instead.
An AgentCore credential provider whose client secret is kept in a Secrets Manager secret of the scanned code
expires and rotates as that secret does: it is reported once, on the secret, which names the provider.

Anti-pattern::

    resource "aws_secretsmanager_secret" "partner_api" {
      name = "partner-api-token"
    }

Best practice::

    resource "aws_secretsmanager_secret_rotation" "partner_api" {
      secret_id           = aws_secretsmanager_secret.partner_api.id
      rotation_lambda_arn = aws_lambda_function.rotate.arn
      rotation_rules { automatically_after_days = 30 }
    }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import (
    STATIC_KEY_KINDS,
    Context,
    Rule,
    expiry_of,
    fact_where,
    kept_in,
    label,
    read_by,
    unknown_reason,
)


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for credential in ctx.inventory.credentials:
        if credential.kind in STATIC_KEY_KINDS or credential.kind == "console_password":
            continue
        expiry = expiry_of(credential)
        rotation = credential.rotation
        if (expiry and expiry.known) or (rotation and rotation.known) or kept_in(ctx.inventory, credential):
            continue  # expiring, rotated, or its secret is a credential of the scan, reported (once) there
        unknown = expiry if expiry is not None else rotation
        who = label(credential) + read_by(ctx.inventory, credential)
        if unknown is not None:
            yield rule.finding(
                f"could not evaluate the expiry of {who}: {unknown_reason(unknown)}",
                fact_where(unknown, credential.location),
                credential,
                unknown.source,
                credential.location,
                True,
                ctx,
            )
            continue
        yield rule.finding(f"{who} never expires and is not rotated", credential.location, credential)


RULE = Rule(
    "NHI-EXP-001", "credential-no-expiry", Severity.MEDIUM, "NHI7", "Credential has no expiry or rotation", check
)
