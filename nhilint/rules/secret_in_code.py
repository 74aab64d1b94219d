"""No secret values written in infrastructure code.

A password, token, API key or private key written literally in `.tf` files is in every clone, fork, CI
log and state file. nhilint reports where it is written and never prints the value. Checked: provider
credentials (`access_key`, `secret_key`, `client_secret`, `token`…), Secrets Manager and SSM SecureString
values, database master passwords, API Gateway key values, GitHub Actions secret `plaintext_value`,
Kubernetes Secret data, Vault tokens, and variables named like secrets with a literal default. In the
free-form places — tags and labels, annotations, environment variables (Lambda, ECS, Cloud Functions, Cloud
Run, App Service settings, Pod containers), user data and ConfigMap data — a value is reported when the secret
detector recognises it (a GitHub or Stripe token, an AWS access key, a private key…). The finding names the
identity the resource is, or runs as, when the code says so.

Anti-pattern::

    resource "aws_secretsmanager_secret_version" "api" {
      secret_id     = aws_secretsmanager_secret.api.id
      secret_string = "sk_live_..."
    }

Best practice: generate the value (`random_password`, `tls_private_key`), or write it out of band.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, short_address


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for secret in ctx.inventory.literal_secrets:
        finding = rule.finding(
            f"a secret value is written in the code at {short_address(secret.address)}.{secret.attribute} "
            "(value not shown)",
            secret.location,
            None,
            f"{secret.address}.{secret.attribute}",
            secret.block,
        )
        yield replace(finding, identity=secret.of, address=secret.address, platform=secret.platform, kind="secret")


RULE = Rule("NHI-CRED-002", "secret-in-code", Severity.CRITICAL, "NHI2", "Secret value written in the code", check)
