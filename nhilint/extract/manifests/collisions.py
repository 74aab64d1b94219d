"""Kubernetes objects written twice: the same API group, kind, namespace and name in two places.

`kubectl apply` keeps whichever copy is applied last, so a reviewer may read one ServiceAccount or binding
while the cluster gets the other. Both copies are read (a second ServiceAccount, an identity, gets an id that
carries its file, so neither hides the other). The second is reported as an input problem (NHI-PARSE-007),
naming where the first is, when the two are applied together: written in one directory (`kubectl apply -f
DIR`), or one in a directory below the other's (`-R`). Copies in separate directories (`clusters/dev/` and
`clusters/prod/`, the same add-on in every cluster of a fleet) are separate deployments, not a collision.
Objects a rendered kustomization repeats from a scanned file are the same object; objects whose name the API
server chooses (`generateName`) never collide.
"""

from __future__ import annotations

from nhilint.extract.rbac import applied_together
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


def collision(declared: dict[Key, list[Location]], key: Key, location: Location) -> tuple[bool, ParseError | None]:
    """Remember where `key` is declared: (whether it was declared before, the problem to report when this copy
    is applied together with one declared before: the first such copy is named)."""
    copies = declared.setdefault(key, [])
    if location in copies:
        return bool(copies[: copies.index(location)]), None
    earlier = next((c for c in copies if applied_together(c.path, location.path)), None)
    copies.append(location)
    if earlier is None:
        return len(copies) > 1, None
    _, kind, namespace, name = key
    shown = f"{namespace}/{name}" if namespace else name
    reason = (
        f"{kind} {shown} is also declared at {earlier.path}:{earlier.start_line}; kubectl apply keeps whichever "
        "copy is applied last"
    )
    return True, ParseError(location.path, location.start_line, reason, "duplicate-object")


def with_file(address: str, location: Location) -> str:
    """The address of a second copy: the object's address and the file it is written in."""
    return f"{address}@{location.path}"
