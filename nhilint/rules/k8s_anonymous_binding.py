"""No RBAC grants to anonymous, unauthenticated or all authenticated users.

`system:anonymous` and `system:unauthenticated` are whoever reaches the API server without credentials;
`system:authenticated` is every user and every ServiceAccount token of every namespace (and on some
managed clusters, any account of the cloud provider). A RoleBinding or ClusterRoleBinding naming one of
them hands its role to all of those non-human and human identities at once, with nobody accountable.
Reported once per binding and subject, at the rule (or the built-in role reference) it grants; the
bootstrap discovery roles (`system:basic-user`, `system:discovery`, `system:public-info-viewer`), which
clusters grant these groups anyway, are not reported.

Anti-pattern::

    kind: ClusterRoleBinding
    roleRef: {kind: ClusterRole, name: view}
    subjects:
      - kind: Group
        name: system:authenticated

Best practice: bind the role to the ServiceAccounts or groups that need it.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Grant, Severity
from nhilint.rules.base import Context, Rule

EVERYONE = {
    "user:system:anonymous": "anyone who reaches the API server without credentials",
    "group:system:unauthenticated": "anyone who reaches the API server without credentials",
    "group:system:authenticated": "every authenticated user and ServiceAccount of the cluster",
}
BOOTSTRAP = frozenset(
    {"ClusterRole/system:basic-user", "ClusterRole/system:discovery", "ClusterRole/system:public-info-viewer"}
)


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    bindings: dict[tuple[str, str], list[Grant]] = {}
    for grant in ctx.inventory.grants:
        if grant.platform != "kubernetes" or grant.effect != "Allow" or grant.principal not in EVERYONE:
            continue
        if grant.permission_type == "role" and grant.permissions and set(grant.permissions) <= BOOTSTRAP:
            continue
        bindings.setdefault((grant.principal, grant.via), []).append(grant)
    for (principal, via), grants in bindings.items():
        what = "; ".join(dict.fromkeys(p for g in grants for p in g.permissions))
        what = what or "permissions nhilint could not evaluate"
        first = grants[0]
        yield rule.finding(
            f"{via} grants {what} to {principal.split(':', 1)[1]}: {EVERYONE[principal]}",
            first.location,
            None,
            f"{principal}: {what}",
            first.block,
        )


RULE = Rule(
    "NHI-K8S-005",
    "k8s-grant-to-everyone",
    Severity.HIGH,
    "NHI4",
    "RBAC grant to anonymous or all authenticated users",
    check,
)
