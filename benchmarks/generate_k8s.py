"""Generate a large, deterministic tree of Kubernetes manifests for benchmarking nhilint.

    python benchmarks/generate.py OUT_DIR --format kubernetes [--files 2000] [--seed 1]

Layout::

    OUT/clusters/<env>/<service>/namespace.yaml      Namespace, ResourceQuota, LimitRange
    OUT/clusters/<env>/<service>/rbac.yaml           ServiceAccounts (some with IRSA / GKE / Azure workload
                                                     identity annotations), Roles, RoleBindings, sometimes a
                                                     ClusterRole and ClusterRoleBinding
    OUT/clusters/<env>/<service>/<component>.yaml    Deployment or StatefulSet + Service (+ HPA, PDB, ConfigMap)
    OUT/clusters/<env>/<service>/cronjobs.yaml       CronJobs
    OUT/clusters/<env>/<service>/config.yaml         ConfigMaps (multi-line application config)
    OUT/clusters/<env>/<service>/secrets.yaml        Secrets: placeholders, SOPS-encrypted, a few literal values,
                                                     a few service-account-token Secrets
    OUT/clusters/<env>/<service>/ingress.yaml        Ingress, NetworkPolicy
    OUT/clusters/<env>/<service>/monitoring.yaml     ServiceMonitor, PrometheusRule (`{{ $labels.pod }}` strings)
    OUT/clusters/<env>/<service>/*.json              a few manifests as JSON (`kubectl get -o json` Lists)
    OUT/clusters/<env>/<service>/values.yaml         sometimes: YAML that is not a manifest
    OUT/clusters/<env>/_system/*.yaml                cluster add-ons: controllers in kube-system with IRSA
                                                     ServiceAccounts, ClusterRoles, DaemonSets

Every file is a multi-document YAML stream (or one JSON document). ServiceAccounts are a minority of the
objects; most are workloads, Services, ConfigMaps and Secrets. The add-ons of `_system/` are the same in every
cluster (same namespace and name), as in real fleets: each cluster directory's copy is its own identity (the
id of a second copy carries its file), and copies in separate directories are not reported as collisions.
No kustomization or Helm template is written (kustomize needs `kubectl`, Helm templates
are not YAML until rendered).
"""

from __future__ import annotations

import base64
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from generate import ACCOUNTS, DOMAINS, ENVS, REGIONS, TEAMS

COMPONENTS = ("api", "worker", "etl", "ingest", "web", "stream", "batch", "gateway", "sync", "export", "cron")
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
IDENTITY_KINDS = frozenset({"ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})
WORDS = (
    "reader",
    "writer",
    "sync",
    "export",
    "import",
    "reports",
    "events",
    "cache",
    "archive",
    "jobs",
    "backfill",
    "metrics",
    "audit",
    "uploads",
    "thumbs",
)
ADDONS = (  # (namespace, service account, IRSA role suffix or None, cluster role verbs on resources)
    (
        "kube-system",
        "external-dns",
        "external-dns",
        [("get,watch,list", "services,endpoints,pods"), ("get,watch,list", "extensions/ingresses")],
    ),
    ("kube-system", "cluster-autoscaler", "cluster-autoscaler", [("*", "nodes"), ("get,list,watch", "pods")]),
    ("kube-system", "aws-load-balancer-controller", "alb-controller", [("*", "services,endpoints,pods")]),
    ("kube-system", "ebs-csi-controller-sa", "ebs-csi", [("get,list,watch,create,delete", "persistentvolumes")]),
    ("cert-manager", "cert-manager", "cert-manager-route53", [("*", "secrets"), ("*", "certificates")]),
    ("monitoring", "prometheus", None, [("get,list,watch", "nodes,services,endpoints,pods")]),
    ("logging", "fluent-bit", "fluent-bit-logs", [("get,list,watch", "pods,namespaces")]),
    ("argocd", "argocd-application-controller", None, [("*", "*")]),
)

_BASE_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class ManifestDumper(_BASE_DUMPER):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: Any, text: str) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


ManifestDumper.add_representer(str, _represent_str)


def dump_all(documents: list[dict[str, Any]], header: str) -> str:
    body = yaml.dump_all(
        documents,
        Dumper=ManifestDumper,
        sort_keys=False,
        width=10_000,
        explicit_start=True,
        default_flow_style=False,
        allow_unicode=True,
    )
    return header + body


@dataclass
class Stats:
    files: int = 0
    yaml: int = 0
    json: int = 0
    other_files: int = 0
    objects: int = 0
    identity: int = 0
    bytes: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)


