"""Run the per-platform Terraform tables over every resource of every module instance."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from nhilint.extract import written_secrets
from nhilint.extract.builder import Builder
from nhilint.extract.common import Handler, literal_secret
from nhilint.extract.terraform import aws, azure, gcp, kubernetes, misc
from nhilint.model import LiteralSecret, Location
from nhilint.parse.terraform import TerraformProject, TfResource

PLATFORMS: tuple[ModuleType, ...] = (aws, gcp, azure, kubernetes, misc)

# Provider arguments that hold credentials: a literal value there is a leaked key.
PROVIDER_SECRETS: dict[str, tuple[str, ...]] = {
    "aws": ("access_key", "secret_key", "token"),
    "google": ("credentials", "access_token"),
    "azurerm": ("client_secret", "client_certificate_password"),
    "azuread": ("client_secret", "client_certificate_password"),
    "github": ("token",),
    "vault": ("token",),
    "kubernetes": ("token", "client_key", "password"),
}


def handlers() -> tuple[dict[str, list[Handler]], frozenset[str], list[Callable[[Builder], None]]]:
    """Merge the platform tables; a type two platforms know (usage + secret) runs both handlers."""
    table: dict[str, list[Handler]] = {}
    first: set[str] = set()
    finishers: list[Callable[[Builder], None]] = []
    for platform in PLATFORMS:
        for resource_type, handler in platform.TERRAFORM.items():
            table.setdefault(resource_type, []).append(handler)
        first.update(getattr(platform, "FIRST", ()))
        if hasattr(platform, "finish"):
            finishers.append(platform.finish)
    return table, frozenset(first), finishers


class _Handled:
    """The resource types some handler takes: those in the table, and any starting with a `PREFIXES` key.

    A platform may export `PREFIXES: dict[str, Handler]` for what any resource of a provider can carry (an
    azurerm `identity { type = "SystemAssigned" }` block); those handlers run after the type's own ones.
    """

    def __init__(self, table: dict[str, list[Handler]]) -> None:
        self.table = table
        self.prefixed = [item for platform in PLATFORMS for item in getattr(platform, "PREFIXES", {}).items()]

    def __contains__(self, type_: object) -> bool:
        return isinstance(type_, str) and bool(self.of(type_))

    def of(self, type_: str) -> list[Handler]:
        return self.table.get(type_, []) + [handler for prefix, handler in self.prefixed if type_.startswith(prefix)]


class TypeFilter:
    """Which resource types some extractor reads: exact names and provider prefixes (picklable)."""

    def __init__(self, names: frozenset[str], prefixes: tuple[str, ...]) -> None:
        self.names = names
        self.prefixes = prefixes

    def __contains__(self, type_: object) -> bool:
        return isinstance(type_, str) and (type_ in self.names or type_.startswith(self.prefixes))

    @property
    def signature(self) -> str:
        """A stable text of the filter, part of the parse cache key."""
        return ",".join(sorted(self.names)) + "|" + ",".join(sorted(self.prefixes))


def resource_types() -> TypeFilter:
    """Every resource type some extractor reads (the parser may drop the bodies of all others)."""
    prefixes = tuple(prefix for platform in PLATFORMS for prefix in getattr(platform, "PREFIXES", {}))
    return TypeFilter(frozenset(handlers()[0]), prefixes)


def extract_terraform(project: TerraformProject, builder: Builder) -> None:
    table, first, finishers = handlers()
    handled = _Handled(table)
    resources: list[TfResource] = list(project.resources(handled))
    ordered = [r for r in resources if r.type in first] + [r for r in resources if r.type not in first]
    for resource in ordered:
        for handler in handled.of(resource.type):
            handler(resource, builder)
        written_secrets.terraform(resource, builder)
    _provider_secrets(project, builder)
    for finish in finishers:
        finish(builder)


def _provider_secrets(project: TerraformProject, builder: Builder) -> None:
    for instance in project.roots():
        for source, block in instance.module.blocks("provider"):
            if not block.labels or block.labels[0] not in PROVIDER_SECRETS:
                continue
            record = TfResource(instance, source, block, type="provider", name=block.labels[0])
            for attr in PROVIDER_SECRETS[block.labels[0]]:
                location = literal_secret(record, attr)
                if location is not None:
                    builder.inventory.literal_secrets.append(
                        LiteralSecret(
                            f"provider.{block.labels[0]}",
                            attr,
                            location,
                            Location(source.path, block.line, block.end_line),
                            None,
                            block.labels[0],
                        )
                    )
