"""ServiceAccounts should not hold RBAC permissions that lead to cluster takeover.

Some permissions are worth more than they look, because each turns into others:

- read Secrets (`get`/`list`/`watch` on `secrets`): every token, password and key in the scope;
- create Pods or workloads: run a Pod as any ServiceAccount of the namespace and mount any Secret;
- `pods/exec` or `pods/attach` (`create`, or `get` over WebSockets): act as every Pod's identity;
- `bind`/`escalate` on roles, `impersonate` users, groups or ServiceAccounts: grant or become anything;
- `create` on `serviceaccounts/token`: mint tokens for other ServiceAccounts;
- approve certificate signing requests (`update` on `certificatesigningrequests/approval` and `approve` on
  `signers`): issue client certificates, e.g. for `system:masters`;
- change mutating or validating admission webhook configurations: intercept or rewrite every object;
- write the `kube-system/aws-auth` ConfigMap (EKS): map any IAM role to `system:masters`.

One finding per capability and ServiceAccount, at the role rule (or the binding of a built-in role) that
confers it; wildcard verbs and resources count (`verbs: ["*"]` on secrets, `resources: ["*"]` with `get`),
and the built-in `admin` and `edit` roles are expanded. A grant of everything (`cluster-admin`, `*` verbs
on `*` resources) is NHI-PRIV-004's single finding rather than eight of these. A rule limited to named
Secrets (`resourceNames`) is not reported: that is the recommended narrowing. Manifests and the Terraform
kubernetes provider alike. A Role or ClusterRole that no binding of the scan names is reported on itself,
one severity lower ("not attached to any identity in the scan"), so a review sees it before the binding
that uses it; one aggregated into a built-in role (`aggregate-to-admin`...) is in use and is not.

Anti-pattern::

    kind: ClusterRole
    rules:
      - apiGroups: [""]
        resources: ["secrets"]
        verbs: ["get", "list"]

Best practice: a namespaced Role naming the objects the workload needs (`resourceNames: [app-tls]`),
and controllers that need such powers reviewed and documented with `nhilint.io/ignore`.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.analyse.k8s_rbac import CAPABILITIES, capability_grants
from nhilint.analyse.privilege import admin_role, unattached_document
from nhilint.model import Finding, Grant, Severity
from nhilint.rules.base import Context, Rule
from nhilint.rules.holders import UNATTACHED, document_name, lowered


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    accounts = ctx.analysis.accounts_by_principal
    held: dict[str, list[Grant]] = {}
    unbound: dict[str, list[Grant]] = {}  # document title -> its rules, for a Role nothing binds
    for grant in ctx.inventory.grants:
        if grant.platform != "kubernetes" or admin_role(grant) is not None:
            continue
        if grant.principal and (grant.principal in accounts or grant.principal.startswith("serviceaccount:")):
            account = accounts.get(grant.principal)
            held.setdefault(account.identity.id if account else grant.principal, []).append(grant)
        elif (document := unattached_document(ctx.inventory, grant)) is not None:
            unbound.setdefault(document_name(document), []).append(grant)
    lower = lowered(rule)
    for title, grants in unbound.items():
        for capability in CAPABILITIES:
            for grant, written in _first_per_line(capability_grants(capability, grants)):
                yield rule.finding(
                    f"{title} ({UNATTACHED}) can {capability.title}: {written}",
                    grant.location,
                    None,
                    f"{capability.key}: {written}",
                    grant.block,
                    severity=lower,
                )
    for holder, grants in held.items():
        account = accounts.get(holder)
        who = f"ServiceAccount {holder.removeprefix('serviceaccount:')}"
        if account is not None and account.name:
            who = f"ServiceAccount {account.namespace}/{account.name}"
        for capability in CAPABILITIES:
            for grant, written in _first_per_line(capability_grants(capability, grants)):
                yield rule.finding(
                    f"{who} can {capability.title}: {written} ({grant.via})",
                    grant.location,
                    account.identity if account else None,
                    f"{capability.key}: {written}",
                    grant.block,
                )


def _first_per_line(found: list[tuple[Grant, str]]) -> Iterator[tuple[Grant, str]]:
    """One finding per rule line; the binding it names is the first by name, whatever the file order."""
    reported: set[tuple[str, int]] = set()
    for grant, written in sorted(found, key=lambda pair: (pair[0].location, pair[0].via)):
        where = (grant.location.path, grant.location.start_line)
        if where not in reported:
            reported.add(where)
            yield grant, written


RULE = Rule(
    "NHI-K8S-004",
    "k8s-dangerous-rbac",
    Severity.HIGH,
    "NHI5",
    "ServiceAccount holds RBAC permissions that lead to cluster takeover",
    check,
)
