"""Other machine credentials (Terraform): CI secrets, deploy keys, Vault AppRoles and tokens, TLS keys and certs.

These credentials belong to no cloud platform, yet they are where cloud keys end up (a GitHub Actions secret
holding an IAM access key) and where long-lived secrets hide (a Vault token without a TTL, a ten-year
certificate). Durations (Vault TTLs, certificate validity) cannot become dates, because the clock starts at
apply; they are recorded as an `expires` fact such as `validity 87600h` plus a `validity_seconds`
attribute, which NHI-EXP-002 compares with `max_expiry_days`.
"""

from __future__ import annotations

import re
from typing import Any, Final

from nhilint.extract.builder import Builder
from nhilint.extract.common import (
    add_identity,
    add_literal_secret,
    as_list,
    credential_of,
    literal_secret,
    ref_or_text,
    rotation_from_time_rotating,
    walk,
)
from nhilint.extract.terraform.misc_links import CiKeyCopy, MiscLinks, PendingAppRole, approle_secret_ids, link_ci_keys
from nhilint.extract.terraform.table import PlatformTable
from nhilint.model import Fact, Grant, LiteralSecret, RoleRef, Unknown, Usage
from nhilint.parse import hcl
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import Ref, SourceText, refs_in_text, to_text

GITHUB: Final = "github"
VAULT: Final = "vault"
TLS: Final = "tls"
APPROLE = ("vault_approle_auth_backend_role",)

# Secret stores of CI systems: resource type -> the usage kind a cloud key copied into one gets.
CI_SECRETS: dict[str, str] = {
    "github_actions_secret": "github repository secret",
    "github_actions_environment_secret": "github environment secret",
    "github_actions_organization_secret": "github organization secret",
    "github_dependabot_secret": "github dependabot secret",
    "github_dependabot_organization_secret": "github organization dependabot secret",
    "github_codespaces_secret": "github codespaces secret",
    "github_codespaces_organization_secret": "github organization codespaces secret",
}
# Credentials whose value is worth copying into a CI secret: type -> attributes that carry it.
KEY_ATTRIBUTES: dict[str, frozenset[str]] = {
    "aws_iam_access_key": frozenset({"id", "secret", "ses_smtp_password_v4"}),
    "google_service_account_key": frozenset({"private_key"}),
    "azuread_application_password": frozenset({"value"}),
    "azuread_service_principal_password": frozenset({"value"}),
}
_DURATION_RE = re.compile(r"(\d+)([dhms])")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


# -- CI secrets and deploy keys --------------------------------------------------------------------


def ci_secret(resource: TfResource, builder: Builder) -> None:
    """A CI secret; a literal value is a leak, a cloud key in it is a usage of the key's identity."""
    written = None
    for attr in ("plaintext_value", "encrypted_value"):
        if add_literal_secret(resource, builder, attr, GITHUB):
            written = written or literal_secret(resource, attr)
    attributes = _texts(resource, "repository", "environment", "secret_name", "visibility")
    credential = credential_of(resource, builder, "ci_secret", GITHUB, secret_in_code=written, attributes=attributes)
    builder.add_credential(credential, None, ())
    for attr in ("plaintext_value", "encrypted_value"):
        for key in _key_addresses(resource, attr):
            usage = Usage("", resource.address, CI_SECRETS[resource.type], resource.location)
            builder.side(MiscLinks).ci_keys.append(CiKeyCopy(key, usage, credential.id))


def deploy_key(resource: TfResource, builder: Builder) -> None:
    """A deploy key never expires. Its `key` is public; only a private key written there is a leak."""
    value = resource.get("key")
    written = None
    if isinstance(value, str) and "PRIVATE KEY" in value:
        written = literal_secret(resource, "key")
        if written is None and isinstance(value, SourceText):  # file("id_rsa") inside the repository
            written = resource.at("key")
        if written is not None:
            builder.inventory.literal_secrets.append(
                LiteralSecret(resource.address, "key", written, resource.location, None, GITHUB)
            )
    read_only = resource.get("read_only")
    attributes = (
        ("read_only", _text(read_only) if read_only is not None else "true"),
        *_texts(resource, "repository", "title"),
    )
    pairs = [r.address for r in _refs(value) if _type_of(r.address) == "tls_private_key"]
    if pairs:
        attributes += (("key_pair", pairs[0]),)
    credential = credential_of(
        resource,
        builder,
        "deploy_key",
        GITHUB,
        secret_in_code=written,
        rotation=rotation_from_time_rotating(resource, builder),
        attributes=attributes,
    )
    builder.add_credential(credential, None, ())


# -- Vault -----------------------------------------------------------------------------------------