@dataclass
class App:
    rng: random.Random
    env: str
    service: str
    team: str
    region: str
    account: str
    accounts: list[str] = field(default_factory=list)  # ServiceAccounts written in this namespace

    @property
    def namespace(self) -> str:
        return self.service if self.env == "prod" else f"{self.service}-{self.env}"

    def labels(self, component: str | None = None) -> dict[str, str]:
        labels = {
            "app.kubernetes.io/name": self.service,
            "app.kubernetes.io/part-of": self.service.split("-")[0],
            "app.kubernetes.io/managed-by": "argocd",
            "env": self.env,
        }
        if component:
            labels["app.kubernetes.io/component"] = component
        return labels

    def meta(self, name: str, component: str | None = None, **extra: Any) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": name, "namespace": self.namespace, "labels": self.labels(component)}
        meta.update(extra)
        return meta

    def lifecycle(self) -> dict[str, str]:
        rng = self.rng
        found: dict[str, str] = {}
        if rng.random() < 0.55:
            found[rng.choice(("owner", "nhilint.io/owner"))] = rng.choice((self.team, self.team, "unknown"))
        if rng.random() < 0.3:
            expires = f"20{rng.randint(25, 28)}-{rng.randint(1, 12):02d}-28"
            found[rng.choice(("nhilint.io/expires", "expires"))] = expires
        if rng.random() < 0.2:
            found["nhilint.io/retire-on"] = rng.choice(("service-decommission", f"jira:PLAT-{rng.randint(100, 9999)}"))
        return found


# --- objects -----------------------------------------------------------------------------------------


def service_account(app: App, name: str) -> dict[str, Any]:
    rng = app.rng
    annotations: dict[str, str] = {}
    kind = rng.random()
    if kind < 0.4:
        annotations["eks.amazonaws.com/role-arn"] = f"arn:aws:iam::{app.account}:role/{app.env}-{app.service}-{name}"
        if rng.random() < 0.3:
            annotations["eks.amazonaws.com/sts-regional-endpoints"] = "true"
    elif kind < 0.5:
        annotations["iam.gke.io/gcp-service-account"] = f"{name[:20]}@example-{app.env}.iam.gserviceaccount.com"
    elif kind < 0.55:
        annotations["azure.workload.identity/client-id"] = f"00000000-0000-0000-0000-{rng.randint(0, 10**9):012d}"
    labels = app.labels()
    for key, value in app.lifecycle().items():
        (annotations if "/" in key or rng.random() < 0.5 else labels)[key] = value
    if rng.random() < 0.03:
        annotations["nhilint.io/ignore"] = "NHI-K8S-001 -- legacy controller, tracked in PLAT-1234 until 2027-01-01"
    meta: dict[str, Any] = {"name": name, "namespace": app.namespace, "labels": labels}
    if annotations:
        meta["annotations"] = annotations
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}
    if rng.random() < 0.35:
        body["automountServiceAccountToken"] = False
    if rng.random() < 0.2:
        body["imagePullSecrets"] = [{"name": "registry-credentials"}]
    app.accounts.append(name)
    return body


