"""Cross-format links, made once every format has been read: Kubernetes ServiceAccounts -> cloud identities.

A ServiceAccount annotated `eks.amazonaws.com/role-arn`, `iam.gke.io/gcp-service-account` or
`azure.workload.identity/client-id` makes its Pods run as that AWS role, GCP service account or Azure
managed identity. The ServiceAccount may be a manifest and the role Terraform (or CloudFormation), so the
edge can only be drawn here, after all extractors: the cloud identity gets a Usage whose workload is the
ServiceAccount, as if the Pods ran as it directly (which is what blast radius and retirement need).

The Terraform kubernetes extractor already links its own ServiceAccounts whose annotation is a reference or
an ARN; those edges are left alone (no double edge), and only what it does not cover is added — literal
GCP emails on HCL ServiceAccounts, and every manifest ServiceAccount. A value that names nothing in the
scan (a role created elsewhere, an Azure client id, which is known only after apply) adds no edge: a usage
of something outside the scanned code says nothing about ours.

Whether the cloud identity's trust admits the ServiceAccount (`system:serviceaccount:NS:NAME` in the OIDC
`sub` condition of the role, the `NS/NAME` member of a GKE workload-identity binding, the subject of an
Azure federated credential) is not decided here: the edge and the trusts are in the model, and rule
NHI-K8S-006 reads them, so the check works the same whichever formats the two sides are written in. The
edge records what the annotation asks for even when the trust refuses it; that mismatch is the finding.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from nhilint.model import Identity, Usage

if TYPE_CHECKING:
    from nhilint.extract.builder import Builder

_TF_TYPE_RE = re.compile(r"kubernetes_service_account(?:_v1)?(?=\.)")


def link(builder: Builder) -> None:
    """Add a Usage from each annotated ServiceAccount to the cloud identity it names, when that is scanned."""
    inventory = builder.inventory
    accounts = [i for i in inventory.identities.values() if i.kind == "k8s_service_account"]
    if not accounts:
        return
    from nhilint.extract.rbac import CLOUD_IDENTITY_ANNOTATIONS  # the Kubernetes modelling, only with accounts

    linked = {(u.workload, u.link) for u in inventory.usages if u.link}
    for identity in accounts:
        tags = dict(identity.tags)
        for key, (types, platform) in CLOUD_IDENTITY_ANNOTATIONS.items():
            value = tags.get(key, "").strip()
            if not value:
                continue
            kind = f"{_type_of(identity)} ({key})"
            if (identity.address, key) in linked:
                continue  # the Terraform extractor linked it already
            target = _resolve(builder, value, types, platform)
            if target is not None:
                inventory.usages.append(Usage(target, identity.address, kind, identity.location, link=key))
                linked.add((identity.address, key))


def _type_of(identity: Identity) -> str:
    """`ServiceAccount` for a manifest, the resource type (`kubernetes_service_account`) for HCL."""
    match = None if identity.address.startswith("ServiceAccount/") else _TF_TYPE_RE.search(identity.address)
    return match.group(0) if match else "ServiceAccount"


def _resolve(builder: Builder, value: str, types: tuple[str, ...], platform: str) -> str | None:
    """The id of an identity in the scan the annotation names, or None."""
    identities = builder.inventory.identities
    found = builder.resolve(value, types, platform)
    if isinstance(found, str) and found in identities:
        return found
    if platform == "gcp" and "@" in value:  # a service account whose project nhilint could not evaluate
        from nhilint.extract.references import SA_ANY_PROJECT  # not the GCP extractor: it loads the HCL parser

        found = builder.by_name.get((SA_ANY_PROJECT, value.split("@", 1)[0]))
        if found in identities:
            return found
    return None
