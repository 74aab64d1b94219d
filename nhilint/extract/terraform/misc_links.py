"""Links of the CI, Vault and TLS table (nhilint.extract.terraform.misc) resolved once every resource is seen.

A cloud key copied into a CI secret makes the CI system a user of the key's identity, and the copy rotates
with the key; a Vault AppRole's secret ids take the role's TTL.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Final, NamedTuple

from nhilint.extract.builder import Builder
from nhilint.model import Credential, Fact, Location, Usage

VAULT: Final = "vault"


class CiKeyCopy(NamedTuple):
    """A cloud key (its address) copied into a CI secret: the CI system's usage and the copy's credential id."""

    key_address: str
    usage: Usage
    secret_id: str


class PendingAppRole(NamedTuple):
    """A Vault AppRole: whether it needs secret ids (`bind_secret_id`) and the TTL they get."""

    role_id: str
    address: str
    bind: bool
    expires: Fact | None
    seconds: tuple[tuple[str, str], ...]
    location: Location


@dataclass(slots=True)
class MiscLinks:
    """What the misc table records for `finish` (kept on the Builder, `builder.side(MiscLinks)`)."""

    ci_keys: list[CiKeyCopy] = field(default_factory=list)
    approles: list[PendingAppRole] = field(default_factory=list)


def link_ci_keys(builder: Builder) -> None:
    """A cloud key copied into a CI secret: the CI system uses the key's identity, and the copy rotates
    (or not) with the key. The key's owner is linked later by the builder, so reuse its pending link."""
    credentials = builder.inventory.credentials
    by_address = {c.address: i for i, c in enumerate(credentials)}
    by_id = {c.id: i for i, c in enumerate(credentials)}
    links = {p.index: p for p in builder.pending if p.collection is credentials and p.field == "of"}
    for key_address, usage, secret_id in builder.side(MiscLinks).ci_keys:
        index = by_address.get(key_address)
        if index is None:
            continue
        key = credentials[index]
        pending = links.get(index)
        if isinstance(key.of, str):
            builder.add_usage(replace(usage, identity=key.of), None, (), key.platform)
        elif pending is not None:
            builder.add_usage(usage, pending.target, pending.types, pending.platform)
        copy = credentials[by_id[secret_id]]
        source = f"copy of {key.address}"
        if copy.rotation is None and key.rotation is not None:
            copy = replace(copy, rotation=replace(key.rotation, source=f"{source}: {key.rotation.source}"))
        if copy.expires is None and key.expires is not None:
            copy = replace(copy, expires=replace(key.expires, source=f"{source}: {key.expires.source}"))
        credentials[by_id[secret_id]] = copy


def approle_secret_ids(builder: Builder) -> None:
    """Secret ids of a role take the role's `secret_id_ttl`; a role that needs secret ids but has none in
    the code still has them (issued to the application), so it gets one credential standing for them."""
    credentials = builder.inventory.credentials
    links = {p.index: p for p in builder.pending if p.collection is credentials and p.field == "of"}
    for role_id, address, bind, expires, seconds, location in builder.side(MiscLinks).approles:
        issued = [
            i
            for i, c in enumerate(credentials)
            if c.kind == "approle_secret_id"
            and i in links
            and builder.resolve(links[i].target, links[i].types, links[i].platform) == role_id
        ]
        for i in issued:
            if credentials[i].expires is None and expires is not None:
                credentials[i] = replace(
                    credentials[i], expires=expires, attributes=(*credentials[i].attributes, *seconds)
                )
        if not issued and bind:
            builder.add_credential(
                Credential(
                    id=f"{role_id}#secret_id",
                    kind="approle_secret_id",
                    platform=VAULT,
                    address=address,
                    location=location,
                    of=role_id,
                    expires=expires,
                    lifecycle=builder.lifecycle(location),
                    attributes=seconds,
                ),
                None,
                (),
            )
