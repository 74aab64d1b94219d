"""Don't mount an API token into Pods whose ServiceAccount has no RBAC permissions.

Every Pod gets a token for its ServiceAccount at `/var/run/secrets/kubernetes.io/serviceaccount` unless
`automountServiceAccountToken: false` is set on the ServiceAccount or the Pod (the Pod's setting wins). A
ServiceAccount with no RoleBinding or ClusterRoleBinding in the scan does not need to talk to the API, so
the token only helps an attacker who gets into the container: it authenticates to the API server (as
`system:authenticated`, with whatever that group may do) and is the first thing a breakout script reads.

Reported: a ServiceAccount that does not set automount to `false`, has no grants, and is used by no Pod or
by a Pod that does not set it to `false` either; a Pod that sets it back to `true` for such an account;
and a Pod running as its namespace's implicit `default` account (the finding is then on the Pod). The
Terraform kubernetes provider sends `automount_service_account_token = true` for a pod spec that does not
set it, which overrides the ServiceAccount's `false`: set it to `false` on the pod spec too. A cloud-identity
annotation (IRSA, GKE, Azure) does not need the API token: those use their own projected token.

Anti-pattern::

    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: web
      namespace: shop

Best practice::

    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: web
      namespace: shop
    automountServiceAccountToken: false
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.analyse.k8s import ServiceAccount
from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, workload_name

KEY = "automount_service_account_token"


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    inventory = ctx.inventory
    granted = {g.principal for g in inventory.grants if g.platform == "kubernetes" and g.principal}
    for account in ctx.analysis.service_accounts:
        if account.principals & granted:
            continue
        yield from _check(rule, ctx, account)


def _check(rule: Rule, ctx: Context, account: ServiceAccount) -> Iterator[Finding]:
    identity = account.identity
    who = f"ServiceAccount {account.namespace}/{account.name}" if account.name else identity.address
    own = identity.attribute(KEY) or "true"
    usages = ctx.inventory.usages_of(identity.id)
    for usage in usages:
        value = usage.attribute(KEY)
        if value not in (None, "true", "false"):
            yield rule.finding(
                f"could not evaluate whether {workload_name(usage)} mounts the token of {who}: {value}",
                usage.location,
                identity,
                usage.workload,
                usage.location,
                True,
                ctx,
            )
    if own not in ("true", "false"):
        yield rule.finding(
            f"could not evaluate automountServiceAccountToken of {who}: {own}",
            identity.location,
            identity,
            KEY,
            identity.location,
            True,
            ctx,
        )
        return
    mounting = [u for u in usages if (u.attribute(KEY) or own) == "true"]
    if own == "false" or account.implicit:
        for usage in mounting:
            how = (
                "sets automountServiceAccountToken: true"
                if usage.attribute(KEY) == "true"
                else "does not set automountServiceAccountToken: false"
            )
            yield rule.finding(
                f"{workload_name(usage)} mounts the API token of {who}, which has no RBAC grants ({how})",
                usage.location,
                identity,
                f"{usage.workload}: {KEY}",
                usage.location,
            )
        return
    if usages and not mounting:
        return
    where = f"into {', '.join(sorted({u.workload for u in mounting}))}" if mounting else "into every Pod using it"
    yield rule.finding(
        f"{who} has no RBAC grants but its API token is mounted {where}; set automountServiceAccountToken: false",
        identity.location,
        identity,
        KEY,
    )


RULE = Rule(
    "NHI-K8S-001",
    "k8s-token-automount",
    Severity.LOW,
    "NHI6",
    "API token mounted for a ServiceAccount that needs no API access",
    check,
)
