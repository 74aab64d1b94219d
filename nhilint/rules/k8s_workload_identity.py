"""A ServiceAccount's cloud-identity annotation must name an identity whose trust admits it.

`eks.amazonaws.com/role-arn`, `iam.gke.io/gcp-service-account` and `azure.workload.identity/client-id`
make a ServiceAccount's Pods act as an AWS role, a GCP service account or an Azure managed identity, but
only if that identity trusts the ServiceAccount: the role's trust policy must admit
`system:serviceaccount:<namespace>:<name>` in its OIDC `sub` condition, the GCP account must grant
`roles/iam.workloadIdentityUser` to `<project>.svc.id.goog[<namespace>/<name>]`, and the Azure identity
needs a federated credential with that subject. When the annotated identity is in the scan and its trust
admits another subject, the two have drifted apart: the trust usually still names a ServiceAccount that
was renamed or removed — an open door nobody uses or owns any more — while the annotation does nothing.

The ServiceAccount and the identity may be written in different formats (a manifest and a Terraform or
CloudFormation role); the link is made by `nhilint.extract.links`. A role whose trust has no `sub`
condition admits every ServiceAccount and is reported by NHI-TRUST-003; a trust that admits the
ServiceAccount through a wildcard, with others, is NHI-K8S-007's. For GCP and Azure, whose bindings are
separate resources that may live elsewhere, only bindings found in the scan are compared. GKE members are
read as IAM reads them: `serviceAccount:P.svc.id.goog[NS/NAME]` and `principal://…/subject/ns/NS/sa/NAME`
name one ServiceAccount, `principalSet://…/namespace/NS` all of a namespace. An Azure federated credential's
subject is matched exactly, as is a StringEquals condition: a `*` in either admits nobody, which the message
says.

Anti-pattern::

    # ServiceAccount shop/api
    annotations:
      eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/shop-api
    # while the role's trust policy says
    "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:shop:api-old"

Best practice: derive both from one value (a Terraform local, a Helm value), and remove the trust with
the ServiceAccount.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.analyse.k8s import admissions, admits, subject
from nhilint.model import Finding, Severity, Unknown
from nhilint.rules.base import Context, Rule, label


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for link in ctx.analysis.workload_identities:
        account, target, annotation = link.account, link.target, link.annotation
        if account.namespace is None or account.name is None:
            continue
        trusts = ctx.inventory.trusts_of(target.id)
        verdict = admits(target, trusts, account.namespace, account.name)
        who = f"ServiceAccount {account.namespace}/{account.name}"
        if isinstance(verdict, Unknown):
            yield rule.finding(
                f"could not evaluate whether {label(target)} trusts {who}: {verdict.reason}",
                account.identity.location,
                account.identity,
                annotation,
                None,
                True,
                ctx,
            )
        elif verdict is False:
            admitted = admissions(trusts)
            shown = ", ".join(sorted({a.pattern for a in admitted})) or "no Kubernetes ServiceAccount"
            literal = any(not a.glob and "*" in a.pattern for a in admitted)
            note = "; a `*` there is matched literally, not as a wildcard" if literal else ""
            yield rule.finding(
                f"{who} is annotated {annotation} for {label(target)}, whose trust does not admit "
                f"{subject(account.namespace, account.name)} (it admits {shown}{note})",
                account.identity.location,
                account.identity,
                f"{annotation}: {target.address}",
            )


RULE = Rule(
    "NHI-K8S-006",
    "k8s-workload-identity-trust",
    Severity.MEDIUM,
    "NHI1",
    "Cloud-identity annotation names an identity that does not trust the ServiceAccount",
    check,
)
