"""What a Terraform platform module gives the extractor: one table object, named and listed explicitly.

Each platform module (aws, gcp, azure, kubernetes, misc) ends with one `TABLE`; `project.PLATFORMS` lists
them in the order their handlers run. Nothing is discovered by attribute name: a table that lacks a part
fails the type check, not a scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from nhilint.extract.builder import Builder
from nhilint.extract.common import Handler

Finisher = Callable[[Builder], None]


class TerraformPlatform(Protocol):
    """The resource types one platform reads, and what it links once every resource is seen."""

    @property
    def name(self) -> str:
        """The platform, for messages and tests (`aws`, `gcp`, …, `misc`)."""

    @property
    def handlers(self) -> Mapping[str, Handler]:
        """Resource type -> handler."""

    @property
    def first(self) -> frozenset[str]:
        """Types read before all others (what other handlers look up: OIDC providers, service accounts…)."""

    @property
    def prefixes(self) -> Mapping[str, Handler]:
        """Type prefix -> handler for what any resource of a provider can carry (azurerm `identity` blocks);
        runs after the type's own handlers."""

    def finish(self, builder: Builder) -> None:
        """Link what needs every resource of the scan (attachments, memberships, RBAC bindings…)."""


def _nothing(builder: Builder) -> None:
    """A platform that links nothing at the end."""


@dataclass(frozen=True, slots=True)
class PlatformTable:
    """The plain `TerraformPlatform` every module declares (`handlers` stays a dict: tests may patch it)."""

    name: str
    handlers: dict[str, Handler]
    first: frozenset[str] = frozenset()
    prefixes: dict[str, Handler] = field(default_factory=dict)
    finisher: Finisher = _nothing

    def finish(self, builder: Builder) -> None:
        self.finisher(builder)


R = TypeVar("R")


class Dispatch:
    """Every platform's tables merged: which handlers a type runs, in which order types are read.

    A type two platforms know (a workload's usage and the secret it is given) runs both platforms' handlers,
    in the order of the platforms. Used as a `Container[str]` it is the set of types some handler reads.
    """

    def __init__(self, platforms: Iterable[TerraformPlatform]) -> None:
        self.platforms = tuple(platforms)
        self.by_type: dict[str, list[Handler]] = {}
        first: set[str] = set()
        for platform in self.platforms:
            for resource_type, handler in platform.handlers.items():
                self.by_type.setdefault(resource_type, []).append(handler)
            first |= platform.first
        self.first = frozenset(first)
        self.prefixed = [item for platform in self.platforms for item in platform.prefixes.items()]

    def __contains__(self, type_: object) -> bool:
        return isinstance(type_, str) and bool(self.of(type_))

    def of(self, type_: str) -> list[Handler]:
        return self.by_type.get(type_, []) + [handler for prefix, handler in self.prefixed if type_.startswith(prefix)]

    def ordered(self, items: Iterable[R], type_of: Callable[[R], str]) -> list[R]:
        """The platforms' first types, then every other type (each group in the order given)."""
        listed = list(items)
        return [i for i in listed if type_of(i) in self.first] + [i for i in listed if type_of(i) not in self.first]

    def finish(self, builder: Builder) -> None:
        for platform in self.platforms:
            platform.finish(builder)
