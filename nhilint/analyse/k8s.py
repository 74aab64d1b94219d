"""Kubernetes facts the NHI-K8S rules share, computed from the model alone (any format: manifests or HCL).

- RBAC: a `k8s_rule` grant parsed back into verbs, (group, resource) pairs and resource names, and the
  dangerous capabilities it confers, matched the way the API server's RBAC authorizer matches (`*` verbs
  and resources, `*/subresource`). The rendered form writes a resource of the core group and one of every
  group (`*`) the same way (bare), so a bare resource is taken to be of any group: a wildcard counts.
  Built-in ClusterRoles (`cluster-admin`, `admin`, `edit`) are expanded to the rules that matter here.
- ServiceAccounts: those the code declares, and the implicit `default` of a namespace a Pod runs as
  without declaring it (see `nhilint.extract.k8s_manifests`), with every principal string that names them.
- Trust: whether a cloud identity's trust admits `system:serviceaccount:NS:NAME`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass

from nhilint.model import Grant, Identity, Inventory, Trust, Unknown

PLATFORM = "kubernetes"
IMPLICIT_PREFIX = "kubernetes:ServiceAccount/"
# Usage kinds end with `(<annotation>)` for these links (keys of nhilint.extract.k8s_rbac.CLOUD_IDENTITY_ANNOTATIONS).
WORKLOAD_IDENTITY_ANNOTATIONS = ("eks.amazonaws.com/role-arn", "iam.gke.io/gcp-service-account",
                                 "azure.workload.identity/client-id")
# API groups whose name has no dot: `apps/deployments` is a group, `pods/exec` a core subresource.
_DOTLESS_GROUPS = frozenset({"apps", "batch", "policy", "autoscaling", "extensions"})
_RBAC = "rbac.authorization.k8s.io"
_WORKLOADS = (("", "pods"), ("", "replicationcontrollers"), *(("apps", r) for r in (
    "deployments", "daemonsets", "statefulsets", "replicasets")), ("batch", "jobs"), ("batch", "cronjobs"))
_WRITE = frozenset({"create", "update", "patch"})


@dataclass(frozen=True, slots=True)
class Permission:
    verbs: frozenset[str]
    resources: tuple[tuple[str | None, str], ...]  # (group, or None for "core or every group"; resource)
    names: tuple[str, ...]


def parse_permission(text: str) -> Permission:
    """`get,list apps/deployments,pods names=a` -> Permission (non-resource URLs are dropped)."""
    verbs, _, rest = text.partition(" ")
    targets, _, names = rest.partition(" names=")
    resources: list[tuple[str | None, str]] = []
    for token in filter(None, targets.split(",")):
        if token.startswith("/"):
            continue
        head, _, tail = token.partition("/")
        if tail and ("." in head or head in _DOTLESS_GROUPS):
            resources.append((head, tail))
        else:
            resources.append((None, token))
    return Permission(frozenset(filter(None, verbs.split(","))), tuple(resources),
                      tuple(filter(None, names.split(","))))


@dataclass(frozen=True, slots=True)
class Need:
    """One (group, resource) and the verbs on it that give a capability."""

    group: str
    resource: str
    verbs: frozenset[str]

    def met_by(self, permission: Permission) -> bool:
        if not ("*" in permission.verbs or permission.verbs & self.verbs):
            return False
        return any(_group_matches(group, self.group) and _resource_matches(resource, self.resource)
                   for group, resource in permission.resources)


def _group_matches(written: str | None, wanted: str) -> bool:
    return written is None or written in ("*", wanted)


def _resource_matches(written: str, wanted: str) -> bool:
    """RBAC's ResourceMatches: `*`, an exact match, or `*/<subresource>`."""
    if written in ("*", wanted):
        return True
    _, _, sub = wanted.partition("/")
    return bool(sub) and written == f"*/{sub}"


