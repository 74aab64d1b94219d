"""GKE nodes and Compute Engine VMs that run as the project's Compute Engine default service account.

A GKE cluster's default node pool, a node pool, or a VM with a `service_account` block and no email runs as
`<project-number>-compute@developer.gserviceaccount.com`, the account every VM of the project shares and
that still holds `roles/editor` in most projects. It is not created in the code, so the usage names it by a
fixed id (not an identity of the inventory) and carries the `default_identity` attribute that NHI-K8S-010
reads, with `why` saying which setting is missing. `data.google_compute_default_service_account.*.email`
evaluates to that account's email (`<project number>-compute@…`), so naming it is recognised too.

A setting that cannot be evaluated (a variable without a value, a splat of a service account created by
the same apply) is no silent pass: the usage then names the fixed id `UNEVALUATED` and carries
`unevaluated` (the setting) and `why` (the evaluator's reason), and NHI-K8S-010 says it could not evaluate.
A cluster with inline `node_pool` blocks has no default pool made from `node_config`: its pools are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from nhilint.extract.builder import Builder
from nhilint.model import Unknown, Usage
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import to_text

DEFAULT_COMPUTE_SA: Final = "gcp:compute-default-service-account"
DEFAULT_NAME: Final = "Compute Engine default service account"
DEFAULT_SUFFIX: Final = "-compute@developer.gserviceaccount.com"
UNEVALUATED: Final = "gcp:unevaluated-node-service-account"
VM_TYPES: Final = (
    "google_compute_instance",
    "google_compute_instance_template",
    "google_compute_region_instance_template",
)
TYPES: Final = ("google_container_cluster", "google_container_node_pool", *VM_TYPES)


def default_service_account(resource: TfResource, builder: Builder) -> None:
    """Record the usage when the resource's nodes or VM run as the default compute service account, or when
    which account they run as could not be evaluated."""
    verdict = _why_default(resource)
    if verdict is None:
        return
    if isinstance(verdict, _Unevaluated):
        attributes = (("unevaluated", verdict.path), ("why", verdict.reason))
        usage = Usage(UNEVALUATED, resource.address, resource.type, resource.location, attributes)
    else:
        attributes = (("default_identity", DEFAULT_NAME), ("why", verdict))
        usage = Usage(DEFAULT_COMPUTE_SA, resource.address, resource.type, resource.location, attributes)
    builder.add_usage(usage, None, (), "gcp")


@dataclass(frozen=True, slots=True)
class _Unevaluated:
    path: str  # the setting, `node_config.service_account`
    reason: str  # why its value is not known


def _why_default(resource: TfResource) -> str | _Unevaluated | None:
    if resource.type in VM_TYPES:
        return _unset(_blocks([resource], "service_account"), "email", "service_account.email")
    if resource.type == "google_container_node_pool":
        configs = _or_none(_blocks([resource], "node_config"))
        return _unset(configs, "service_account", "node_config.service_account")
    if resource.get("enable_autopilot") is True:
        defaults = _blocks(_blocks([resource], "cluster_autoscaling"), "auto_provisioning_defaults")
        path = "cluster_autoscaling.auto_provisioning_defaults.service_account"
        return _unset(_or_none(defaults), "service_account", path)
    pools = _blocks([resource], "node_pool")
    if pools or resource.get("remove_default_node_pool") is True:
        # Inline pools replace the default pool `node_config` would describe (the API takes one or the other).
        configs = [c for pool in pools for c in _or_none(_blocks([pool], "node_config"))]
        return _unset(configs, "service_account", "node_pool.node_config.service_account")
    configs = _or_none(_blocks([resource], "node_config"))
    return _unset(configs, "service_account", "node_config.service_account")


def _blocks(parents: Sequence[TfRecord | Unknown], name: str) -> list[TfRecord | Unknown]:
    """The `name` blocks of each parent; a `dynamic "name"` block (not evaluated) and an unknown parent are
    Unknown, so what they would set is not taken as left out."""
    found: list[TfRecord | Unknown] = []
    for parent in parents:
        if isinstance(parent, Unknown):
            found.append(parent)
            continue
        found += parent.blocks(name)
        dynamic = [d for d in parent.blocks("dynamic") if d.block.labels[:1] == (name,)]
        found += [Unknown(f'dynamic "{name}" blocks are not evaluated') for _ in dynamic]
    return found


def _or_none(records: Sequence[TfRecord | Unknown]) -> list[TfRecord | Unknown | None]:
    """The blocks, or one None standing for the block left out (its settings take their defaults)."""
    return list(records) or [None]


def _unset(records: Sequence[TfRecord | Unknown | None], attr: str, path: str) -> str | _Unevaluated | None:
    """Why the first record that runs as the default account does; else why the first whose account could
    not be evaluated cannot be; None when every one names another account."""
    unevaluated: _Unevaluated | None = None
    for record in records:
        if isinstance(record, Unknown):
            unevaluated = unevaluated or _Unevaluated(path, record.reason)
            continue
        if record is None or not record.has(attr) or record.get(attr) is None:
            return f"{path} is not set"
        value = to_text(record.get(attr))
        if isinstance(value, Unknown):
            unevaluated = unevaluated or _Unevaluated(path, value.reason)
        elif value == "":
            return f"{path} is empty"
        elif value == "default" or value.endswith(DEFAULT_SUFFIX):
            return f"{path} names the default account"
    return unevaluated
