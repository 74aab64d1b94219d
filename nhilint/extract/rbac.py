"""Kubernetes modelling shared by the Terraform-provider and the manifest extractors.

Both formats describe the same API objects, so both must produce the same model: the same grant shapes,
the same principals, the same vias. What differs is only how a value is read (an HCL block or a YAML
mapping); everything from the records below onwards lives here, once.

Grants follow the shape `nhilint.analyse.privilege.admin_role` reads: built-in or out-of-code roles are
`permission_type="role"` with a `RoleRef` `ClusterRole/<name>`; rules of in-code roles are
`permission_type="k8s_rule"` with one `K8sRule` each (verbs, API groups, resources, names, URLs). Subjects
the code does not create become `serviceaccount:<ns>/<name>`, `user:<name>` and `group:<name>`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any, Final, NamedTuple

from nhilint.config import Settings
from nhilint.extract.builder import Builder
from nhilint.model import Credential, Grant, K8sRule, Location, RoleRef, TargetRef, Unknown
from nhilint.values import Ref, to_text

PLATFORM: Final = "kubernetes"
SA_TYPES = ("kubernetes_service_account", "kubernetes_service_account_v1")  # by_name keys, either spelling
BUILTIN_CLUSTER_ROLES = frozenset({"cluster-admin", "admin", "edit", "view"})
TOKEN_SECRET_TYPE = "kubernetes.io/service-account-token"
TOKEN_SA_ANNOTATION = "kubernetes.io/service-account.name"
# Annotations read as lifecycle facts in addition to the policy's owner/purpose/expires/retire-on keys.
LIFECYCLE_ANNOTATIONS = {
    "owner": "nhilint.io/owner",
    "purpose": "nhilint.io/purpose",
    "expires": "nhilint.io/expires",
    "retire_on": "nhilint.io/retire-on",
}
# ServiceAccount annotations that make its Pods run as a cloud identity: annotation -> (types, platform).
# (CloudFormation roles register under `aws_iam_role` too, so a role in a template links the same way.)
CLOUD_IDENTITY_ANNOTATIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "eks.amazonaws.com/role-arn": (("aws_iam_role",), "aws"),
    "iam.gke.io/gcp-service-account": (("google_service_account",), "gcp"),
    "azure.workload.identity/client-id": (("azurerm_user_assigned_identity",), "azure"),
}

Link = Ref | str | Unknown | None


def implicit_service_account(namespace: str, name: str = "default") -> str:
    """The id of a ServiceAccount no file declares (a namespace's `default`): same scheme as a manifest's."""
    return f"{PLATFORM}:ServiceAccount/{namespace}/{name}"


def lifecycle_keys(settings: Settings) -> dict[str, tuple[str, ...]]:
    """The policy's tag keys for each lifecycle fact, then the `nhilint.io/*` annotation."""
    return {fact: (*tags, LIFECYCLE_ANNOTATIONS[fact]) for fact, tags in settings.lifecycle_keys.items()}


@dataclass(frozen=True, slots=True)
class Meta:
    name: Link
    namespace: Link
    labels: Any
    annotations: Any


@dataclass(frozen=True, slots=True)
class Rule:
    permission: K8sRule | None  # None when the rule could not be evaluated
    location: Location
    unknown: str | None = None


@dataclass(frozen=True, slots=True)
class Role:
    address: str
    kind: str  # Role | ClusterRole
    meta: Meta
    rules: tuple[Rule, ...]
    selectors: tuple[Any, ...]  # aggregation rule matchLabels (a dict, or Unknown)
    location: Location


@dataclass(frozen=True, slots=True)
class Subject:
    kind: Link
    name: Link
    namespace: Link


@dataclass(frozen=True, slots=True)
class Binding:
    address: str
    cluster: bool
    namespace: Link
    role_kind: Link
    role_name: Link
    role_ref: Location
    subjects: tuple[Subject | Unknown, ...]
    location: Location


class PendingWorkload(NamedTuple):
    """A Terraform Pod spec: which ServiceAccount (name, namespace as written) it runs as, once all are known."""

    address: str
    type: str
    namespace: Link
    account: Link
    location: Location
    attributes: tuple[tuple[str, str], ...]


@dataclass(slots=True)
class TerraformObjects:
    """What the Terraform kubernetes table records for its `finish` (`builder.side(TerraformObjects)`).

    The manifest extractor reads `roles` too: a binding in YAML may name a role written in HCL."""

    service_accounts: list[tuple[str, str, Meta]] = field(default_factory=list)  # (identity id, address, meta)
    namespaces: list[tuple[str, Link]] = field(default_factory=list)  # (address, name)
    token_secrets: list[tuple[Credential, Link, Link]] = field(default_factory=list)  # (token, SA name, namespace)
    roles: list[Role] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)
    workloads: list[PendingWorkload] = field(default_factory=list)


