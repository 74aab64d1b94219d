"""Kubernetes facts the NHI-K8S rules share, computed from the model alone (any format: manifests or HCL).

- RBAC capabilities: see nhilint.analyse.k8s_rbac.
- ServiceAccounts: those the code declares, and the implicit `default` of a namespace a Pod runs as
  without declaring it (see `nhilint.extract.manifests.objects`), with every principal string that names them.
- Trust: whether a cloud identity's trust admits `system:serviceaccount:NS:NAME`, and how far beyond it: AWS
  and Azure OIDC `sub` conditions and GKE workload-identity members read as one comparable form (Admission).
- Workload identity: the annotated ServiceAccount -> cloud identity edges, for rules and reports alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from nhilint.model import (
    Condition,
    Identity,
    Inventory,
    TargetRef,
    Trust,
    TrustPrincipal,
    Unknown,
    Usage,
)

PLATFORM: Final = "kubernetes"
IMPLICIT_PREFIX = "kubernetes:ServiceAccount/"
# `Usage.link` of these edges (keys of nhilint.extract.rbac.CLOUD_IDENTITY_ANNOTATIONS).
WORKLOAD_IDENTITY_ANNOTATIONS = (
    "eks.amazonaws.com/role-arn",
    "iam.gke.io/gcp-service-account",
    "azure.workload.identity/client-id",
)

# -- ServiceAccounts -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    identity: Identity
    namespace: str | None
    name: str | None
    implicit: bool

    @property
    def principals(self) -> frozenset[str]:
        """Every principal a grant may name it by: its id, and `serviceaccount:ns/name` from another file."""
        names = {self.identity.id}
        if self.namespace is not None and self.name is not None:
            names.add(f"serviceaccount:{self.namespace}/{self.name}")
        return frozenset(names)


def service_accounts(inventory: Inventory) -> Iterator[ServiceAccount]:
    """Declared ServiceAccounts, then the implicit ones Pods run as (one transient Identity each)."""
    for identity in inventory.identities.values():
        if identity.kind == "k8s_service_account":
            name = identity.name if isinstance(identity.name, str) else None
            namespace = identity.attribute("namespace")
            evaluated = namespace and not isinstance(namespace, TargetRef) and not namespace.startswith("<unknown")
            known = namespace if evaluated else None
            yield ServiceAccount(identity, known, name, False)
    seen: set[str] = set()
    for usage in inventory.usages:
        if usage.identity in inventory.identities or usage.identity in seen:
            continue
        if usage.identity.startswith(IMPLICIT_PREFIX):
            seen.add(usage.identity)
            namespace, _, name = usage.identity.removeprefix(IMPLICIT_PREFIX).partition("/")
            identity = Identity(
                usage.identity,
                "k8s_service_account",
                PLATFORM,
                f"ServiceAccount/{namespace}/{name}",
                usage.location,
                name,
                attributes=(
                    ("automount_service_account_token", "true"),
                    ("namespace", namespace),
                    ("implicit", "true"),
                ),
            )
            yield ServiceAccount(identity, namespace, name, True)


def by_principal(accounts: Iterable[ServiceAccount]) -> dict[str, ServiceAccount]:
    return {principal: sa for sa in accounts for principal in sa.principals}


# -- trust -----------------------------------------------------------------------------------------

_ADMITTING = (
    "stringequals",
    "stringlike",
    "forallvalues:stringequals",
    "forallvalues:stringlike",
    "foranyvalue:stringequals",
    "foranyvalue:stringlike",
)
SUBJECT_PREFIX = "system:serviceaccount:"
GKE_POOL = ".svc.id.goog"
WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
_GKE_SUBJECT_RE = re.compile(r"^subject/ns/([^/]+)/sa/([^/]+)$")


def subject(namespace: str, name: str) -> str:
    """The token subject (`sub`) a ServiceAccount's projected token carries."""
    return f"{SUBJECT_PREFIX}{namespace}:{name}"


def glob_match(pattern: str, text: str) -> bool:
    """IAM's StringLike: `*` is any run of characters (colons too), `?` one; the rest is literal and case-sensitive.

    Not fnmatch: `[` has no special meaning to IAM, and a subject may contain one.
    """
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


