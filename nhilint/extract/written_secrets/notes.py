"""Candidate values noted while extracting, judged together when the Builder finishes, and their owners."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from nhilint.model import Inventory, LiteralSecret
from nhilint.secrets import detect_many
from nhilint.values import LDict

if TYPE_CHECKING:
    from nhilint.extract.builder import Builder

MAP, TEXT, BASE64, CONTAINERS = "map", "text", "base64", "containers"


def decoded(text: str) -> str:
    """Base64 user data as the text it encodes (the encoding itself would look like a random token)."""
    try:
        return base64.b64decode("".join(text.split()), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return text


def env_list(
    containers: list[Any], env_key: str, name_key: str, value_key: str, label: str
) -> Iterator[tuple[str, Any, int]]:
    """(attribute, value, line) of each environment value of a list of container mappings."""
    for container in containers:
        if not isinstance(container, dict):
            continue
        environment = container.get(env_key)
        for item in environment if isinstance(environment, list) else []:
            value = item.get(value_key) if isinstance(item, LDict) else None
            if value is not None:
                yield (
                    f"{label}[{container.get(name_key, '?')}].{env_key}[{item.get(name_key, '?')}]",
                    value,
                    item.line_of(value_key),
                )


@dataclass(slots=True)
class Noted:
    """Candidate values kept on the Builder (`builder.side(Noted)`) until `finish` judges them together."""

    values: list[tuple[LiteralSecret, str]] = field(default_factory=list)
    globals_read: set[str] = field(default_factory=set)  # templates whose SAM Globals were read


def note(builder: Builder, secret: LiteralSecret, value: str) -> None:
    builder.side(Noted).values.append((secret, value))


def finish(builder: Builder) -> None:
    """Judge every noted value in one detector session; a secret becomes a LiteralSecret (one per place)."""
    side = builder.side(Noted)
    noted, side.values = side.values, []
    secrets = builder.inventory.literal_secrets
    if noted:
        kinds = detect_many(value for _, value in noted)
        seen = {(s.location, s.attribute) for s in secrets}
        for secret, value in noted:
            if value in kinds and (secret.location, secret.attribute) not in seen:
                seen.add((secret.location, secret.attribute))
                secrets.append(secret)
    owners(builder.inventory)


def owners(inventory: Inventory) -> None:
    """Each written secret's identity: the identity its resource is, or the one identity it runs as."""
    by_address = {identity.address: identity.id for identity in inventory.identities.values()}
    runs_as: dict[str, dict[str, None]] = {}
    for usage in inventory.usages:
        if usage.identity:
            runs_as.setdefault(usage.workload, {})[usage.identity] = None
    for index, secret in enumerate(inventory.literal_secrets):
        if secret.of is not None:
            continue
        owner = by_address.get(secret.address)
        if owner is None and len(runs_as.get(secret.address, ())) == 1:
            owner = next(iter(runs_as[secret.address]))
        if owner is not None:
            inventory.literal_secrets[index] = replace(secret, of=owner)