@dataclass(frozen=True, slots=True)
class Capability:
    """A dangerous power: every group of `requires` must be met (by one of its needs), across grants."""

    key: str
    title: str
    requires: tuple[tuple[Need, ...], ...]
    names: frozenset[str] | None = None  # resourceNames that must be allowed (None: any rule counts)
    namespaces: frozenset[str] | None = None  # scopes where it applies (None: any)
    skip_named: bool = False  # a rule limited to named objects does not count


def _needs(verbs: str, *pairs: tuple[str, str]) -> tuple[Need, ...]:
    return tuple(Need(group, resource, frozenset(verbs.split(","))) for group, resource in pairs)


CAPABILITIES: tuple[Capability, ...] = (
    Capability("read-secrets", "read Secrets", (_needs("get,list,watch", ("", "secrets")),), skip_named=True),
    Capability("create-workloads", "create Pods or workloads", (_needs("create", *_WORKLOADS),)),
    Capability("exec", "exec or attach into Pods", (_needs("create,get", ("", "pods/exec"), ("", "pods/attach")),)),
    Capability("escalate", "bind or escalate roles, or impersonate", (
        _needs("bind,escalate", (_RBAC, "roles"), (_RBAC, "clusterroles"))
        + _needs("impersonate", ("", "users"), ("", "groups"), ("", "serviceaccounts"),
                 ("authentication.k8s.io", "uids"), ("authentication.k8s.io", "userextras/*")),)),
    Capability("token", "create ServiceAccount tokens", (_needs("create", ("", "serviceaccounts/token")),)),
    Capability("approve-csr", "approve certificate signing requests", (
        _needs("update,patch", ("certificates.k8s.io", "certificatesigningrequests/approval")),
        _needs("approve", ("certificates.k8s.io", "signers")))),
    Capability("webhooks", "change admission webhooks", (_needs(
        "create,update,patch,delete", ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
        ("admissionregistration.k8s.io", "validatingwebhookconfigurations")),)),
    Capability("aws-auth", "write the kube-system/aws-auth ConfigMap",
               (_needs("create,update,patch", ("", "configmaps")),), names=frozenset({"aws-auth"}),
               namespaces=frozenset({"cluster", "namespace/kube-system"})),
)

# What built-in ClusterRoles hold, as far as the capabilities above are concerned.
_EDIT = ("get,list,watch secrets,pods/exec,pods/attach", "create,delete,patch,update pods,pods/exec,pods/attach",
         "impersonate serviceaccounts", "create,delete,patch,update configmaps,secrets,serviceaccounts",
         "create,delete,patch,update apps/deployments,apps/daemonsets,apps/statefulsets,apps/replicasets",
         "create,delete,patch,update batch/jobs,batch/cronjobs")
BUILTIN_RULES: dict[str, tuple[str, ...]] = {"ClusterRole/cluster-admin": ("* *",), "ClusterRole/admin": _EDIT,
                                             "ClusterRole/edit": _EDIT, "ClusterRole/view": ()}


def permissions_of(grant: Grant) -> list[tuple[str, Permission]]:
    """The RBAC rules a Kubernetes grant confers, as (written, parsed); [] when they are not known."""
    if grant.platform != PLATFORM or grant.effect != "Allow":
        return []
    if grant.permission_type == "k8s_rule":
        return [(p, parse_permission(p)) for p in grant.permissions]
    if grant.permission_type == "role":
        return [(p, parse_permission(rule)) for p in grant.permissions for rule in BUILTIN_RULES.get(p, ())]
    return []


def capability_grants(capability: Capability, grants: list[Grant]) -> list[tuple[Grant, str]]:
    """The grants (and the rule) meeting the capability's first requirement, if all are met; else []."""
    met: list[list[tuple[Grant, str]]] = []
    for requirement in capability.requires:
        hits = [(grant, written) for grant in grants
                if capability.namespaces is None or set(grant.scope) & capability.namespaces
                for written, permission in permissions_of(grant)
                if _allowed_names(capability, permission) and any(n.met_by(permission) for n in requirement)]
        if not hits:
            return []
        met.append(hits)
    return met[0]