def approle(resource: TfResource, builder: Builder) -> None:
    """An AppRole is an identity whose token policies are its grants (`role` grants, platform `vault`);
    its secret ids never expire unless `secret_id_ttl` is set."""
    backend = _text(resource.get("backend")) if resource.has("backend") else "approle"
    attributes = (
        ("backend", backend),
        ("secret_id_ttl", _text(resource.get("secret_id_ttl", 0))),
        *_texts(resource, "token_ttl", "token_max_ttl", "token_period", "secret_id_num_uses", "bind_secret_id"),
    )
    identity = add_identity(
        resource, builder, "approle", VAULT, name_attr="role_name", tags_attr=None, attributes=attributes
    )
    for attr in ("token_policies", "policies"):
        if not resource.has(attr):
            continue
        policies = resource.get(attr)
        items = [policies] if isinstance(policies, Unknown | Ref) else as_list(policies)
        names = [_unknown(p, attr) if isinstance(p, Unknown | Ref) else to_text(p) for p in items]
        unknown = next((n.reason for n in names if isinstance(n, Unknown)), None)
        permissions = tuple(RoleRef(n) for n in names if isinstance(n, str)) if unknown is None else ()
        grant = Grant(
            None,
            permissions,
            (backend,),
            f"{attr} of {resource.address}",
            resource.address,
            resource.at(attr),
            resource.location,
            permission_type="role",
            unknown=unknown,
            platform=VAULT,
        )
        builder.add_grant(grant, Ref(resource.address), APPROLE)
    bind = resource.get("bind_secret_id")
    expires, seconds = _ttl_fact(resource, "secret_id_ttl")
    builder.side(MiscLinks).approles.append(
        PendingAppRole(identity.id, resource.address, bind is not False, expires, seconds, resource.location)
    )


def approle_secret_id(resource: TfResource, builder: Builder) -> None:
    """A secret id generated in Terraform: it is in the state, and a literal `secret_id` is in the code."""
    written = literal_secret(resource, "secret_id")
    if written is not None:
        add_literal_secret(resource, builder, "secret_id", VAULT)
    expires, seconds = _ttl_fact(resource, "ttl")
    credential = credential_of(
        resource,
        builder,
        "approle_secret_id",
        VAULT,
        expires=expires,
        secret_in_code=written,
        rotation=rotation_from_time_rotating(resource, builder),
        attributes=(("in_state", "true"), *_texts(resource, "num_uses", "wrapping_ttl"), *seconds),
    )
    builder.add_credential(credential, ref_or_text(resource.get("role_name")), APPROLE)


def vault_token(resource: TfResource, builder: Builder) -> None:
    """A token expires at `explicit_max_ttl`, else (unless periodic, which renews forever) at `ttl`."""
    expires: Fact | None = None
    seconds: tuple[tuple[str, str], ...] = ()
    for attr in ("explicit_max_ttl", "period", "ttl"):
        if not resource.has(attr):
            continue
        fact, found = _ttl_fact(resource, attr)
        if fact is None:
            continue
        if attr != "period" or not fact.known:
            expires, seconds = fact, found
        break  # a periodic token without explicit_max_ttl renews forever: it never expires
    credential = credential_of(
        resource,
        builder,
        "vault_token",
        VAULT,
        expires=expires,
        rotation=rotation_from_time_rotating(resource, builder),
        attributes=(("in_state", "true"), *_texts(resource, "policies", "renewable", "period", "num_uses"), *seconds),
    )
    builder.add_credential(credential, None, ())


# -- TLS -------------------------------------------------------------------------------------------


def private_key(resource: TfResource, builder: Builder) -> None:
    """A generated key sits unencrypted in the Terraform state; it only rotates with a time_rotating."""
    credential = credential_of(
        resource,
        builder,
        "private_key",
        TLS,
        rotation=rotation_from_time_rotating(resource, builder),
        attributes=(("in_state", "true"), *_texts(resource, "algorithm", "rsa_bits", "ecdsa_curve")),
    )
    builder.add_credential(credential, None, ())


def certificate(resource: TfResource, builder: Builder) -> None:
    """Validity is a duration from apply. `early_renewal_hours` only renews a certificate on an apply
    inside the window, and only without an outage with `create_before_destroy`: then it counts as rotation."""
    hours = resource.get("validity_period_hours")
    if isinstance(hours, str) and hours.strip().isdigit():
        hours = int(hours)
    expires: Fact | None = None
    attributes = _texts(resource, "is_ca_certificate", "early_renewal_hours")
    if isinstance(hours, int) and not isinstance(hours, bool):
        expires = Fact(f"validity {hours}h", "validity_period_hours", resource.at("validity_period_hours"))
        attributes += (("validity_seconds", str(hours * 3600)),)
    elif hours is not None:
        expires = Fact(
            _unknown(hours, "validity_period_hours"), "validity_period_hours", resource.at("validity_period_hours")
        )
    rotation = rotation_from_time_rotating(resource, builder)
    renewal = resource.get("early_renewal_hours")
    replaced_first = any(b.get("create_before_destroy") is True for b in resource.blocks("lifecycle"))
    if rotation is None and isinstance(renewal, int) and renewal > 0 and replaced_first:
        rotation = Fact(
            f"renewed on apply within {renewal}h of expiry", "early_renewal_hours", resource.at("early_renewal_hours")
        )
    credential = credential_of(
        resource, builder, "certificate", TLS, expires=expires, rotation=rotation, attributes=attributes
    )
    builder.add_credential(credential, None, ())