def rbac(app: App) -> list[dict[str, Any]]:
    rng = app.rng
    docs = []
    names = [app.service] + [f"{app.service}-{rng.choice(WORDS)}" for _ in range(rng.choice((0, 0, 1, 1, 2)))]
    for name in dict.fromkeys(names):
        docs.append(service_account(app, name))
    rules = [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}]
    if rng.random() < 0.5:
        rules.append(
            {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": [f"{app.service}-config"]}
        )
    if rng.random() < 0.15:
        rules.append({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]})
    if rng.random() < 0.1:
        rules.append({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]})
    if rng.random() < 0.2:
        rules.append({"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]})
    if rng.random() < 0.3:
        rules.append({"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["create", "delete", "get", "list"]})
    docs.append(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": app.meta(f"{app.service}-app"),
            "rules": rules,
        }
    )
    docs.append(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": app.meta(f"{app.service}-app"),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": f"{app.service}-app"},
            "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": app.namespace} for name in app.accounts],
        }
    )
    if rng.random() < 0.25:
        docs.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": app.meta(f"{app.service}-view"),
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "ClusterRole",
                    "name": rng.choice(("view", "edit", "admin")),
                },
                "subjects": [
                    {"kind": "Group", "name": f"{app.team}-developers", "apiGroup": "rbac.authorization.k8s.io"}
                ],
            }
        )
    if rng.random() < 0.15:
        cluster_name = f"{app.namespace}-{rng.choice(('node-reader', 'crd-reader', 'namespace-admin'))}"
        docs.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": {"name": cluster_name, "labels": app.labels()},
                "rules": [{"apiGroups": [""], "resources": ["nodes", "namespaces"], "verbs": ["get", "list"]}],
            }
        )
        role_name = cluster_name if rng.random() < 0.85 else "cluster-admin"
        docs.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding",
                "metadata": {"name": cluster_name, "labels": app.labels()},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role_name},
                "subjects": [{"kind": "ServiceAccount", "name": app.accounts[0], "namespace": app.namespace}],
            }
        )
    return docs


def container(app: App, name: str, port: int | None) -> dict[str, Any]:
    rng = app.rng
    body: dict[str, Any] = {
        "name": name,
        "image": f"{app.account}.dkr.ecr.{app.region}.amazonaws.com/{app.service}:{rng.randint(1, 400)}.0.0",
        "imagePullPolicy": "IfNotPresent",
        "env": [
            {"name": "ENV", "value": app.env},
            {"name": "SERVICE", "value": app.service},
            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": f"{app.service}-db", "key": "password"}}},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        ],
        "envFrom": [{"configMapRef": {"name": f"{app.service}-config"}}],
        "resources": {
            "requests": {"cpu": f"{rng.choice((100, 250, 500))}m", "memory": f"{rng.choice((128, 256, 512))}Mi"},
            "limits": {"memory": f"{rng.choice((512, 1024))}Mi"},
        },
        "securityContext": {
            "runAsNonRoot": True,
            "readOnlyRootFilesystem": rng.random() < 0.7,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    for n in range(rng.randint(2, 14)):  # application settings, as most Deployments carry them
        key = f"{rng.choice(WORDS).upper()}_{rng.choice(('URL', 'TIMEOUT', 'ENABLED', 'BATCH_SIZE', 'HOST'))}_{n}"
        body["env"].append({"name": key, "value": str(rng.choice((True, 30, 500, f"http://{app.service}.internal")))})
    if port is not None:
        body["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        body["readinessProbe"] = {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 10}
        body["livenessProbe"] = {"httpGet": {"path": "/health", "port": "http"}, "initialDelaySeconds": 15}
    if rng.random() < 0.3:
        body["volumeMounts"] = [{"name": "config", "mountPath": "/etc/app", "readOnly": True}]
    return body


def pod_spec(app: App, component: str, port: int | None) -> dict[str, Any]:
    rng = app.rng
    spec: dict[str, Any] = {}
    if app.accounts and rng.random() < 0.75:
        spec["serviceAccountName"] = rng.choice(app.accounts)
    elif rng.random() < 0.1:
        spec["serviceAccountName"] = "default"
    if rng.random() < 0.2:
        spec["automountServiceAccountToken"] = rng.random() < 0.5
    spec["securityContext"] = {"runAsUser": 10001, "fsGroup": 10001}
    spec["containers"] = [container(app, component, port)]
    if rng.random() < 0.2:
        spec["containers"].append(
            {
                "name": "envoy",
                "image": "envoyproxy/envoy:v1.30.1",
                "args": ["-c", "/etc/envoy/envoy.yaml"],
                "ports": [{"containerPort": 9901}],
            }
        )
    volumes: list[dict[str, Any]] = [{"name": "config", "configMap": {"name": f"{app.service}-config"}}]
    if rng.random() < 0.1:
        volumes.append(
            {
                "name": "vault-token",
                "projected": {
                    "sources": [
                        {
                            "serviceAccountToken": {
                                "audience": "vault",
                                "expirationSeconds": rng.choice((600, 3600, 86400)),
                                "path": "token",
                            }
                        }
                    ]
                },
            }
        )
    spec["volumes"] = volumes
    if rng.random() < 0.4:
        spec["affinity"] = {
            "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 100,
                        "podAffinityTerm": {
                            "topologyKey": "kubernetes.io/hostname",
                            "labelSelector": {"matchLabels": {"app.kubernetes.io/name": app.service}},
                        },
                    }
                ]
            }
        }
    if rng.random() < 0.3:
        spec["tolerations"] = [{"key": "workload", "operator": "Equal", "value": "batch", "effect": "NoSchedule"}]
    return spec


def workload(app: App, component: str) -> list[dict[str, Any]]:
    rng = app.rng
    name = f"{app.service}-{component}" if component != "main" else app.service
    stateful = rng.random() < 0.15
    selector = {"matchLabels": {"app.kubernetes.io/name": app.service, "app.kubernetes.io/component": component}}
    template = {
        "metadata": {
            "labels": app.labels(component),
            "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "8080"},
        },
        "spec": pod_spec(app, component, 8080),
    }
    spec: dict[str, Any] = {"replicas": 3 if app.env == "prod" else 1, "selector": selector, "template": template}
    docs: list[dict[str, Any]] = []
    if stateful:
        spec["serviceName"] = name
        spec["volumeClaimTemplates"] = [
            {
                "metadata": {"name": "data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": "gp3",
                    "resources": {"requests": {"storage": f"{rng.choice((10, 50, 100))}Gi"}},
                },
            }
        ]
        docs.append(
            {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": app.meta(name, component), "spec": spec}
        )
    else:
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}
        docs.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": app.meta(name, component, annotations={"argocd.argoproj.io/sync-wave": "1"}),
                "spec": spec,
            }
        )
    service_spec: dict[str, Any] = {
        "selector": selector["matchLabels"],
        "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
    }
    if stateful:
        service_spec["clusterIP"] = "None"
    docs.append({"apiVersion": "v1", "kind": "Service", "metadata": app.meta(name, component), "spec": service_spec})
    if not stateful and rng.random() < 0.5:
        docs.append(
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": app.meta(name, component),
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                    "minReplicas": 2,
                    "maxReplicas": rng.choice((5, 10, 20)),
                    "metrics": [
                        {
                            "type": "Resource",
                            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
                        }
                    ],
                },
            }
        )
    if rng.random() < 0.4:
        docs.append(
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": app.meta(name, component),
                "spec": {"minAvailable": 1, "selector": selector},
            }
        )
    return docs


