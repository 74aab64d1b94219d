"""The Terraform platform registry (nhilint.extract.terraform.project.PLATFORMS) against the tables themselves.

A platform is imported only when a resource type of one of its registered prefixes is met, so a type its table
reads under a prefix the registry does not name would never reach its handler. These tests load every table
and check the registry covers each, and that lazy dispatch gives every type the same handlers, in the same
order, as merging all the tables up front.
"""

from __future__ import annotations

import importlib

import pytest

from nhilint.extract.terraform.project import PLATFORMS, TypeFilter, dispatch, signature
from nhilint.extract.terraform.table import TerraformPlatform


def _table(module: str) -> TerraformPlatform:
    registered = next(r for r in PLATFORMS if r.module == module)
    table: TerraformPlatform = importlib.import_module(registered.path).TABLE
    return table


@pytest.mark.parametrize("registered", PLATFORMS, ids=lambda r: r.module)
def test_every_type_a_table_reads_has_a_registered_prefix(registered: object) -> None:
    from nhilint.extract.terraform.table import Registered

    assert isinstance(registered, Registered)
    table = _table(registered.module)
    outside = [t for t in [*table.handlers, *table.first, *table.prefixes] if not registered.reads(t)]
    assert outside == []


def test_every_platform_module_is_registered() -> None:
    from pathlib import Path

    package = Path(importlib.import_module("nhilint.extract.terraform").__file__ or "").parent
    with_table = sorted(p.stem for p in package.glob("*.py") if "\nTABLE = " in p.read_text(encoding="utf-8"))
    assert with_table == sorted(r.module for r in PLATFORMS if "." not in r.module)


def test_lazy_dispatch_runs_the_same_handlers_in_the_same_order() -> None:
    tables = [_table(r.module) for r in PLATFORMS]
    types = sorted({t for table in tables for t in table.handlers} | {"azurerm_storage_account", "aws_s3_bucket"})
    for type_ in types:
        eager = [table.handlers[type_] for table in tables if type_ in table.handlers]
        eager += [h for table in tables for prefix, h in table.prefixes.items() if type_.startswith(prefix)]
        assert dispatch().of(type_) == eager, type_
    for unread in ("random_password", "null_resource", "helm_release", "aws"):
        assert unread not in TypeFilter()


def test_first_types_and_finishers_follow_what_was_loaded() -> None:
    tables = dispatch()
    assert tables.platforms == () and tables.first == frozenset()
    tables.ordered(["aws_iam_role", "google_service_account"], str)
    assert [p.name for p in tables.platforms] == ["aws", "gcp", "written_secrets"]
    assert {"aws_iam_openid_connect_provider", "google_service_account"} <= tables.first
    ordered = tables.ordered(["aws_iam_role", "time_rotating", "google_service_account"], str)
    assert ordered == ["time_rotating", "google_service_account", "aws_iam_role"]


def test_the_filter_pickles_without_its_tables_and_has_a_stable_signature() -> None:
    import pickle

    loaded = TypeFilter()
    assert "aws_iam_role" in loaded
    copy = pickle.loads(pickle.dumps(loaded))
    assert "aws_iam_role" in copy and "random_id" not in copy
    assert copy.signature == loaded.signature == signature()
    assert signature().startswith("sha256:")


def test_a_table_outside_the_package_is_registered_by_its_full_path() -> None:
    from nhilint.extract.terraform.table import Registered

    assert Registered("aws", ("aws_",)).path == "nhilint.extract.terraform.aws"
    outside = Registered("nhilint.extract.terraform.gcp", ("google_",))
    assert outside.path == "nhilint.extract.terraform.gcp" and outside.load() is _table("gcp")