# -- helpers ---------------------------------------------------------------------------------------


def duration_seconds(value: Any) -> int | Unknown:
    """Vault durations: seconds as a number or string, or `1h30m` / `768h` / `7d` units."""
    if isinstance(value, bool):
        return Unknown(f"{value!r} is not a duration")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
        if text and _DURATION_RE.sub("", text) == "":
            return sum(int(n) * _UNIT_SECONDS[u] for n, u in _DURATION_RE.findall(text))
        return Unknown(f"{value!r} is not a duration")
    return _unknown(value, "duration")


def _ttl_fact(record: TfRecord, attr: str) -> tuple[Fact | None, tuple[tuple[str, str], ...]]:
    """(expires fact, validity attribute) for a TTL; (None, ()) when unset or 0, which means never."""
    if not record.has(attr):
        return None, ()
    value = record.get(attr)
    seconds = duration_seconds(value)
    if isinstance(seconds, Unknown):
        return Fact(seconds, attr, record.at(attr)), ()
    if seconds <= 0:
        return None, ()
    shown = f"{value}s" if isinstance(value, int) or str(value).strip().isdigit() else str(value)
    return Fact(f"{attr} {shown}", attr, record.at(attr)), (("validity_seconds", str(seconds)),)


def _unknown(value: Any, what: str) -> Unknown:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Ref):
        return Unknown(f"{what}: {value} is known only after apply")
    return Unknown(f"{what}: unexpected value of type {type(value).__name__}")


def _text(value: Any) -> str:
    text = to_text(value)
    return text if isinstance(text, str) else str(text)


def _texts(record: TfRecord, *attrs: str) -> tuple[tuple[str, str], ...]:
    values = []
    for attr in attrs:
        value = record.get(attr)
        if value is not None:
            values.append((attr, ",".join(_text(v) for v in value) if isinstance(value, list) else _text(value)))
    return tuple(values)


def _type_of(address: str) -> str:
    parts = address.split(".")
    return parts[-2] if len(parts) >= 2 else ""


def _refs(value: Any) -> list[Ref]:
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, str):
        return [ref for ref, _ in refs_in_text(value)]
    if isinstance(value, list):
        return [r for item in value for r in _refs(item)]
    if isinstance(value, dict):
        return [r for item in value.values() for r in _refs(item)]
    return []


def _key_addresses(resource: TfResource, attr: str) -> list[str]:
    """Cloud keys a value carries: in the evaluated value (through locals, module outputs) and in the
    expression itself (through functions such as base64encode that turn a reference into Unknown)."""
    found: list[str] = []

    def keep(address: str, attribute: str | None) -> None:
        allowed = KEY_ATTRIBUTES.get(_type_of(address))
        first = (attribute or "").split(".")[0]
        if allowed is not None and (not first or first in allowed) and address not in found:
            found.append(address)

    for ref in _refs(resource.get(attr)):
        keep(ref.address, ref.attribute)
    expr = resource.expr(attr)
    evaluator = resource.evaluator or resource.instance.evaluator
    for node in walk(expr) if expr is not None else ():
        if isinstance(node, hcl.GetAttr) and _root(node) in KEY_ATTRIBUTES:
            value = evaluator.eval(node)  # the reference alone, with this instance's count/each
            if isinstance(value, Ref) and value.attribute:
                keep(value.address, value.attribute)
    return found


def _root(node: hcl.Expr) -> str | None:
    while isinstance(node, hcl.GetAttr | hcl.Index):
        node = node.base
    return node.name if isinstance(node, hcl.Name) else None


# -- after every resource is seen ------------------------------------------------------------------


def finish(builder: Builder) -> None:
    link_ci_keys(builder)
    approle_secret_ids(builder)


TABLE = PlatformTable(
    name="misc",
    finisher=finish,
    handlers={
        **{t: ci_secret for t in CI_SECRETS},
        "github_repository_deploy_key": deploy_key,
        "vault_approle_auth_backend_role": approle,
        "vault_approle_auth_backend_role_secret_id": approle_secret_id,
        "vault_token": vault_token,
        "tls_private_key": private_key,
        "tls_self_signed_cert": certificate,
        "tls_locally_signed_cert": certificate,
    },
)