@dataclass(slots=True)
class Index:
    """Namespaces and ServiceAccounts of the scan, by address and by `namespace/name`."""

    namespaces: dict[str, Link]
    sa_namespace: dict[str, str | Unknown]  # SA address -> namespace
    sa_by_address: dict[str, str]  # address -> identity id
    sa_by_name: dict[tuple[str, str], str]  # the first copy of each
    copies: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)  # (file, id) of every copy

    def namespace_of(self, value: Link, default: str) -> str | Unknown:
        """A namespace as text: literal, the name of an in-code namespace, or a reference (a `TargetRef`)."""
        if value is None:
            return default
        if isinstance(value, Ref):
            if value.address in self.namespaces:  # its name, or a marker that matches every reference to it
                named = self.namespaces[value.address]
                return named if isinstance(named, str) else TargetRef(value.address)
            if value.address in self.sa_namespace and (value.attribute or "").endswith("namespace"):
                return self.sa_namespace[value.address]
            return TargetRef(value.address, value.attribute)
        return value

    def account(self, name: Link, namespace: str | Unknown, near: str | None = None) -> str | Unknown | None:
        """The identity id of a ServiceAccount; None when it is a literal name not created in the code. Written
        in several files (a fleet's clusters), the copy applied together with the file `near` is the one meant,
        else the first."""
        if isinstance(name, Ref):
            found = self.sa_by_address.get(name.address)
            return found or Unknown(f"{name} is not in the scanned code")
        if not isinstance(name, str):
            return name or Unknown("the ServiceAccount has no name")
        if isinstance(namespace, Unknown):
            return Unknown(f"namespace of ServiceAccount {name}: {namespace.reason}")
        copies = self.copies.get((namespace, name), ()) if near is not None else ()
        together = next((id_ for path, id_ in copies if near is not None and applied_together(path, near)), None)
        return together or self.sa_by_name.get((namespace, name))


def applied_together(first: str, second: str) -> bool:
    """Whether manifests at these paths (relative, POSIX) are applied together: in one directory (`kubectl apply
    -f DIR`), or one in a directory below the other's (`-R`). Copies in separate directories (`clusters/dev/`,
    `clusters/prod/`) are separate deployments."""
    one, other = PurePosixPath(first).parent, PurePosixPath(second).parent
    return one == other or one in other.parents or other in one.parents


def describe(kind: str, address: str) -> str:
    """`ClusterRoleBinding kubernetes_cluster_role_binding.x`, but a manifest's `ClusterRoleBinding/x` as is."""
    return address if address.startswith(f"{kind}/") else f"{kind} {address}"


def bind(builder: Builder, index: Index, item: Binding, roles: Sequence[Role]) -> None:
    """One grant per rule of the bound role (or one for a role not in the code) for every subject."""
    namespace_ = None if item.cluster else index.namespace_of(item.namespace, "default")
    scope: tuple[str, ...] = ("cluster",)
    scope_unknown = None
    if isinstance(namespace_, Unknown):
        scope, scope_unknown = ("namespace/<unknown>",), f"namespace: {namespace_.reason}"
    elif namespace_ is not None:
        scope = (f"namespace/{namespace_}",)
    templates = [
        replace(g, unknown=g.unknown or scope_unknown) for g in _role_grants(item, namespace_, scope, roles, index)
    ]
    for subject in item.subjects:
        principal, unknown = _principal(subject, namespace_ or "default", index, item.location.path)
        for grant in templates:
            builder.add_grant(replace(grant, principal=principal, unknown=grant.unknown or unknown), None, ())


