"""Kubernetes objects written twice: the same API group, kind, namespace and name in two places.

`kubectl apply` keeps whichever copy is applied last, so a reviewer may read one ServiceAccount or binding
while the cluster gets the other. Both copies are read (a second ServiceAccount, an identity, gets an id that
carries its file, so neither hides the other), and the second is reported as an input problem
(NHI-PARSE-007) naming where the first is. Objects a rendered kustomization repeats from a scanned file are
the same object, not a collision; objects whose name the API server chooses (`generateName`) never collide.
"""

from __future__ import annotations

from nhilint.model import Location
from nhilint.model_inputs import ParseError

Key = tuple[str, str, str, str]  # API group, kind, namespace ("" for cluster-scoped), name
# The objects whose copies change who exists or who may do what: ServiceAccounts, Secrets (token secrets are
# credentials), RBAC roles and bindings. A workload written twice hides nothing (both copies' accounts are
# recorded as used), and other kinds (a module's BlueprintMetadata, examples' Pods) are not identities.
TRACKED = frozenset(
    {
        ("", "ServiceAccount"),
        ("", "Secret"),
        *(("rbac.authorization.k8s.io", kind) for kind in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")),
    }
)


def tracked(group: str, kind: str) -> bool:
    """Whether a second copy of this kind of object is kept and reported."""
    return (group, kind) in TRACKED


def collision(declared: dict[Key, Location], key: Key, location: Location) -> ParseError | None:
    """Remember where `key` is declared; the problem to report when it was declared before."""
    first = declared.setdefault(key, location)
    if first == location:
        return None
    _, kind, namespace, name = key
    shown = f"{namespace}/{name}" if namespace else name
    reason = (
        f"{kind} {shown} is also declared at {first.path}:{first.start_line}; kubectl apply keeps whichever "
        "copy is applied last"
    )
    return ParseError(location.path, location.start_line, reason, "duplicate-object")


def with_file(address: str, location: Location) -> str:
    """The address of a second copy: the object's address and the file it is written in."""
    return f"{address}@{location.path}"
