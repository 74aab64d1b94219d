"""Kubernetes RBAC capabilities, computed from the typed `K8sRule`s of the model (manifests or HCL alike).

The rules of a grant as verbs, (group, resource) pairs and resource names, and the dangerous capabilities
they confer, matched the way the API server's RBAC authorizer matches (`*` verbs, groups and resources,
`*/subresource`; the core group `""` is a group of its own). Built-in ClusterRoles (`cluster-admin`,
`admin`, `edit`) are expanded to the rules that matter here.
"""

from __future__ import annotations

from dataclasses import dataclass

from nhilint.model import Grant, K8sRule

PLATFORM = "kubernetes"
_RBAC = "rbac.authorization.k8s.io"
_WORKLOADS = (
    ("", "pods"),
    ("", "replicationcontrollers"),
    *(("apps", r) for r in ("deployments", "daemonsets", "statefulsets", "replicasets")),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
)


@dataclass(frozen=True, slots=True)
class Permission:
    verbs: frozenset[str]
    resources: tuple[tuple[str, str], ...]  # (API group, `*` for every group; resource)
    names: tuple[str, ...]

    @classmethod
    def of(cls, rule: K8sRule) -> Permission:
        """A PolicyRule as the authorizer reads it (non-resource URLs are left out)."""
        pairs = tuple((group, resource) for group in rule.api_groups or ("",) for resource in rule.resources)
        return cls(frozenset(rule.verbs), tuple(dict.fromkeys(pairs)), rule.resource_names)


@dataclass(frozen=True, slots=True)
class Need:
    """One (group, resource) and the verbs on it that give a capability."""

    group: str
    resource: str
    verbs: frozenset[str]

    def met_by(self, permission: Permission) -> bool:
        if not ("*" in permission.verbs or permission.verbs & self.verbs):
            return False
        return any(
            _group_matches(group, self.group) and _resource_matches(resource, self.resource)
            for group, resource in permission.resources
        )


def _group_matches(written: str, wanted: str) -> bool:
    return written in ("*", wanted)


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
    Capability(
        "escalate",
        "bind or escalate roles, or impersonate",
        (
            _needs("bind,escalate", (_RBAC, "roles"), (_RBAC, "clusterroles"))
            + _needs(
                "impersonate",
                ("", "users"),
                ("", "groups"),
                ("", "serviceaccounts"),
                ("authentication.k8s.io", "uids"),
                ("authentication.k8s.io", "userextras/*"),
            ),
        ),
    ),
    Capability("token", "create ServiceAccount tokens", (_needs("create", ("", "serviceaccounts/token")),)),
    Capability(
        "approve-csr",
        "approve certificate signing requests",
        (
            _needs("update,patch", ("certificates.k8s.io", "certificatesigningrequests/approval")),
            _needs("approve", ("certificates.k8s.io", "signers")),
        ),
    ),
    Capability(
        "webhooks",
        "change admission webhooks",
        (
            _needs(
                "create,update,patch,delete",
                ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
                ("admissionregistration.k8s.io", "validatingwebhookconfigurations"),
            ),
        ),
    ),
    Capability(
        "aws-auth",
        "write the kube-system/aws-auth ConfigMap",
        (_needs("create,update,patch", ("", "configmaps")),),
        names=frozenset({"aws-auth"}),
        namespaces=frozenset({"cluster", "namespace/kube-system"}),
    ),
)

# What built-in ClusterRoles hold, as far as the capabilities above are concerned.
_CORE = ("",)
_EDIT = (
    K8sRule(("get", "list", "watch"), _CORE, ("secrets", "pods/exec", "pods/attach")),
    K8sRule(("create", "delete", "patch", "update"), _CORE, ("pods", "pods/exec", "pods/attach")),
    K8sRule(("impersonate",), _CORE, ("serviceaccounts",)),
    K8sRule(("create", "delete", "patch", "update"), _CORE, ("configmaps", "secrets", "serviceaccounts")),
    K8sRule(
        ("create", "delete", "patch", "update"),
        ("apps",),
        ("deployments", "daemonsets", "statefulsets", "replicasets"),
    ),
    K8sRule(("create", "delete", "patch", "update"), ("batch",), ("jobs", "cronjobs")),
)
BUILTIN_RULES: dict[str, tuple[K8sRule, ...]] = {
    "ClusterRole/cluster-admin": (K8sRule(("*",), ("*",), ("*",)),),
    "ClusterRole/admin": _EDIT,
    "ClusterRole/edit": _EDIT,
    "ClusterRole/view": (),
}


def permissions_of(grant: Grant) -> list[tuple[str, Permission]]:
    """The RBAC rules a Kubernetes grant confers, as (written, matched form); [] when they are not known."""
    if grant.platform != PLATFORM or grant.effect != "Allow":
        return []
    if grant.permission_type == "k8s_rule":
        return [(p, Permission.of(p)) for p in grant.permissions if isinstance(p, K8sRule)]
    if grant.permission_type == "role":
        return [(p, Permission.of(rule)) for p in grant.permissions for rule in BUILTIN_RULES.get(p, ())]
    return []


def capability_grants(capability: Capability, grants: list[Grant]) -> list[tuple[Grant, str]]:
    """The grants (and the rule) meeting the capability's first requirement, if all are met; else []."""
    met: list[list[tuple[Grant, str]]] = []
    for requirement in capability.requires:
        hits = [
            (grant, written)
            for grant in grants
            if capability.namespaces is None or set(grant.scope) & capability.namespaces
            for written, permission in permissions_of(grant)
            if _allowed_names(capability, permission) and any(n.met_by(permission) for n in requirement)
        ]
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