def _role_grants(
    item: Binding, namespace_: str | Unknown | None, scope: tuple[str, ...], roles: Sequence[Role], index: Index
) -> list[Grant]:
    kind = item.role_kind if isinstance(item.role_kind, str) else "ClusterRole"
    via = describe("ClusterRoleBinding" if item.cluster else "RoleBinding", item.address)
    found = _find_role(item.role_name, kind, namespace_, roles, index)
    if found is not None:
        label = f"{via} of {describe(found.kind, found.address)}"
        grants = [_rule_grant(rule, found, label, scope) for rule in found.rules]
        for selector in found.selectors:
            if isinstance(selector, Unknown):
                grants.append(
                    Grant(
                        None,
                        (),
                        scope,
                        label,
                        found.address,
                        found.location,
                        found.location,
                        "k8s_rule",
                        unknown=f"aggregation_rule: {selector.reason}",
                        platform=PLATFORM,
                    )
                )
                continue
            for other in roles:
                if other.kind == "ClusterRole" and other is not found and _matches(selector, other.meta.labels):
                    grants += [
                        _rule_grant(rule, other, f"{label} (aggregated from {other.address})", scope)
                        for rule in other.rules
                    ]
        return grants
    name = item.role_name
    if isinstance(name, str):
        where = "built-in" if kind == "ClusterRole" and name in BUILTIN_CLUSTER_ROLES else "not in the scanned code"
        return [
            Grant(
                None,
                (RoleRef(f"{kind}/{name}"),),
                scope,
                f"{via} of {kind} {name} ({where})",
                item.address,
                item.role_ref,
                item.location,
                "role",
                platform=PLATFORM,
            )
        ]
    reason = f"{name} is not in the scanned code" if isinstance(name, Ref) else f"role_ref name: {reason_of(name)}"
    return [
        Grant(
            None, (), scope, via, item.address, item.role_ref, item.location, "role", unknown=reason, platform=PLATFORM
        )
    ]


def _find_role(
    name: Link, kind: str, namespace_: str | Unknown | None, roles: Sequence[Role], index: Index
) -> Role | None:
    if isinstance(name, Ref):
        return next((r for r in roles if r.address == name.address), None)
    if not isinstance(name, str):
        return None
    for candidate in roles:
        if candidate.kind != kind or candidate.meta.name != name:
            continue
        if kind == "ClusterRole" or index.namespace_of(candidate.meta.namespace, "default") == namespace_:
            return candidate
    return None


def _rule_grant(rule: Rule, owner: Role, via: str, scope: tuple[str, ...]) -> Grant:
    permissions = (rule.permission,) if rule.permission is not None else ()
    return Grant(
        None,
        permissions,
        scope,
        via,
        owner.address,
        rule.location,
        owner.location,
        "k8s_rule",
        unknown=rule.unknown,
        platform=PLATFORM,
    )


def _matches(selector: Any, labels: Any) -> bool:
    if not isinstance(selector, Mapping) or not isinstance(labels, Mapping) or not selector:
        return False
    return all(key in labels and to_text(labels[key]) == to_text(value) for key, value in selector.items())


def _principal(
    subject: Subject | Unknown, namespace_: str | Unknown, index: Index, near: str
) -> tuple[str | None, str | None]:
    """An identity id, or `group:…`/`user:…`/`serviceaccount:ns/name` for subjects the code does not create
    (`near`: the binding's file, whose own copy of a ServiceAccount written several times is meant)."""
    if isinstance(subject, Unknown):
        return None, subject.reason
    kind = subject.kind
    if kind == "ServiceAccount":
        ns = namespace_ if subject.namespace is None else index.namespace_of(subject.namespace, "default")
        found = index.account(subject.name, ns, near)
        if isinstance(found, str):
            return found, None
        if found is None:
            return f"serviceaccount:{ns}/{subject.name}", None
        return None, found.reason
    if kind in ("User", "Group") and isinstance(subject.name, str):
        return f"{kind.lower()}:{subject.name}", None
    if not isinstance(kind, str):
        return None, f"subject kind: {reason_of(kind)}"
    return None, f"{kind} subject name: {reason_of(subject.name)}"


def reason_of(value: Link) -> str:
    if isinstance(value, Unknown):
        return value.reason
    if isinstance(value, Ref):
        return f"{value} is known only after apply"
    return "not set" if value is None else f"unsupported value {value!r}"


def terraform_accounts(builder: Builder) -> dict[tuple[str, str], str]:
    """ServiceAccounts the Terraform provider creates, registered by `namespace/name`."""
    found: dict[tuple[str, str], str] = {}
    for (type_, name), identity_id in builder.by_name.items():
        if type_ in SA_TYPES and name.count("/") == 1:
            namespace, _, account = name.partition("/")
            found[(namespace, account)] = identity_id
    return found
