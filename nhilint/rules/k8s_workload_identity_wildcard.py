"""A workload-identity trust must admit the annotated ServiceAccount alone, not a wildcard of them.

A ServiceAccount annotated `eks.amazonaws.com/role-arn`, `iam.gke.io/gcp-service-account` or
`azure.workload.identity/client-id` acts as a cloud identity whose trust admits it. When that trust admits
a pattern — an IRSA role's `StringLike` `sub` of `system:serviceaccount:payments:*` or
`system:serviceaccount:*:*`, a GKE `roles/iam.workloadIdentityUser` binding to
`principalSet://…/PROJECT.svc.id.goog/namespace/payments` or to a whole cluster or pool — every other
ServiceAccount the pattern matches gets the same cloud permissions: anyone who may create a ServiceAccount
and a Pod in that namespace (or any namespace) can act as the identity, and the identity is shared by
workloads nobody listed. It is reported on the ServiceAccount, which names the identity and the trust.

A ServiceAccount-shaped pattern that does not match the annotated ServiceAccount, in a trust that admits
it otherwise, is reported too: the identity it acts as is still shared with every ServiceAccount the
pattern matches. A trust with no `sub` condition at all (every subject of the issuer) is NHI-TRUST-003's,
and a trust that does not admit the ServiceAccount is NHI-K8S-006's. The `subject` of an Azure federated
identity credential has no wildcard (it must match exactly, so one credential admits one ServiceAccount)
and is never reported here; a condition read as StringLike (a flexible credential's `claims['sub'] matches`)
would be checked like an IRSA `sub`. A `serviceAccount:P.svc.id.goog[NS/NAME]` member is read as the one
ServiceAccount it names (Kubernetes names cannot hold a `*`; IAM's wildcards are principalSet members), so
a `*` there admits nobody, which NHI-K8S-006 reports. A wildcard that reaches other namespaces is HIGH,
one within the ServiceAccount's own namespace MEDIUM.

Anti-pattern::

    # ServiceAccount payments/api: eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/payments-api
    Condition:
      StringLike:
        "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:*"

Best practice::

    Condition:
      StringEquals:
        "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:api"
        "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com"
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.analyse.k8s import Admission, admissions, admits
from nhilint.model import Finding, Location, Severity
from nhilint.rules.base import Context, Rule, label


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for link in ctx.analysis.workload_identities:
        account, target = link.account, link.target
        if account.namespace is None or account.name is None:
            continue
        trusts = ctx.inventory.trusts_of(target.id)
        if admits(target, trusts, account.namespace, account.name) is not True:
            continue  # not admitted, or not known to be: NHI-K8S-006's
        seen: set[tuple[Location, str]] = set()
        for admission in admissions(trusts):
            if not admission.wildcard or (admission.trust.location, admission.written) in seen:
                continue
            matches = admission.admits(account.namespace, account.name)
            if not (matches or admission.kubernetes):
                continue  # a pattern for another issuer's subjects (a GitHub repository): NHI-TRUST-003's
            seen.add((admission.trust.location, admission.written))
            who = f"ServiceAccount {account.namespace}/{account.name}"
            admits_too = "admits" if matches else "also admits"
            yield rule.finding(
                f"{who} is annotated {link.annotation} for {label(target)}, whose trust {admits_too} "
                f"{admission.describe()} ({_where(admission)}): each of them can act as it too",
                account.identity.location,
                account.identity,
                f"{link.annotation}: {target.address}; {admission.trust.via}: {admission.written}",
                severity=Severity.HIGH if admission.any_namespace else None,
            )


def _where(admission: Admission) -> str:
    location = admission.trust.location
    return f"{admission.field} {admission.written!r} at {location.path}:{location.start_line}"


RULE = Rule(
    "NHI-K8S-007",
    "k8s-workload-identity-wildcard",
    Severity.MEDIUM,
    "NHI9",
    "Workload-identity trust admits more ServiceAccounts than the annotated one",
    check,
)
