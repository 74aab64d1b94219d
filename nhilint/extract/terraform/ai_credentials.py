"""Credentials an AI agent borrows (Terraform): the API keys and OAuth clients of AgentCore credential
providers, with where their secret is kept and how it is rotated (terraform-provider-aws docs for
`aws_bedrockagentcore_api_key_credential_provider` / `_oauth2_credential_provider`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Final

from nhilint.extract.aws_links import SECRET
from nhilint.extract.builder import Builder
from nhilint.extract.common import credential_of, literal_secret, ref_or_text, rotation_from_time_rotating
from nhilint.model import KEPT_IN, Fact, LiteralSecret, Unknown
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import Ref, to_text

AWS: Final = "aws"


# -- credentials an agent borrows ------------------------------------------------------------------

# Vendor blocks of `oauth2_provider_config` (`github_oauth2_provider_config`…), each with a client secret.
OAUTH_VENDORS = ("custom", "github", "google", "microsoft", "salesforce", "slack", "atlassian", "linkedin")
API_KEY_PROVIDER = "aws_bedrockagentcore_api_key_credential_provider"
# the argument a write-only secret is replaced by bumping, per provider type (terraform-provider-aws docs:
# `api_key_wo_version`; `client_credentials_wo_version` for `client_id_wo` / `client_secret_wo`)
WO_VERSION = {
    API_KEY_PROVIDER: "api_key_wo_version",
    "aws_bedrockagentcore_oauth2_credential_provider": ("client_credentials_wo_version"),
}


@dataclass(slots=True)
class PendingProviderSecrets:
    """OAuth credential providers whose client secret is a Secrets Manager secret (`client_secret_config`):
    (the credential's id, the secret), resolved once the secrets and their rotations are known."""

    items: list[tuple[str, Ref | str]] = field(default_factory=list)


def credential_provider(resource: TfResource, builder: Builder) -> None:
    """An API key or OAuth client an agent calls tools with. `api_key` / `client_secret` is kept in the state
    (and is a leak when written literally); the write-only `*_wo` arguments are not, and are replaced by
    bumping their version argument (rotation). A `client_secret_config` names a Secrets Manager secret
    AgentCore reads the client secret from: it rotates as that secret does."""
    api_key = resource.type == API_KEY_PROVIDER
    attr = "api_key" if api_key else "client_secret"
    records: list[TfRecord] = (
        [resource]
        if api_key
        else [
            vendor
            for config in resource.blocks("oauth2_provider_config")
            for name in OAUTH_VENDORS
            for vendor in config.blocks(f"{name}_oauth2_provider_config")
        ]
    )
    written = None
    for record in records:
        for name in (attr, f"{attr}_wo"):
            location = literal_secret(record, name)
            if location is not None:
                builder.inventory.literal_secrets.append(
                    LiteralSecret(resource.address, name, location, resource.location, None, AWS)
                )
                written = written or location
    in_state = any(r.has(attr) for r in records)
    # a plan never holds a write-only value (null there); its version argument, used only with it, is kept
    version = WO_VERSION.get(resource.type, "")
    write_only = any(r.has(f"{attr}_wo") or r.has(version) for r in records)
    secret_configs = [c for r in records for c in r.blocks("client_secret_config")]
    secret = ref_or_text(secret_configs[0].get("secret_id")) if secret_configs else None
    rotation = rotation_from_time_rotating(resource, builder) or _write_only_rotation(resource, records, write_only)
    attributes: tuple[tuple[str, str], ...] = (
        ("in_state", "true" if in_state else "false"),
        ("write_only", "true" if write_only else "false"),
    )
    if secret_configs:
        shown = secret.address if isinstance(secret, Ref) else _text(secret)
        attributes += (("secret_source", "EXTERNAL"), ("secret_id", shown))
    credential = credential_of(
        resource,
        builder,
        "agent_api_key" if api_key else "agent_oauth_client",
        AWS,
        tags=True,
        default_tags=True,
        secret_in_code=written,
        rotation=rotation,
        attributes=(*attributes, *_texts(resource, "name", "credential_provider_vendor")),
    )
    builder.add_credential(credential, None, ())
    builder.register(resource.address, credential.id, resource.type)
    if rotation is None and isinstance(secret, (Ref, str)):
        builder.side(PendingProviderSecrets).items.append((credential.id, secret))
    elif rotation is None and secret_configs:
        reason = secret.reason if isinstance(secret, Unknown) else "client_secret_config.secret_id is not set"
        _set_rotation(builder, credential.id, Fact(Unknown(reason), "client_secret_config"))


def _write_only_rotation(resource: TfResource, records: list[TfRecord], write_only: bool) -> Fact | None:
    """A write-only secret is not in the state; bumping its version argument makes Terraform send a new one."""
    version = WO_VERSION.get(resource.type)
    if not write_only or version is None:
        return None
    for record in records:
        if record.has(version):
            return Fact(f"write-only, replaced by bumping {version}", version, record.at(version))
    return None


def provider_secrets(builder: Builder) -> None:
    """A provider backed by a Secrets Manager secret rotates when that secret does (its rotation resolved by
    the AWS finisher); a secret outside the scanned code leaves the rotation unknown, never assumed. A secret
    of the scanned code is named on the provider (`KEPT_IN`): its lifecycle is the secret's, reported once
    there (nhilint.rules.base.kept_in)."""
    pending = builder.side(PendingProviderSecrets)
    for credential_id, secret in pending.items:
        found = builder.resolve(secret, SECRET, AWS)
        shown = secret.address if isinstance(secret, Ref) else secret
        if not isinstance(found, str):
            _set_rotation(
                builder,
                credential_id,
                Fact(Unknown(f"Secrets Manager secret {shown} is not in the scanned code"), "client_secret_config"),
            )
            continue
        held = next((c for c in builder.inventory.credentials if c.id == found), None)
        if held is None:
            continue
        rotation = held.rotation
        source = f"secretsmanager:{held.address}"
        _set_rotation(builder, credential_id, rotation and Fact(rotation.value, source, rotation.location), held.id)
    pending.items = []


def _set_rotation(builder: Builder, credential_id: str, rotation: Fact | None, kept_in: str | None = None) -> None:
    credentials = builder.inventory.credentials
    for index, credential in enumerate(credentials):
        if credential.id == credential_id:
            attributes = (*credential.attributes, (KEPT_IN, kept_in)) if kept_in else credential.attributes
            credentials[index] = replace(credential, rotation=rotation, attributes=attributes)


def _text(value: Any) -> str:
    text = to_text(value)
    return text if isinstance(text, str) else str(text)


def _texts(record: TfRecord, *attrs: str) -> tuple[tuple[str, str], ...]:
    return tuple((attr, _text(record.get(attr))) for attr in attrs if record.get(attr) is not None)
