"""GKE nodes and Compute Engine VMs that run as the project's Compute Engine default service account.

A GKE cluster's default node pool, a node pool, or a VM with a `service_account` block and no email runs as
`<project-number>-compute@developer.gserviceaccount.com`, the account every VM of the project shares and
that still holds `roles/editor` in most projects. It is not created in the code, so the usage names it by a
fixed id (not an identity of the inventory) and carries the `default_identity` attribute that NHI-K8S-010
reads, with `why` saying which setting is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from nhilint.extract.builder import Builder
from nhilint.model import Unknown, Usage
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import to_text

DEFAULT_COMPUTE_SA: Final = "gcp:compute-default-service-account"
DEFAULT_NAME: Final = "Compute Engine default service account"
DEFAULT_SUFFIX: Final = "-compute@developer.gserviceaccount.com"
VM_TYPES: Final = (
    "google_compute_instance",
    "google_compute_instance_template",
    "google_compute_region_instance_template",
)
TYPES: Final = ("google_container_cluster", "google_container_node_pool", *VM_TYPES)


def default_service_account(resource: TfResource, builder: Builder) -> None:
    """Record the usage when the resource's nodes or VM run as the default compute service account."""
    why = _why_default(resource)
    if why is not None:
        attributes = (("default_identity", DEFAULT_NAME), ("why", why))
        usage = Usage(DEFAULT_COMPUTE_SA, resource.address, resource.type, resource.location, attributes)
        builder.add_usage(usage, None, (), "gcp")


def _why_default(resource: TfResource) -> str | None:
    if resource.type in VM_TYPES:
        return _unset(resource.blocks("service_account"), "email", "service_account.email")
    if resource.type == "google_container_node_pool":
        return _unset(_or_none(resource.blocks("node_config")), "service_account", "node_config.service_account")
    if resource.get("enable_autopilot") is True:
        defaults = [
            d
            for autoscaling in resource.blocks("cluster_autoscaling")
            for d in autoscaling.blocks("auto_provisioning_defaults")
        ]
        path = "cluster_autoscaling.auto_provisioning_defaults.service_account"
        return _unset(_or_none(defaults), "service_account", path)
    if resource.get("remove_default_node_pool") is True:
        pools = [c for pool in resource.blocks("node_pool") for c in _or_none(pool.blocks("node_config"))]
        return _unset(pools, "service_account", "node_pool.node_config.service_account")
    configs = _or_none(resource.blocks("node_config"))
    configs += [c for pool in resource.blocks("node_pool") for c in _or_none(pool.blocks("node_config"))]
    return _unset(configs, "service_account", "node_config.service_account")


def _or_none(records: list[TfRecord]) -> list[TfRecord | None]:
    """The blocks, or one None standing for the block left out (its settings take their defaults)."""
    return list(records) or [None]


def _unset(records: Sequence[TfRecord | None], attr: str, path: str) -> str | None:
    """Why the first record that runs as the default account does (None: every one names another account)."""
    for record in records:
        if record is None or not record.has(attr):
            return f"{path} is not set"
        value = to_text(record.get(attr))
        if isinstance(value, Unknown):
            continue  # not evaluated: which account is not known, so nothing is claimed
        if value == "default" or value.endswith(DEFAULT_SUFFIX):
            return f"{path} names the default account"
    return None
