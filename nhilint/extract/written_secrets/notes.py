"""Candidate values noted while extracting, judged together when the Builder finishes, and their owners."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from nhilint.model import Inventory, LiteralSecret
from nhilint.secrets import detect_many, named_secret
from nhilint.values import LDict

if TYPE_CHECKING:
    from nhilint.extract.builder import Builder

MAP, TEXT, BASE64, CONTAINERS = "map", "text", "base64", "containers"
BASE64_MAP = "base64 map"  # a map of base64 values (ConfigMap binary data)


def decoded(text: str) -> str:
    """Base64 user data as the text it encodes (the encoding itself would look like a random token)."""
    try:
        return base64.b64decode("".join(text.split()), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return text


# `NAME=value`, `export NAME="value"`, `name: value` lines of a script or cloud-config (user data).
_ASSIGNMENT = re.compile(
    r"""^[ \t]*(?:export[ \t]+|\$env:)?([A-Za-z_][\w.-]*)[ \t]*[=:][ \t]*(["']?)([^\s"'#]+)\2[ \t]*$""", re.M
)


def assignments(text: str) -> Iterator[tuple[str, str]]:
    """(name, value) of each one-word assignment in a script, judged by `named_secret` like a variable."""
    for match in _ASSIGNMENT.finditer(text):
        yield match.group(1), match.group(3)


def decoded_text(text: str) -> str | None:
    """Base64 data (ConfigMap binary data) as the text it encodes; None when it is not text (a binary file
    is not judged: its encoding would look like a random token)."""
    try:
        return base64.b64decode("".join(text.split()), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def env_list(
    containers: list[Any], env_key: str, name_key: str, value_key: str, label: str
) -> Iterator[tuple[str, str | None, Any, int]]:
    """(attribute, variable name, value, line) of each environment value of a list of container mappings."""
    for container in containers:
        if not isinstance(container, dict):
            continue
        environment = container.get(env_key)
        for item in environment if isinstance(environment, list) else []:
            value = item.get(value_key) if isinstance(item, LDict) else None
            if value is not None:
                name = item.get(name_key)
                yield (
                    f"{label}[{container.get(name_key, '?')}].{env_key}[{name if name is not None else '?'}]",
                    name if isinstance(name, str) else None,
                    value,
                    item.line_of(value_key),
                )


@dataclass(slots=True)
class Noted:
    """Candidate values kept on the Builder (`builder.side(Noted)`) until `finish` judges them together."""

    values: list[tuple[LiteralSecret, str, str | None]] = field(default_factory=list)  # secret, value, its name
    templates_read: set[str] = field(default_factory=set)  # templates whose Globals, Parameters, Outputs were read


def note(builder: Builder, secret: LiteralSecret, value: str, name: str | None = None) -> None:
    """Keep `value` to judge; `name` is the variable or key it is passed to a program as (an environment
    variable, an app setting, a ConfigMap key), judged by `named_secret` too; None where a name says nothing
    (tags, labels, annotations, user data)."""
    builder.side(Noted).values.append((secret, value, name))


def finish(builder: Builder) -> None:
    """Judge every noted value in one detector session; a secret becomes a LiteralSecret (one per place)."""
    side = builder.side(Noted)
    noted, side.values = side.values, []
    secrets = builder.inventory.literal_secrets
    if noted:
        kinds = detect_many(value for _, value, _ in noted)
        seen = {(s.location, s.attribute) for s in secrets}
        for secret, value, name in noted:
            judged = value in kinds or (name is not None and named_secret(name, value))
            if judged and (secret.location, secret.attribute) not in seen:
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
