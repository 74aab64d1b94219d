"""`nhilint.secrets.named_secret`: a literal passed as a secret-named variable, judged without the detector.

The decision table of what a secret-named key may hold that is not a secret (placeholders, references,
paths, flags, numbers, names), one row each, so that a change to the patterns shows which case it moves.
"""

from __future__ import annotations

import pytest

from nhilint.secrets import named_secret

SECRETS = [
    ("DB_PASSWORD", "Tr0ub4dor&3-orders"),
    ("api_key", "AbCdEfGh42"),
    ("SECRET_KEY_BASE", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),  # hex: no detector plugin, the name tells
    ("ACCESS_TOKEN", "3f2a9c1b-7e5d-4a6f-8b0c-2e4d6f8a0b2c"),
    ("MINIO_SECRET_KEY", "minio123"),  # a lowercase word with digits, 8 characters or more
    ("DBPassword", "Passw0rd!"),
    ("dbPassword", "Passw0rd!"),
]
NOT_SECRETS = [
    ("LOG_LEVEL", "Tr0ub4dor&3-orders"),  # the name says nothing
    ("DB_PASSWORD_ARN", "Tr0ub4dor&3-orders"),  # names a reference to the secret
    ("DbPasswordSecretArn", "Tr0ub4dor&3-orders"),
    ("API_TOKEN", "REPLACE_ME"),
    ("API_TOKEN", "<your-api-token>"),
    ("ADMIN_PASSWORD", "changeme"),
    ("ADMIN_PASSWORD", "password"),
    ("DB_PASSWORD", ""),
    ("DB_PASSWORD", "hunter2"),  # too short to tell from a name
    ("DB_SECRET", "orders/prod/db"),
    ("DB_SECRET", "payments-db-credentials"),
    ("DB_PASSWORD", "${var.db_password}"),
    ("DB_PASSWORD", "$(POSTGRES_PASSWORD)"),
    ("DB_PASSWORD", "{{resolve:secretsmanager:orders-db:SecretString:password}}"),
    ("DB_PASSWORD", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db/)"),
    ("DB_PASSWORD", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-Ab12Cd"),
    ("TOKEN_URL", "https://auth.example.com/oauth2/token"),
    ("PASSWORD_FILE", "/run/secrets/db"),
    ("AUTH_TOKEN_TTL", "3600"),
    ("AUTH_TOKEN", "15m"),
    ("USE_TOKEN_AUTH", "true"),
    ("TOKEN_VARIABLE", "GITHUB_TOKEN"),
    ("DB_PASSWORD", "ask the ops team"),
]


@pytest.mark.parametrize(("name", "value"), SECRETS)
def test_a_literal_under_a_secret_name_is_a_secret(name: str, value: str) -> None:
    assert named_secret(name, value)


@pytest.mark.parametrize(("name", "value"), NOT_SECRETS)
def test_placeholders_references_and_names_are_not(name: str, value: str) -> None:
    assert not named_secret(name, value)
