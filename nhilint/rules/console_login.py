"""No console login for machine users.

An IAM user with a login profile (a console password) is used by people. When that user is also a
machine identity (it has access keys, or is created by code for a workload) humans and machines share one
identity, nobody can tell who did what, and the password outlives the person who knew it.

Anti-pattern::

    resource "aws_iam_user_login_profile" "deploy" { user = aws_iam_user.deploy.name }

Best practice: people sign in through your identity provider (IAM Identity Center); machines get roles.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, label, short_address


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    for credential in ctx.inventory.credentials:
        if credential.kind != "console_password":
            continue
        user = identities.get(credential.of) if isinstance(credential.of, str) else None
        who = label(user) if user else str(credential.of or "a user outside the scanned code")
        profile = short_address(credential.address)
        yield rule.finding(
            f"{who} has a console password ({profile}): a person uses this machine identity",
            credential.location,
            credential,
        )


RULE = Rule(
    "NHI-CRED-003", "console-login-machine-user", Severity.HIGH, "NHI10", "Console login on a machine user", check
)
