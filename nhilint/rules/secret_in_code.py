"""No secret values written in infrastructure code.

A password, token, API key or private key written literally in `.tf` files, templates or manifests is in
every clone, fork, CI log and state file. nhilint reports where it is written and never prints the value.

Checked wherever the attribute itself says "secret": provider credentials (`access_key`, `client_secret`,
GitHub `app_auth.pem_file`, Datadog and Cloudflare keys…), Secrets Manager, SSM SecureString and Key Vault
secret values, database master passwords, API Gateway key values, GitHub Actions secret `plaintext_value`,
Kubernetes Secret data (each key judged, base64 decoded: a secret-named key with a literal, a typed
Secret's credential key, a detected token, a secret-named setting inside a config file), Vault tokens,
NoEcho parameter defaults and variables named like secrets with a literal default. In the free-form places —
tags and labels, annotations, environment variables (Lambda, SAM Globals, ECS, Cloud Functions, Cloud Run, App
Service settings, the containers and init containers of every Pod template), user data and launch templates,
ConfigMap `data` and `binaryData`, CloudFormation parameter defaults and `Outputs` — a value is reported when
the secret detector (detect-secrets) recognises it (a GitHub or Stripe token, an AWS access key, a private
key, a high-entropy string…), or when it is passed as a variable named like a secret (`DB_PASSWORD`,
`API_TOKEN`) and is neither a placeholder (`REPLACE_ME`, `<your-token>`, `changeme`: a known default is not a
leaked secret), a reference (`${…}`, `$(VAR)`, `{{resolve:…}}`, a Key Vault reference, an ARN, a URL without
credentials), a path, a flag, a number nor a name. Terraform plans are not judged: a plan holds the values of
variables and state, and only the source says what was written. The finding names the identity the resource
is, or runs as, when the code says so.

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
