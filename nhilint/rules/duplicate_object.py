"""A Kubernetes identity or RBAC object written twice: the same kind, namespace and name in two places.

`kubectl apply` keeps whichever copy it applies last, so the ServiceAccount, Secret, Role or binding a
reviewer reads may not be the one the cluster runs. Typical causes: a file copied into a subdirectory and
edited there, or a chart's rendered output committed next to hand-written manifests. nhilint reads both copies
(a second ServiceAccount's id carries its file) and reports the second, naming where the first is, when the two
are applied together: in one directory (`kubectl apply -f k8s/`), or one below the other's directory
(`kubectl apply -R -f k8s/`). Copies in separate directories (`clusters/dev/` and `clusters/prod/`: the same
add-on in every cluster of a fleet) are separate deployments and are not reported. Workloads written twice are
not reported: both copies' ServiceAccounts are recorded as used.

Anti-pattern::

    # k8s/api.yaml and k8s/legacy/api.yaml both declare
    kind: ServiceAccount
    metadata: {name: api, namespace: payments}

Best practice: declare each object once; keep per-environment copies in their own directories (or distinct
namespaces), or generate them from one base with kustomize overlays.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule
from nhilint.rules.input_problem import problems


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    yield from problems(rule, ctx, "duplicate-object", "object declared twice in")


RULE = Rule(
    "NHI-PARSE-007",
    "duplicate-object",
    Severity.MEDIUM,
    "NHI6",
    "Kubernetes object declared twice (same kind, namespace and name)",
    check,
)