def _allowed_names(capability: Capability, permission: Permission) -> bool:
    if not permission.names:
        return True
    if capability.skip_named:
        return False
    return capability.names is None or bool(capability.names & set(permission.names))


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
            known = namespace if namespace and not namespace.startswith(("<unknown", "${")) else None
            yield ServiceAccount(identity, known, name, False)
    seen: set[str] = set()
    for usage in inventory.usages:
        if usage.identity in inventory.identities or usage.identity in seen:
            continue
        if usage.identity.startswith(IMPLICIT_PREFIX):
            seen.add(usage.identity)
            namespace, _, name = usage.identity.removeprefix(IMPLICIT_PREFIX).partition("/")
            identity = Identity(usage.identity, "k8s_service_account", PLATFORM, f"ServiceAccount/{namespace}/{name}",
                                usage.location, name, attributes=(("automount_service_account_token", "true"),
                                                                  ("namespace", namespace), ("implicit", "true")))
            yield ServiceAccount(identity, namespace, name, True)


def by_principal(inventory: Inventory) -> dict[str, ServiceAccount]:
    return {principal: sa for sa in service_accounts(inventory) for principal in sa.principals}


# -- trust -----------------------------------------------------------------------------------------

_ADMITTING = ("stringequals", "stringlike", "forallvalues:stringequals", "forallvalues:stringlike",
              "foranyvalue:stringequals", "foranyvalue:stringlike")


def admits(identity: Identity, trusts: list[Trust], namespace: str, name: str) -> bool | Unknown | None:
    """Whether a cloud identity's trust lets Pods of the ServiceAccount become it.

    None when the scan cannot say (GCP and Azure bind workload identity in separate resources, which may
    live elsewhere; an AWS role's trust policy is always part of the role, so there its absence counts).
    """
    subject = f"system:serviceaccount:{namespace}:{name}"
    allowed = [t for t in trusts if t.effect == "Allow"]
    if identity.platform == "gcp":
        member = f"[{namespace}/{name}]"
        bindings = [t for t in allowed if not t.actions or "roles/iam.workloadIdentityUser" in t.actions]
        ids = [p.identifier for t in bindings for p in t.principals if p.type == "serviceAccount"]
        ids = [i for i in ids if isinstance(i, Unknown) or ".svc.id.goog[" in i]
        if not ids:
            return None
        if any(isinstance(i, str) and i.endswith(member) for i in ids):
            return True
        return next((i for i in ids if isinstance(i, Unknown)), False)
    federated = [t for t in allowed if any(p.type == "Federated" for p in t.principals)]
    if not federated:
        unknown = next((t.unknown for t in trusts if t.unknown), None)
        if unknown:
            return Unknown(unknown)
        return False if identity.platform == "aws" else None
    result: bool | Unknown = False
    for trust in federated:
        subs = [c for c in trust.conditions if c.key.lower().endswith(":sub")]
        if not subs or any(c.operator.lower() not in _ADMITTING for c in subs):
            return True  # any subject (NHI-TRUST-003's business), or an operator not evaluated here
        for condition in subs:
            for value in condition.values:
                if isinstance(value, Unknown):
                    result = value
                elif value == subject or ("like" in condition.operator.lower() and fnmatch.fnmatchcase(subject, value)):
                    return True
    return result


def subjects_of(trusts: list[Trust]) -> list[str]:
    """The ServiceAccount subjects trusts admit, as `system:serviceaccount:NS:NAME` (for messages)."""
    subjects = [v for t in trusts for c in t.conditions if c.key.lower().endswith(":sub")
                for v in c.values if isinstance(v, str)]
    for trust in trusts:
        for principal in trust.principals:
            member = principal.identifier
            if principal.type == "serviceAccount" and isinstance(member, str) and ".svc.id.goog[" in member:
                namespace, _, name = member.partition("[")[2].rstrip("]").partition("/")
                subjects.append(f"system:serviceaccount:{namespace}:{name}")
    return subjects
