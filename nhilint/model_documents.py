"""Permission documents of the code (re-exported by nhilint.model): what is written, used or not.

Findings are per identity, so a policy, Role or role definition that nothing in the scan uses yet would go
unseen until the change that attaches it, which is too late for review. A `PermissionDocument` records each
one with the principals its grants reach; its statements are the `Grant`s whose `document` is its id (with no
principal when nothing uses it), so every rule reads one shape for identities and documents alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from nhilint.model_refs import Location
from nhilint.values import Unknown

# What a document is: an AWS managed policy or standalone policy (`inline_policy`: CloudFormation
# AWS::IAM::Policy), a policy document data source, a Kubernetes Role or ClusterRole, an Azure role
# definition, a GCP custom role.
DocumentKind = Literal[
    "managed_policy",
    "inline_policy",
    "policy_document",
    "k8s_role",
    "k8s_cluster_role",
    "role_definition",
    "custom_role",
]


@dataclass(frozen=True, slots=True)
class PermissionDocument:
    """One permission document and who uses it.

    `attached_to` lists the principals (identity ids, or subjects outside the code) its grants reach;
    `attachment_unknown` says why a use of it names a principal nhilint could not resolve. A document with
    neither is attached to no identity in the scan.
    """

    id: str
    kind: DocumentKind
    platform: str
    address: str
    location: Location
    name: str | Unknown | None = None
    attached_to: tuple[str, ...] = ()
    attachment_unknown: str | None = None

    @property
    def unattached(self) -> bool:
        return not self.attached_to and self.attachment_unknown is None

    @property
    def noun(self) -> str:
        """What it is, in words: `managed policy`, `ClusterRole`, `role definition`."""
        return _KIND_TITLES[self.kind]


_KIND_TITLES: dict[str, str] = {
    "managed_policy": "managed policy",
    "inline_policy": "policy",
    "policy_document": "policy document",
    "k8s_role": "Role",
    "k8s_cluster_role": "ClusterRole",
    "role_definition": "role definition",
    "custom_role": "custom role",
}
