"""Workloads should not run as their namespace's `default` ServiceAccount.

A Pod without `serviceAccountName` runs as `default`, which every such Pod in the namespace shares and
which nobody owns: a RoleBinding added for one application silently applies to all of them, an audit log
entry cannot say which workload acted, and the account cannot be retired with any one application.
Reported for every Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and CronJob (manifests and
Terraform `kubernetes_*` resources) that runs as `default`, whether or not a `default` ServiceAccount is
written in the code: the API server creates it in every namespace. The finding is on the workload.

Anti-pattern::

    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop}
    spec:
      template:
        spec:
          containers: [{name: web, image: shop/web:1.4}]

Best practice: one ServiceAccount per workload, named after it (`serviceAccountName: web`), with
`automountServiceAccountToken: false` unless it calls the API.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, workload_name


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    defaults = {sa.identity.id: sa for sa in ctx.analysis.service_accounts if sa.name == "default"}
    for usage in ctx.inventory.usages:
        account = defaults.get(usage.identity)
        if account is None:
            continue
        where = f"namespace {account.namespace}" if account.namespace else "its namespace"
        implicit = " (not declared in the code; the API server creates it)" if account.implicit else ""
        yield rule.finding(
            f"{workload_name(usage)} runs as the default ServiceAccount of {where}{implicit}; "
            "give it its own ServiceAccount",
            usage.location,
            account.identity,
            usage.workload,
            usage.location,
        )


RULE = Rule(
    "NHI-K8S-002",
    "k8s-default-service-account",
    Severity.MEDIUM,
    "NHI9",
    "Workload runs as the namespace's default ServiceAccount",
    check,
)
