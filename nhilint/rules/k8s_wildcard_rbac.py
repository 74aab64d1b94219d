"""RBAC rules should name their verbs, resources and API groups: no `*`.

A `*` in `verbs`, `resources` or `apiGroups` grants every verb, resource or group there is, and every one
the cluster gains later (a new CRD, a new subresource): `verbs: ["*"]` on `deployments` includes `delete`,
`apiGroups: ["*"]` reaches every operator's custom resources. Reported once per rule and ServiceAccount
that holds it (through any binding), or once per rule of a Role or ClusterRole that no binding of the scan
names, one severity lower ("not attached to any identity in the scan"). `*` verbs on `*` resources is an
admin grant (NHI-PRIV-004) and is not repeated here; what a wildcard makes dangerous (reading Secrets,
creating Pods...) is NHI-K8S-004's. People and groups (`User`, `Group` subjects) are not machine
identities and are not reported.

Anti-pattern::

    kind: Role
    rules:
      - apiGroups: ["apps"]
        resources: ["deployments"]
        verbs: ["*"]

Best practice::

    kind: Role
    rules:
      - apiGroups: ["apps"]
        resources: ["deployments"]
        verbs: ["get", "list", "watch", "patch"]
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.analyse.privilege import admin_role, k8s_wildcards, unattached_document
from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule
from nhilint.rules.holders import UNATTACHED, document_name, lowered


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    accounts = ctx.analysis.accounts_by_principal
    reported: set[tuple[str, str, int]] = set()
    lower = lowered(rule)
    for grant in sorted(ctx.inventory.grants, key=lambda g: (g.location, g.via)):
        if grant.platform != "kubernetes" or grant.permission_type != "k8s_rule" or admin_role(grant) is not None:
            continue
        account = accounts.get(grant.principal) if grant.principal else None
        document = None if grant.principal else unattached_document(ctx.inventory, grant)
        if account is not None and account.name:
            who, holder = f"ServiceAccount {account.namespace}/{account.name}", account.identity.id
        elif grant.principal and grant.principal.startswith("serviceaccount:"):
            who, holder = f"ServiceAccount {grant.principal.removeprefix('serviceaccount:')}", grant.principal
        elif document is not None:
            who, holder = f"{document_name(document)} ({UNATTACHED})", document.id
        else:
            continue
        for permission in grant.permissions:
            wildcards = k8s_wildcards(permission)
            key = (holder, grant.location.path, grant.location.start_line)
            if not wildcards or key in reported:
                continue
            reported.add(key)
            via, verb = (f" ({grant.via})", "is granted") if document is None else ("", "grants")
            yield rule.finding(
                f"{who} {verb} {' and '.join(wildcards)}: {permission}{via}; name what it needs",
                grant.location,
                account.identity if account else None,
                f"{grant.via}: {permission}",
                grant.block,
                severity=lower if document is not None else None,
            )


RULE = Rule(
    "NHI-K8S-008",
    "k8s-wildcard-rbac",
    Severity.MEDIUM,
    "NHI5",
    "RBAC rule grants wildcard verbs, resources or API groups",
    check,
)