def cronjobs(app: App) -> list[dict[str, Any]]:
    rng = app.rng
    docs = []
    for _ in range(rng.randint(1, 3)):
        name = f"{app.service}-{rng.choice(WORDS)}-{rng.randint(1, 99)}"
        docs.append(
            {
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "metadata": app.meta(name, "cron"),
                "spec": {
                    "schedule": rng.choice(("*/15 * * * *", "0 * * * *", "30 2 * * *", "0 6 * * 1")),
                    "concurrencyPolicy": "Forbid",
                    "successfulJobsHistoryLimit": 3,
                    "failedJobsHistoryLimit": 1,
                    "jobTemplate": {
                        "spec": {
                            "backoffLimit": 2,
                            "template": {
                                "metadata": {"labels": app.labels("cron")},
                                "spec": {**pod_spec(app, "cron", None), "restartPolicy": "OnFailure"},
                            },
                        }
                    },
                },
            }
        )
    return docs


def config_maps(app: App) -> list[dict[str, Any]]:
    rng = app.rng
    settings = "\n".join(
        f"{key}: {value}"
        for key, value in (
            ("log_level", rng.choice(("info", "debug", "warn"))),
            ("http_port", 8080),
            ("database_host", f"{app.service}.{app.env}.db.internal"),
            ("cache_ttl_seconds", rng.choice((30, 300))),
            ("feature_flags", "[" + ", ".join(rng.sample(WORDS, 3)) + "]"),
        )
    )
    docs = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": app.meta(f"{app.service}-config"),
            "data": {
                "ENV": app.env,
                "REGION": app.region,
                "app.yaml": settings + "\n",
                "logging.json": json.dumps({"level": "INFO", "handlers": ["stdout"]}, indent=2) + "\n",
            },
        }
    ]
    for _ in range(rng.randint(0, 2)):
        word = rng.choice(WORDS)
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": app.meta(f"{app.service}-{word}"),
                "data": {
                    f"{word}.properties": "\n".join(
                        f"{word}.setting{n}={rng.randint(0, 999)}" for n in range(rng.randint(5, 30))
                    )
                    + "\n"
                },
            }
        )
    return docs