def _has_glob(text: str) -> bool:
    return "*" in text or "?" in text


@dataclass(frozen=True, slots=True)
class Admission:
    """One subject (or pattern of subjects) a cloud identity's trust admits, in one comparable form.

    `written` is what the code says: a `sub` condition value (AWS, Azure) or an IAM member (GKE); `pattern`
    is the `system:serviceaccount:NS:NAME` subject it stands for, an IAM StringLike glob when `glob`. GKE
    members are translated: `serviceAccount:P.svc.id.goog[NS/NAME]` and `principal://…/subject/ns/NS/sa/NAME`
    name one ServiceAccount (IAM reads them literally: a `*` there is no wildcard), `principalSet://…/namespace/NS`
    is every ServiceAccount of NS, and a cluster- or pool-wide principalSet every ServiceAccount (`reach`
    then says of what). One form lets every cloud be checked, and reported, the same way.
    """

    trust: Trust
    written: str
    pattern: str
    glob: bool
    field: str  # "sub" or "member": what `written` is, for messages
    reach: str | None = None

    def admits(self, namespace: str, name: str) -> bool:
        wanted = subject(namespace, name)
        return glob_match(self.pattern, wanted) if self.glob else self.pattern == wanted

    @property
    def wildcard(self) -> bool:
        """Whether it admits more than one subject."""
        return self.glob and _has_glob(self.pattern)

    @property
    def kubernetes(self) -> bool:
        """Whether it is about ServiceAccounts at all (not, say, a GitHub repository on the same role)."""
        return self.pattern.startswith(SUBJECT_PREFIX)

    @property
    def any_namespace(self) -> bool:
        """Whether a wildcard reaches ServiceAccounts of more than one namespace."""
        if not self.wildcard:
            return False
        if not self.kubernetes:
            return True
        namespace, sep, _ = self.pattern.removeprefix(SUBJECT_PREFIX).partition(":")
        return not sep or _has_glob(namespace)

    def describe(self) -> str:
        """`every ServiceAccount in namespace payments` and the like, for messages."""
        if self.reach:
            return self.reach
        if not self.wildcard:
            return self.pattern
        if not self.kubernetes:
            return f"every subject matching {self.pattern}" if self.pattern.strip("*") else "every subject"
        rest = self.pattern.removeprefix(SUBJECT_PREFIX)
        namespace, _, name = rest.partition(":")
        if not rest.strip("*:"):
            return "every ServiceAccount in every namespace"
        if name == "*" and not _has_glob(namespace):
            return f"every ServiceAccount in namespace {namespace}"
        return f"every ServiceAccount matching {self.pattern}"


def binds_workload_identity(trust: Trust) -> bool:
    """A GCP impersonation trust that GKE workload identity honours (the role, or one not evaluated)."""
    return trust.effect == "Allow" and (not trust.actions or WORKLOAD_IDENTITY_USER in trust.actions)


def gke_member(trust: Trust, principal: TrustPrincipal) -> Admission | Unknown | None:
    """A GKE workload-identity member as an Admission; Unknown when not evaluated; None if it is not one."""
    identifier = principal.identifier
    if isinstance(identifier, Unknown):
        return identifier if principal.type in ("serviceAccount", "member") else None
    written = f"{principal.type}:{identifier}"
    if principal.type == "serviceAccount" and f"{GKE_POOL}[" in identifier:
        namespace, _, name = identifier.partition("[")[2].rstrip("]").partition("/")
        return Admission(trust, written, subject(namespace, name), False, "member")
    if principal.type not in ("principal", "principalSet") or f"{GKE_POOL}/" not in identifier:
        return None
    head, _, rest = identifier.partition(f"{GKE_POOL}/")
    pool = head.rpartition("/")[2] + GKE_POOL
    exact = _GKE_SUBJECT_RE.match(rest)
    if principal.type == "principal" and exact:
        return Admission(trust, written, subject(exact.group(1), exact.group(2)), False, "member")
    if principal.type == "principalSet" and rest.startswith("namespace/") and "/" not in rest[10:]:
        return Admission(trust, written, subject(rest[10:], "*"), True, "member")
    if principal.type == "principalSet" and rest.startswith("kubernetes.cluster/"):
        cluster = rest.rstrip("/").rpartition("/")[2]
        return Admission(
            trust, written, f"{SUBJECT_PREFIX}*", True, "member", f"every ServiceAccount of cluster {cluster}"
        )
    if principal.type == "principalSet" and rest == "*":
        return Admission(
            trust,
            written,
            f"{SUBJECT_PREFIX}*",
            True,
            "member",
            f"every ServiceAccount of every cluster in the workload identity pool {pool}",
        )
    return Unknown(f"the workload identity member {written} is not evaluated")


