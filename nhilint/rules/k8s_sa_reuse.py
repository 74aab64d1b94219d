"""One ServiceAccount per workload.

A ServiceAccount shared by several Deployments, Jobs or DaemonSets is one identity with the union of what
they all need: each workload holds the others' permissions, a compromise of any one of them is a
compromise of all, the audit log cannot tell them apart, and the account cannot be retired until the last
of them is gone. Reported when two or more different workloads in the scan (manifests or Terraform) run
as the same ServiceAccount. The namespace `default` account is reported by NHI-K8S-002 instead.

Anti-pattern::

    # deployment.yaml and cronjob.yaml both say
    serviceAccountName: shop-backend

Best practice: one ServiceAccount per workload (`shop-api`, `shop-nightly-report`), each bound to the
Role it needs.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for account in ctx.analysis.service_accounts:
        if account.implicit or account.name == "default":
            continue
        workloads = sorted({u.workload for u in ctx.inventory.usages_of(account.identity.id)})
        if len(workloads) < 2:
            continue
        who = f"ServiceAccount {account.namespace}/{account.name}" if account.name else account.identity.address
        yield rule.finding(
            f"{who} is shared by {len(workloads)} workloads: {', '.join(workloads)}",
            account.identity.location,
            account.identity,
            ", ".join(workloads),
        )


RULE = Rule(
    "NHI-K8S-003",
    "k8s-service-account-reuse",
    Severity.MEDIUM,
    "NHI9",
    "ServiceAccount shared by several workloads",
    check,
)