def secrets(app: App) -> list[dict[str, Any]]:
    rng = app.rng
    docs = []
    kind = rng.random()
    if kind < 0.45:  # placeholders filled at deploy
        data: dict[str, Any] = {"username": "app", "password": "${DB_PASSWORD}"}
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": app.meta(f"{app.service}-db"),
                "type": "Opaque",
                "stringData": data,
            }
        )
    elif kind < 0.8:  # SOPS-encrypted
        encrypted = f"ENC[AES256_GCM,data:{base64.b64encode(rng.randbytes(24)).decode()},type:str]"
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": app.meta(f"{app.service}-db"),
                "type": "Opaque",
                "data": {"password": encrypted},
                "sops": {
                    "kms": [{"arn": f"arn:aws:kms:{app.region}:{app.account}:alias/sops"}],
                    "lastmodified": "2026-01-01T00:00:00Z",
                    "version": "3.8.1",
                },
            }
        )
    elif kind < 0.92:  # external-secrets
        docs.append(
            {
                "apiVersion": "external-secrets.io/v1beta1",
                "kind": "ExternalSecret",
                "metadata": app.meta(f"{app.service}-db"),
                "spec": {
                    "refreshInterval": "1h",
                    "secretStoreRef": {"name": "aws-secrets", "kind": "ClusterSecretStore"},
                    "target": {"name": f"{app.service}-db"},
                    "data": [{"secretKey": "password", "remoteRef": {"key": f"{app.env}/{app.service}/db"}}],
                },
            }
        )
    else:  # a literal value: nhilint reports where it is
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": app.meta(f"{app.service}-db"),
                "type": "Opaque",
                "data": {
                    "username": base64.b64encode(b"app").decode(),
                    "password": base64.b64encode(rng.randbytes(12)).decode(),
                },
            }
        )
    if app.accounts and rng.random() < 0.1:
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "kubernetes.io/service-account-token",
                "metadata": app.meta(
                    f"{app.accounts[0]}-token", annotations={"kubernetes.io/service-account.name": app.accounts[0]}
                ),
            }
        )
    if rng.random() < 0.2:
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "kubernetes.io/tls",
                "metadata": app.meta(f"{app.service}-tls"),
                "data": {"tls.crt": "${TLS_CERT}", "tls.key": "${TLS_KEY}"},
            }
        )
    return docs


def ingress(app: App) -> list[dict[str, Any]]:
    rng = app.rng
    host = f"{app.service}.{app.env}.example.com"
    return [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": app.meta(
                app.service,
                annotations={
                    "kubernetes.io/ingress.class": "alb",
                    "alb.ingress.kubernetes.io/scheme": rng.choice(("internal", "internet-facing")),
                    "cert-manager.io/cluster-issuer": "letsencrypt",
                },
            ),
            "spec": {
                "tls": [{"hosts": [host], "secretName": f"{app.service}-tls"}],
                "rules": [
                    {
                        "host": host,
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": app.service, "port": {"name": "http"}}},
                                }
                            ]
                        },
                    }
                ],
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": app.meta(f"{app.service}-ingress"),
            "spec": {
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": app.service}},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [
                            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
                        ],
                        "ports": [{"port": 8080}],
                    }
                ],
            },
        },
    ]


def monitoring(app: App) -> list[dict[str, Any]]:
    rng = app.rng
    alerts = (
        ("HighErrorRate", f'rate(http_requests_total{{service="{app.service}",code=~"5.."}}[5m]) > 1'),
        ("PodRestarts", f'increase(kube_pod_container_status_restarts_total{{namespace="{app.namespace}"}}[1h]) > 3'),
        ("HighLatency", "histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[5m])) > 2"),
    )
    # Go-template text inside strings (Alertmanager renders it): data, not a Helm template.
    rules = [
        {
            "alert": f"{app.service.title().replace('-', '')}{name}",
            "expr": expr,
            "for": "5m",
            "labels": {"severity": rng.choice(("warning", "critical")), "team": app.team},
            "annotations": {
                "summary": f"{name} on {{{{ $labels.pod }}}}",
                "description": "{{ $labels.namespace }}/{{ $labels.pod }}: {{ $value }}",
            },
        }
        for name, expr in alerts
    ]
    return [
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "ServiceMonitor",
            "metadata": app.meta(app.service),
            "spec": {
                "selector": {"matchLabels": {"app.kubernetes.io/name": app.service}},
                "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s"}],
            },
        },
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": app.meta(app.service),
            "spec": {"groups": [{"name": app.service, "rules": rules}]},
        },
    ]