def _sub_conditions(trust: Trust) -> list[Condition]:
    return [c for c in trust.conditions if c.key.lower().endswith(":sub")]


def admissions(trusts: list[Trust]) -> list[Admission]:
    """Every subject the trusts admit that could be a ServiceAccount's: OIDC `sub` values and GKE members."""
    found: list[Admission] = []
    for trust in trusts:
        if trust.effect != "Allow":
            continue
        if any(p.type == "Federated" for p in trust.principals):
            for condition in _sub_conditions(trust):
                operator = condition.operator.lower()
                if operator in _ADMITTING:
                    found.extend(
                        Admission(trust, v, v, "like" in operator, "sub")
                        for v in condition.values
                        if isinstance(v, str)
                    )
        if binds_workload_identity(trust):
            found.extend(m for p in trust.principals if isinstance(m := gke_member(trust, p), Admission))
    return found


def admits(identity: Identity, trusts: list[Trust], namespace: str, name: str) -> bool | Unknown | None:
    """Whether a cloud identity's trust lets Pods of the ServiceAccount become it.

    None when the scan cannot say (GCP and Azure bind workload identity in separate resources, which may
    live elsewhere; an AWS role's trust policy is always part of the role, so there its absence counts).
    """
    allowed = [t for t in trusts if t.effect == "Allow"]
    if identity.platform == "gcp":
        members = [gke_member(t, p) for t in allowed if binds_workload_identity(t) for p in t.principals]
        known = [m for m in members if isinstance(m, Admission)]
        unknown = [m for m in members if isinstance(m, Unknown)]
        if not known and not unknown:
            return None
        if any(m.admits(namespace, name) for m in known):
            return True
        return unknown[0] if unknown else False
    federated = [t for t in allowed if any(p.type == "Federated" for p in t.principals)]
    if not federated:
        unknown_reason = next((t.unknown for t in trusts if t.unknown), None)
        if unknown_reason:
            return Unknown(unknown_reason)
        return False if identity.platform == "aws" else None
    result: bool | Unknown = False
    for trust in federated:
        subs = _sub_conditions(trust)
        if not subs or any(c.operator.lower() not in _ADMITTING for c in subs):
            return True  # any subject (NHI-TRUST-003's business), or an operator not evaluated here
        result = next((v for c in subs for v in c.values if isinstance(v, Unknown)), result)
        if any(a.admits(namespace, name) for a in admissions([trust])):
            return True
    return result


def subjects_of(trusts: list[Trust]) -> list[str]:
    """The subjects trusts admit, as `system:serviceaccount:NS:NAME` or a pattern of it (for messages)."""
    return [a.pattern for a in admissions(trusts)]


# -- workload identity: ServiceAccount -> cloud identity -------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkloadIdentity:
    """A ServiceAccount annotated to act as a cloud identity the scan creates (drawn by nhilint.extract.links)."""

    account: ServiceAccount
    target: Identity
    annotation: str
    usage: Usage


def workload_identities(inventory: Inventory, accounts: Iterable[ServiceAccount]) -> Iterator[WorkloadIdentity]:
    """Every annotated ServiceAccount -> cloud identity edge, whatever formats the two are written in."""
    by_address = {sa.identity.address: sa for sa in accounts if not sa.implicit}
    for usage in inventory.usages:
        annotation = usage.link
        account = by_address.get(usage.workload)
        target = inventory.identities.get(usage.identity)
        if annotation in WORKLOAD_IDENTITY_ANNOTATIONS and account is not None and target is not None:
            yield WorkloadIdentity(account, target, annotation, usage)
