"""Where an object's Pod spec is: the built-in workload kinds, and any other kind that embeds a Pod template.

Knative Services, Argo Rollouts, OpenKruise CloneSets and most operators' custom resources carry a Pod
template at `spec.template.spec` (or, for job-like kinds, `spec.jobTemplate.spec.template.spec`), and their
Pods run as its `serviceAccountName` like a Deployment's. Any kind outside the built-in groups whose object
has a Pod spec there (a mapping with a `containers` list) is read as a workload. The parser skims the body
of kinds from groups known to hold no Pod template (CRDs, monitoring rules, networking, policy…), so large
definitions are not built for nothing.

A custom resource may also name a ServiceAccount without a Pod template: an operator creates the Pods
(`Prometheus`, `Alertmanager`, Argo `Workflow`, Tekton `PipelineRun`… at `spec.serviceAccountName`), and they
run as it. `operator_account` reads that name for any kind outside the Kubernetes API groups, so the
ServiceAccount is used like a Deployment's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_TEMPLATE = ("spec", "template", "spec")
_JOB_TEMPLATE = ("spec", "jobTemplate", *_TEMPLATE)

# (API group, kind) -> keys down to the pod spec. `extensions` is the pre-1.16 group of the apps kinds.
BUILT_IN: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "Pod"): ("spec",),
    ("", "ReplicationController"): _TEMPLATE,
    **{
        (group, kind): _TEMPLATE
        for group in ("apps", "extensions")
        for kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
    },
    ("batch", "Job"): _TEMPLATE,
    ("batch", "CronJob"): _JOB_TEMPLATE,
}
# Groups (and the core group) whose kinds hold no Pod template besides the built-in ones above.
NO_TEMPLATE_GROUPS = frozenset(
    {
        "",
        "apps",
        "extensions",
        "batch",
        "rbac.authorization.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "admissionregistration.k8s.io",
        "networking.k8s.io",
        "policy",
        "storage.k8s.io",
        "scheduling.k8s.io",
        "coordination.k8s.io",
        "autoscaling",
        "certificates.k8s.io",
        "discovery.k8s.io",
        "node.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "monitoring.coreos.com",
        "cert-manager.io",
        "gateway.networking.k8s.io",
    }
)


# API groups served by Kubernetes itself (and every `*.k8s.io`): their kinds are not custom resources.
KUBERNETES_GROUPS = frozenset({"", "apps", "extensions", "batch", "policy", "autoscaling"})


def custom_resource(group: str) -> bool:
    """Whether kinds of this API group are custom resources (defined by a CRD, served for an operator)."""
    return group not in KUBERNETES_GROUPS and not group.endswith(".k8s.io")


def operator_account(group: str, body: Mapping[str, Any]) -> str | None:
    """The ServiceAccount a custom resource's operator runs its Pods as (`spec.serviceAccountName`)."""
    if not custom_resource(group):
        return None
    spec = body.get("spec")
    name = spec.get("serviceAccountName") if isinstance(spec, Mapping) else None
    return name.strip() if isinstance(name, str) and name.strip() else None


def may_embed_template(group: str) -> bool:
    """Whether objects of this API group may carry a Pod template beyond the built-in kinds."""
    return group not in NO_TEMPLATE_GROUPS


def pod_spec_path(group: str, kind: str, body: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The keys down to the object's Pod spec; None when it has none (or is not a workload)."""
    known = BUILT_IN.get((group, kind))
    if known is not None or not may_embed_template(group):
        return known
    for path in (_TEMPLATE, _JOB_TEMPLATE):
        node: Any = body
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, Mapping) and isinstance(node.get("containers"), list):
            return path
    return None
