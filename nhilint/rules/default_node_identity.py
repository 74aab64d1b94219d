"""GKE nodes and VMs should run as a service account of their own, not the Compute Engine default.

A GKE cluster or node pool without `node_config.service_account` (an Autopilot cluster without
`cluster_autoscaling.auto_provisioning_defaults.service_account`), or a VM whose `service_account` block
names no email, runs as the project's Compute Engine default service account. Every VM of the project
shares that account, it holds `roles/editor` unless an organization policy removed the automatic grant,
and any Pod that reaches the node's metadata server (without GKE Workload Identity) acts with it. Nobody
owns it and it cannot be retired with the cluster. The finding is on the cluster, node pool or VM. Naming
the account through `data.google_compute_default_service_account` is the same. A service account nhilint
could not evaluate (a variable without a value, a module output, a splat of accounts the same apply
creates) is reported as "could not evaluate", with the policy's unknown severity, never passed.

Anti-pattern::

    resource "google_container_node_pool" "general" {
      cluster = google_container_cluster.main.id
      node_config { machine_type = "e2-standard-4" }
    }

Best practice::

    resource "google_service_account" "gke_nodes" { account_id = "gke-nodes" }
    resource "google_container_node_pool" "general" {
      cluster = google_container_cluster.main.id
      node_config {
        machine_type    = "e2-standard-4"
        service_account = google_service_account.gke_nodes.email   # with roles/container.defaultNodeServiceAccount
      }
    }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, short_address


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for usage in ctx.inventory.usages:
        setting = usage.attribute("unevaluated")
        if setting is not None:
            reason = usage.attribute("why") or "it is not known before apply"
            yield rule.finding(
                f"could not evaluate {setting} of {short_address(usage.workload)}: {reason}",
                usage.location,
                None,
                reason,
                usage.location,
                unknown=True,
                ctx=ctx,
            )
            continue
        default = usage.attribute("default_identity")
        if default is None:
            continue
        why = usage.attribute("why") or "no service account is set"
        yield rule.finding(
            f"{short_address(usage.workload)} runs as the {default} ({why}); "
            "give it a service account of its own with only the roles it needs",
            usage.location,
            None,
            why,
            usage.location,
        )


RULE = Rule(
    "NHI-K8S-010",
    "default-compute-service-account",
    Severity.MEDIUM,
    "NHI9",
    "GKE nodes or VM run as the Compute Engine default service account",
    check,
)
