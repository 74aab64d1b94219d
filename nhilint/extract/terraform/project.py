"""Run the per-platform Terraform tables over every resource of every module instance."""

from __future__ import annotations

from nhilint.extract import written_secrets
from nhilint.extract.builder import Builder
from nhilint.extract.common import literal_secret
from nhilint.extract.terraform import ai, aws, aws_policies, azure, entra_apps, gcp, kubernetes, misc, saas
from nhilint.extract.terraform.table import Dispatch, TerraformPlatform
from nhilint.model import LiteralSecret, Location
from nhilint.parse.terraform import TerraformProject, TfResource

# Every platform's table, in the order their handlers run on a type two of them read.
PLATFORMS: tuple[TerraformPlatform, ...] = (
    aws.TABLE,
    gcp.TABLE,
    azure.TABLE,
    entra_apps.TABLE,
    kubernetes.TABLE,
    misc.TABLE,
    saas.TABLE,
    ai.TABLE,
)

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


def dispatch() -> Dispatch:
    """The platforms' tables merged, read at call time (a test may patch one table's handlers)."""
    return Dispatch(PLATFORMS)


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
    prefixes = tuple(prefix for platform in PLATFORMS for prefix in platform.prefixes)
    return TypeFilter(frozenset(dispatch().by_type), prefixes)


def extract_terraform(project: TerraformProject, builder: Builder) -> None:
    tables = dispatch()
    for resource in tables.ordered(project.resources(tables), lambda r: r.type):
        for handler in tables.of(resource.type):
            handler(resource, builder)
        written_secrets.terraform(resource, builder)
    _provider_secrets(project, builder)
    aws_policies.policy_documents(project, builder)
    tables.finish(builder)


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
