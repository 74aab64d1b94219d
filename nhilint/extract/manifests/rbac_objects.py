"""Kubernetes RBAC objects in manifests: Roles and ClusterRoles (rules, aggregation), their bindings.

They become the records `nhilint.extract.rbac` shares with the Terraform provider's extractor, which turns
bindings into grants once every role and ServiceAccount of the scan is known.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from nhilint.extract.manifests.source import Source, items, strings, text
from nhilint.extract.rbac import Binding, Meta, Role, Rule, Subject
from nhilint.model import K8sRule, Unknown
from nhilint.parse.kubernetes import K8sObject
from nhilint.values import LDict


def read_role(
    obj: K8sObject, meta: LDict, source: Source, address: str, name: str | Unknown, namespace: str | None
) -> Role:
    rules: list[Rule] = []
    for item in items(obj.body.get("rules")):
        if not isinstance(item, LDict):
            rules.append(Rule(None, source.location, "a rule that is not a mapping"))
            continue
        permission = K8sRule(
            strings(item.get("verbs")),
            strings(item.get("apiGroups")),
            strings(item.get("resources")),
            strings(item.get("resourceNames")),
            strings(item.get("nonResourceURLs")),
        )
        rules.append(Rule(permission, source.at(item)))
    selectors: list[Any] = []
    aggregation = obj.body.get("aggregationRule")
    for selector in items(aggregation.get("clusterRoleSelectors")) if isinstance(aggregation, dict) else []:
        if not isinstance(selector, dict):
            continue
        if selector.get("matchExpressions"):
            selectors.append(Unknown("matchExpressions selectors are not evaluated"))
        else:
            selectors.append(selector.get("matchLabels") or {})
    meta_ = Meta(name, namespace, meta.get("labels"), meta.get("annotations"))
    return Role(address, obj.kind, meta_, tuple(rules), tuple(selectors), source.location)


def read_binding(obj: K8sObject, source: Source, address: str, namespace: str | None) -> Binding:
    role_ref = obj.body.get("roleRef")
    subjects: list[Subject | Unknown] = []
    for item in items(obj.body.get("subjects")):
        if isinstance(item, dict):
            subjects.append(Subject(text(item.get("kind")), text(item.get("name")), text(item.get("namespace"))))
        else:
            subjects.append(Unknown("a subject that is not a mapping"))
    if isinstance(role_ref, LDict):  # from the `roleRef:` key, where a flow or block mapping may start
        kind, name, at = text(role_ref.get("kind")), text(role_ref.get("name")), source.at(role_ref)
        at = replace(at, start_line=min(at.start_line, obj.body.line_of("roleRef"))) if source.exact else at
    else:
        kind, name, at = None, None, source.location
    role_name: str | Unknown = name if name else Unknown("the binding has no roleRef name")
    return Binding(
        address, obj.kind == "ClusterRoleBinding", namespace, kind, role_name, at, tuple(subjects), source.location
    )
