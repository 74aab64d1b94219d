"""Kubernetes RBAC rules in the model keep their API groups: the core group ("") is not every group ("*")."""

from __future__ import annotations

from pathlib import Path

from nhilint.model import K8sRule
from tests.helpers import scan_tree, triples

ROLES = """
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: {name}
      namespace: build
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: {name}
      namespace: build
    rules:
      - apiGroups: [{group}]
        resources: ["deployments"]
        verbs: ["create"]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: {name}
      namespace: build
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: Role
      name: {name}
    subjects:
      - kind: ServiceAccount
        name: {name}
        namespace: build
"""


def test_core_group_deployments_is_not_a_workload_but_every_group_is(tmp_path: Path) -> None:
    """`deployments` of the core group does not exist, so it creates nothing; of `*` it is apps/deployments.

    Both render as `create deployments`; before the rule was typed, the core-group rule was reported too.
    """
    report = scan_tree(
        tmp_path,
        {
            "core.yaml": ROLES.format(name="core-only", group='""'),
            "every.yaml": ROLES.format(name="every-group", group='"*"'),
        },
    )
    rules = {g.principal: g.permissions for g in report.inventory.grants}
    core, every = (
        rules["kubernetes:ServiceAccount/build/core-only"],
        rules["kubernetes:ServiceAccount/build/every-group"],
    )
    assert core == every == ("create deployments",)  # the text, as reports print it, is the same
    assert isinstance(core[0], K8sRule) and isinstance(every[0], K8sRule)
    assert (core[0].api_groups, every[0].api_groups) == (("",), ("*",))
    assert [(path, identity) for _, path, _, identity in triples(report, "NHI-K8S-004")] == [
        ("every.yaml", "kubernetes:ServiceAccount/build/every-group")
    ]