def namespace(app: App) -> list[dict[str, Any]]:
    rng = app.rng
    docs: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": app.namespace,
                "labels": {**app.labels(), "team": app.team, "pod-security.kubernetes.io/enforce": "restricted"},
            },
        }
    ]
    if rng.random() < 0.6:
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "ResourceQuota",
                "metadata": app.meta("quota"),
                "spec": {"hard": {"requests.cpu": "8", "requests.memory": "16Gi", "pods": "50"}},
            }
        )
    if rng.random() < 0.4:
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "LimitRange",
                "metadata": app.meta("limits"),
                "spec": {
                    "limits": [
                        {
                            "type": "Container",
                            "default": {"memory": "512Mi"},
                            "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                        }
                    ]
                },
            }
        )
    return docs


def addons(env: str, rng: random.Random, account: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """One file per add-on of a cluster: the same namespaces and names in every cluster."""
    files = []
    for namespace_, name, irsa, rules in ADDONS:
        meta = {"name": name, "namespace": namespace_, "labels": {"app.kubernetes.io/name": name}}
        annotations = {"eks.amazonaws.com/role-arn": f"arn:aws:iam::{account}:role/{env}-{irsa}"} if irsa else {}
        if rng.random() < 0.5:
            annotations["owner"] = "team-platform"
        account_doc: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {**meta, "annotations": annotations} if annotations else meta,
        }
        cluster_role = {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": name},
            "rules": [
                {
                    "apiGroups": ["*" if resources == "*" else resources.split("/")[0] if "/" in resources else ""],
                    "resources": [r.split("/")[-1] for r in resources.split(",")],
                    "verbs": verbs.split(","),
                }
                for verbs, resources in rules
            ],
        }
        binding = {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace_}],
        }
        kind = "DaemonSet" if name in ("fluent-bit", "prometheus") else "Deployment"
        pod = {
            "serviceAccountName": name,
            "containers": [
                {
                    "name": name,
                    "image": f"registry.k8s.io/{name}:v1.{rng.randint(0, 30)}.0",
                    "args": [f"--cluster-name={env}", "--v=2"],
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                }
            ],
        }
        workload_doc: dict[str, Any] = {
            "apiVersion": "apps/v1",
            "kind": kind,
            "metadata": meta,
            "spec": {
                "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                "template": {"metadata": {"labels": {"app.kubernetes.io/name": name}}, "spec": pod},
            },
        }
        if kind == "Deployment":
            workload_doc["spec"]["replicas"] = 2
        files.append((f"_system/{name}.yaml", [account_doc, cluster_role, binding, workload_doc]))
    return files


# --- the tree ----------------------------------------------------------------------------------------


def app_files(app: App) -> list[tuple[str, list[dict[str, Any]] | str]]:
    """(file name, documents or raw text) of one service's manifests."""
    rng = app.rng
    files: list[tuple[str, list[dict[str, Any]] | str]] = [("namespace.yaml", namespace(app))]
    if rng.random() < 0.9:
        files.append(("rbac.yaml", rbac(app)))
    components = ["main", *rng.sample(("worker", "consumer", "admin", "scheduler"), rng.choice((0, 0, 1, 2)))]
    for component in components:
        files.append((f"{component if component != 'main' else 'deployment'}.yaml", workload(app, component)))
    if rng.random() < 0.4:
        files.append(("cronjobs.yaml", cronjobs(app)))
    files.append(("config.yaml", config_maps(app)))
    if rng.random() < 0.8:
        files.append(("secrets.yaml", secrets(app)))
    if rng.random() < 0.6:
        files.append(("ingress.yaml", ingress(app)))
    if rng.random() < 0.4:
        files.append(("monitoring.yaml", monitoring(app)))
    if rng.random() < 0.1:
        files.append(
            (
                "values.yaml",
                yaml.safe_dump({"replicaCount": 2, "image": {"tag": "latest"}, "env": app.env}, sort_keys=False),
            )
        )
    return files


