"""Run the per-platform Terraform tables over every resource of every module instance.

The platform modules are registered by name with the resource-type prefixes they read and imported when a
resource of one of those prefixes is met (nhilint.extract.terraform.table.Dispatch): a pre-commit run over
AWS files never loads the Kubernetes, SaaS or agent tables.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

from nhilint.extract import written_secrets
from nhilint.extract.builder import Builder
from nhilint.extract.terraform.table import Dispatch, Registered
from nhilint.parse.terraform import TerraformProject

# Every platform's table module and the prefixes of all the types it reads (tests/extract/test_platform_registry
# checks them against the tables), in the order their handlers run on a type two of them read.
PLATFORMS: tuple[Registered, ...] = (
    Registered("aws", ("aws_", "time_")),
    Registered("gcp", ("google_",)),
    Registered("azure", ("azuread_", "azurerm_")),
    Registered("entra_apps", ("azuread_",)),
    Registered("kubernetes", ("kubernetes_",)),
    Registered("misc", ("github_", "tls_", "vault_")),
    Registered("saas", ("auth0_", "cloudflare_", "datadog_", "github_", "mongodbatlas_", "okta_", "snowflake_")),
    Registered("ai", ("aws_bedrockagent", "azurerm_ai_", "azurerm_cognitive_", "google_vertex_ai_")),
    Registered("nhilint.extract.written_secrets", ("aws_", "azurerm_", "google_", "kubernetes_")),
)


def dispatch() -> Dispatch:
    """The platforms' tables merged, each loaded at its first type and read then (a test may patch handlers)."""
    return Dispatch(PLATFORMS)


class TypeFilter:
    """Which resource types some extractor reads, for the parser (which may drop the bodies of all others).

    Asking about a type loads the platforms of its prefix. It pickles as a fresh filter: a parse worker
    loads the platforms its own files need.
    """

    def __init__(self) -> None:
        self._tables = dispatch()

    def __contains__(self, type_: object) -> bool:
        return type_ in self._tables

    def __reduce__(self) -> tuple[type[TypeFilter], tuple[()]]:
        return (TypeFilter, ())

    @property
    def signature(self) -> str:
        """A stable text of what the tables read, part of the parse cache key (see `signature`)."""
        return signature()


@functools.cache
def signature() -> str:
    """A digest of the registry and of the source of every table (this package, and any registered module
    outside it): a change to any table changes the parse cache key, without importing every platform to list
    their types. Where a source cannot be read (a sourceless install), the list of every type read, as before."""
    digest = hashlib.sha256(repr(PLATFORMS).encode())
    sources = sorted(Path(__file__).parent.glob("*.py"))
    for registered in PLATFORMS:
        if "." in registered.module:  # a table outside this package
            spec = importlib.util.find_spec(registered.path)
            origin = Path(spec.origin if spec is not None and spec.origin else "-")
            package = spec is not None and spec.submodule_search_locations is not None
            sources.extend(sorted(origin.parent.glob("*.py")) if package else [origin])
    try:
        for source in sources:
            text = source.read_bytes()
            digest.update(f"{source.name}\0{len(text)}\0".encode() + text)
    except OSError:
        sources = []
    if not sources:
        tables = dispatch().load_all()
        prefixes = sorted(prefix for platform in tables.platforms for prefix in platform.prefixes)
        return ",".join(sorted(tables.by_type)) + "|" + ",".join(prefixes)
    return "sha256:" + digest.hexdigest()


def resource_types() -> TypeFilter:
    """Every resource type some extractor reads (the parser may drop the bodies of all others)."""
    return TypeFilter()


def extract_terraform(project: TerraformProject, builder: Builder) -> None:
    tables = dispatch()
    for resource in tables.ordered(project.resources(tables), lambda r: r.type):
        for handler in tables.of(resource.type):
            handler(resource, builder)
        written_secrets.terraform(resource, builder)
    written_secrets.providers(project, builder)
    from nhilint.extract.terraform.aws_policies import policy_documents

    policy_documents(project, builder)
    tables.finish(builder)
