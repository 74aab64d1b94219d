"""What a Terraform platform module gives the extractor: one table object, named and listed explicitly.

Each platform module (aws, gcp, azure, kubernetes, misc, …) ends with one `TABLE`; `project.PLATFORMS`
lists them, with the resource-type prefixes each reads, in the order their handlers run. A module is
imported the first time a resource type of one of its prefixes is asked about (`Dispatch`), so a scan loads
only the platforms its code uses. Nothing is discovered by attribute name: a table that lacks a part fails
the type check, not a scan.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeVar

if TYPE_CHECKING:
    from nhilint.extract.builder import Builder
    from nhilint.extract.common import Handler

Finisher = Callable[["Builder"], None]


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


class Registered(NamedTuple):
    """A module with a `TABLE` and the resource-type prefixes of every type it reads. `module` is a name under
    nhilint.extract.terraform (`aws`) or, for a table that lives elsewhere, a full dotted path."""

    module: str
    prefixes: tuple[str, ...]

    @property
    def path(self) -> str:
        return self.module if "." in self.module else f"nhilint.extract.terraform.{self.module}"

    def reads(self, type_: str) -> bool:
        return type_.startswith(self.prefixes)

    def load(self) -> TerraformPlatform:
        table: TerraformPlatform = importlib.import_module(self.path).TABLE
        return table


class Dispatch:
    """The platforms' tables merged: which handlers a type runs, in which order types are read.

    A type two platforms know (a workload's usage and the secret it is given) runs both platforms' handlers,
    in the order of the platforms. A platform's table is loaded at the first type of its prefixes, and read
    then (a test may patch its handlers before). Used as a `Container[str]` it is the set of types some
    handler reads.
    """

    def __init__(self, registry: Iterable[Registered]) -> None:
        self.registry = tuple(registry)
        self.loaded: dict[str, TerraformPlatform] = {}  # module -> table, loaded on demand
        self._handlers: dict[str, list[Handler]] = {}  # type -> handlers, once asked

    @property
    def platforms(self) -> tuple[TerraformPlatform, ...]:
        """The platforms loaded so far, in registry order."""
        return tuple(self.loaded[r.module] for r in self.registry if r.module in self.loaded)

    @property
    def first(self) -> frozenset[str]:
        """The loaded platforms' first types (a platform not loaded has no resource in the scan)."""
        return frozenset(type_ for platform in self.platforms for type_ in platform.first)

    def _platforms_of(self, type_: str) -> list[TerraformPlatform]:
        found = []
        for registered in self.registry:
            if registered.reads(type_):
                if registered.module not in self.loaded:
                    self.loaded[registered.module] = registered.load()
                found.append(self.loaded[registered.module])
        return found

    def __contains__(self, type_: object) -> bool:
        return isinstance(type_, str) and bool(self.of(type_))

    def of(self, type_: str) -> list[Handler]:
        handlers = self._handlers.get(type_)
        if handlers is None:
            platforms = self._platforms_of(type_)
            handlers = [p.handlers[type_] for p in platforms if type_ in p.handlers]
            handlers += [h for p in platforms for prefix, h in p.prefixes.items() if type_.startswith(prefix)]
            self._handlers[type_] = handlers
        return handlers

    def load_all(self) -> Dispatch:
        """Every platform loaded (what needs every type: the catalog of read types)."""
        for registered in self.registry:
            if registered.module not in self.loaded:
                self.loaded[registered.module] = registered.load()
        return self

    @property
    def by_type(self) -> dict[str, list[Handler]]:
        """Every type some loaded platform names -> its handlers."""
        return {type_: self.of(type_) for platform in self.platforms for type_ in platform.handlers}

    def ordered(self, items: Iterable[R], type_of: Callable[[R], str]) -> list[R]:
        """The platforms' first types, then every other type (each group in the order given)."""
        listed = list(items)
        for item in listed:
            self.of(type_of(item))  # load the platforms of every type present before `first` is read
        first = self.first
        return [i for i in listed if type_of(i) in first] + [i for i in listed if type_of(i) not in first]

    def finish(self, builder: Builder) -> None:
        """Each loaded platform's links; one with no resource in the scan has nothing to link."""
        for platform in self.platforms:
            platform.finish(builder)