def generate(out: Path, files: int, seed: int) -> Stats:
    rng = random.Random(seed)
    stats = Stats()
    services = [f"{d}-{c}" for d in DOMAINS for c in COMPONENTS]
    per_env = {env: rng.sample(services, len(services)) for env in ENVS}

    def write(rel: str, content: list[dict[str, Any]] | str, header: str) -> None:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            text = content
            stats.other_files += 1
        else:
            if rng.random() < 0.05:  # as `kubectl get -o json` writes it
                path = path.with_suffix(".json")
                text = json.dumps({"apiVersion": "v1", "kind": "List", "items": content}, indent=4) + "\n"
                stats.json += 1
            else:
                text = dump_all(content, header)
                stats.yaml += 1
            stats.files += 1
            stats.objects += len(content)
            for doc in content:
                stats.by_kind[doc["kind"]] += 1
                stats.identity += doc["kind"] in IDENTITY_KINDS
        path.write_text(text, encoding="utf-8")
        stats.bytes += len(text.encode("utf-8"))

    for env in ENVS:
        for rel, documents in addons(env, rng, rng.choice(ACCOUNTS)):
            write(f"clusters/{env}/{rel}", documents, f"# {env} cluster add-on, managed by team-platform\n")
    env_index = 0
    while stats.files < files:
        env = ENVS[env_index % len(ENVS)]
        env_index += 1
        if not per_env[env]:
            if not any(per_env.values()):
                break
            continue
        service = per_env[env].pop()
        app = App(rng, env, service, rng.choice(TEAMS), rng.choice(REGIONS), rng.choice(ACCOUNTS))
        for name, content in app_files(app):
            write(f"clusters/{env}/{service}/{name}", content, f"# {service} ({env}) - owned by {app.team}\n")
    return stats


# --- what the tree declares, read back from the files -----------------------------------------------


@dataclass
class TreeSummary:
    """What a tree holds, read back from its files (for run.py: what the scan should see)."""

    files: int = 0  # manifest files: at least one document with apiVersion and kind
    yaml: int = 0
    json: int = 0
    other_files: int = 0  # YAML / JSON that is not a manifest (values files)
    objects: int = 0
    service_accounts: int = 0  # distinct namespace/name
    service_account_objects: int = 0
    bytes: int = 0


def tree_summary(tree: Path) -> TreeSummary:
    """Manifest files, objects and ServiceAccounts.

    nhilint (like the API server) knows a ServiceAccount by namespace and name, so the same one written in
    two clusters' directories is one identity; an object without namespace is in `default`.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    summary = TreeSummary()
    seen: set[tuple[str, str]] = set()
    for path in sorted(tree.rglob("*")):
        if not path.is_file() or not path.name.endswith(MANIFEST_SUFFIXES):
            continue
        summary.bytes += path.stat().st_size
        stack = [d for d in yaml.load_all(path.read_text(encoding="utf-8"), Loader=loader) if isinstance(d, dict)]
        objects = 0
        while stack:
            doc = stack.pop()
            if not doc.get("apiVersion") or not doc.get("kind"):
                continue
            if doc["kind"].endswith("List") and isinstance(doc.get("items"), list):
                stack.extend(d for d in doc["items"] if isinstance(d, dict))
                continue
            objects += 1
            if doc["apiVersion"] == "v1" and doc["kind"] == "ServiceAccount":
                meta = doc.get("metadata") or {}
                summary.service_account_objects += 1
                seen.add((meta.get("namespace") or "default", str(meta.get("name"))))
        if not objects:
            summary.other_files += 1
            continue
        summary.files += 1
        summary.objects += objects
        if path.suffix == ".json":
            summary.json += 1
        else:
            summary.yaml += 1
    summary.service_accounts = len(seen)
    return summary


def declared_service_accounts(tree: Path) -> tuple[int, int]:
    """(distinct ServiceAccounts by namespace and name, ServiceAccount objects written)."""
    summary = tree_summary(tree)
    return summary.service_accounts, summary.service_account_objects
