"""GCP workload identity federation (Terraform): pools and providers applied to principalSet trusts.

A `principalSet://…/workloadIdentityPools/POOL/…` member of an in-code pool whose provider has no
`attribute_condition` gains a `Federated` principal (the issuer) plus the claim the principal set pins as an
`<issuer>:<claim>` condition; a provider with an `attribute_condition` adds that condition (operator "CEL").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from nhilint.extract.builder import Builder
from nhilint.extract.common import ref_or_text
from nhilint.model import Condition, TrustPrincipal, Unknown
from nhilint.parse.terraform import TfResource
from nhilint.values import Ref, refs_in_text, to_text


class PoolProvider(NamedTuple):
    """A workload identity pool provider: its pool, issuer, attribute mapping and attribute condition."""

    pool: Ref | str | Unknown | None
    issuer: str | Unknown
    mapping: dict[str, Any]
    condition: Any


@dataclass(slots=True)
class FederationLinks:
    """Recorded for `federate` (`builder.side(FederationLinks)`): (pool address, pool id), providers."""

    pools: list[tuple[str, Any]] = field(default_factory=list)
    providers: list[PoolProvider] = field(default_factory=list)


def pool(resource: TfResource, builder: Builder) -> None:
    builder.side(FederationLinks).pools.append((resource.address, resource.get("workload_identity_pool_id")))


def pool_provider(resource: TfResource, builder: Builder) -> None:
    """Record issuer, attribute mapping and condition; `finish` applies them to principalSet trusts."""
    issuer: str | Unknown = "unknown issuer"
    for oidc in resource.blocks("oidc"):
        issuer = to_text(oidc.get("issuer_uri"))
    for aws in resource.blocks("aws"):
        issuer = f"aws account {to_text(aws.get('account_id'))}"
    if resource.blocks("saml"):
        issuer = "saml"
    mapping = resource.get("attribute_mapping")
    condition = resource.get("attribute_condition") if resource.has("attribute_condition") else None
    builder.side(FederationLinks).providers.append(
        PoolProvider(
            ref_or_text(resource.get("workload_identity_pool_id")),
            issuer,
            mapping if isinstance(mapping, dict) else {},
            condition,
        )
    )


_POOL_RE = re.compile(r"workloadIdentityPools/([^/]+)(/.*)?$")
_ASSERTION_RE = re.compile(r"^\s*assertion\.([A-Za-z0-9_]+)\s*$")


def federate(builder: Builder) -> None:
    """Add issuers and pinned claims of in-code pool providers to principalSet trusts."""
    by_id: dict[str, str] = {}  # pool id -> pool address
    addresses = set()
    for address, pool_id in builder.side(FederationLinks).pools:
        addresses.add(address)
        if isinstance(pool_id, str):
            by_id[pool_id] = address
    providers: dict[str, list[tuple[str | Unknown, dict[str, Any], Any]]] = {}
    for provider in builder.side(FederationLinks).providers:
        link = provider.pool
        pool = link.address if isinstance(link, Ref) else by_id.get(link) if isinstance(link, str) else None
        if pool:
            providers.setdefault(pool, []).append((provider.issuer, provider.mapping, provider.condition))
    trusts = builder.inventory.trusts
    for index, trust in enumerate(trusts):
        principals, conditions = list(trust.principals), list(trust.conditions)
        for principal in trust.principals:
            if principal.type not in ("principalSet", "principal") or not isinstance(principal.identifier, str):
                continue
            named, remainder = _pool_of(principal.identifier, addresses, by_id)
            for issuer, mapping, condition in providers.get(named or "", []):
                key = issuer if isinstance(issuer, str) else "<unknown issuer>"
                pinned = _pinned_claim(remainder, mapping)
                if pinned is not None:
                    conditions.append(Condition("StringEquals", f"{key}:{pinned[0]}", (pinned[1],)))
                if condition is None:
                    principals.append(TrustPrincipal("Federated", issuer))
                else:
                    conditions.append(Condition("CEL", f"{key}:attribute_condition", (to_text(condition),)))
        if len(principals) != len(trust.principals) or len(conditions) != len(trust.conditions):
            trusts[index] = replace(trust, principals=tuple(principals), conditions=tuple(conditions))


def _pool_of(identifier: str, addresses: set[str], by_id: dict[str, str]) -> tuple[str | None, str]:
    """(in-code pool address, what follows the pool) of a principalSet identifier."""
    for ref, end in refs_in_text(identifier):
        if ref.address in addresses:
            return ref.address, identifier[end:]
    match = _POOL_RE.search(identifier)
    if match and match.group(1) in by_id:
        return by_id[match.group(1)], match.group(2) or ""
    return None, ""


def _pinned_claim(remainder: str, mapping: dict[str, Any]) -> tuple[str, str] | None:
    """`/subject/S`, `/attribute.X/V`, `/group/G` -> (token claim, value); None for the whole pool (`/*`)."""
    kind, _, value = remainder.strip("/").partition("/")
    if not value or not (kind in ("subject", "group") or kind.startswith("attribute.")):
        return None
    attribute = {"subject": "google.subject", "group": "google.groups"}.get(kind, kind)
    source = mapping.get(attribute)
    match = _ASSERTION_RE.match(source) if isinstance(source, str) else None
    return (match.group(1) if match else attribute), value
