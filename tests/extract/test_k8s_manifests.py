"""Kubernetes manifests: the same model as the Terraform provider, with file lines, and cross-format links."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from nhilint.cli import main
from nhilint.model import Fact, Location, Unknown
from nhilint.model_inputs import Annotation, ParseError, Unresolved
from nhilint.parse.kubernetes import TEMPLATE_REASON
from nhilint.report.json_report import render_scan
from nhilint.report.text import render
from tests.helpers import scan_tree, triples

PASSWORD = "s3cr3t-Horse-Battery"  # must never be printed
API = "kubernetes:ServiceAccount/payments/api"

APP = """
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: payments
  labels:
    team: payments
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/payments-api
    nhilint.io/retire-on: app:payments-api
    nhilint.io/ignore: "NHI-EXP-004 -- reviewed with the app; NHI-OWN-002 -- no pattern yet"
automountServiceAccountToken: false
imagePullSecrets:
  - name: registry
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: payments
spec:
  template:
    spec:
      serviceAccountName: api
      volumes:
        - name: vault-token
          projected:
            sources:
              - serviceAccountToken:
                  audience: vault
                  expirationSeconds: 600
      containers:
        - name: api
          image: payments/api:2.3
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: settle
  namespace: payments
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          automountServiceAccountToken: false
          containers:
            - name: settle
              image: payments/settle:2.3
"""

IAM = """
resource "aws_iam_role" "payments_api" {
  name = "payments-api"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EX" }
      Condition = {
        StringEquals = { "oidc.eks.eu-west-1.amazonaws.com/id/EX:sub" = "system:serviceaccount:payments:api" }
      }
    }]
  })
  tags = { owner = "team-payments" }
}
"""

SECRETS = f"""
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: payments
type: Opaque
stringData:
  username: payments
  password: {PASSWORD}
---
apiVersion: v1
kind: Secret
metadata:
  name: sealed
  namespace: payments
data:
  password: ENC[AES256_GCM,data:abc=,type:str]
sops:
  version: 3.8.1
---
apiVersion: v1
kind: Secret
metadata:
  name: api-token
  namespace: payments
  annotations:
    kubernetes.io/service-account.name: api
type: kubernetes.io/service-account-token
"""


def test_service_account_identity_namespace_and_lifecycle(tmp_path: Path) -> None:
    plain = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\n"
    report = scan_tree(tmp_path, {"k8s/app.yaml": APP, "k8s/builder.yaml": plain})
    api = report.inventory.identities[API]
    assert (api.kind, api.platform, api.address, api.name, api.location) == (
        "k8s_service_account",
        "kubernetes",
        "ServiceAccount/payments/api",
        "api",
        Location("k8s/app.yaml", 1, 14),
    )
    assert api.attributes == (
        ("automount_service_account_token", "false"),
        ("namespace", "payments"),
        ("image_pull_secrets", "registry"),
    )
    assert api.lifecycle.owner == Fact("payments", "label:team", Location("k8s/app.yaml", 7, 7))
    assert api.lifecycle.retire_on == Fact(
        "app:payments-api", "annotation:nhilint.io/retire-on", Location("k8s/app.yaml", 10, 10)
    )
    assert api.lifecycle.expires is None
    builder = report.inventory.identities["kubernetes:ServiceAccount/default/builder"]
    assert (builder.address, builder.location, builder.attributes) == (
        "ServiceAccount/default/builder",
        Location("k8s/builder.yaml", 1, 4),
        (("automount_service_account_token", "true"), ("namespace", "default")),
    )


def test_workloads_irsa_link_and_implicit_default(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"k8s/app.yaml": APP, "iam.tf": IAM})
    usages = [(u.identity, u.workload, u.kind, u.location, u.attributes) for u in report.inventory.usages]
    assert usages == [
        (
            API,
            "Deployment/payments/api",
            "Deployment",
            Location("k8s/app.yaml", 16, 34),
            (("projected_tokens", "audience=vault,expirationSeconds=600"),),
        ),
        (
            "kubernetes:ServiceAccount/payments/default",
            "CronJob/payments/settle",
            "CronJob",
            Location("k8s/app.yaml", 36, 50),
            (("automount_service_account_token", "false"),),
        ),
        (
            "aws:aws_iam_role.payments_api",
            "ServiceAccount/payments/api",
            "ServiceAccount (eks.amazonaws.com/role-arn)",
            Location("k8s/app.yaml", 1, 14),
            (),
        ),
    ]
    assert "kubernetes:ServiceAccount/payments/default" not in report.inventory.identities  # no invented identity
    assert triples(report, "NHI-K8S") == [
        ("NHI-K8S-002", "k8s/app.yaml", 36, "kubernetes:ServiceAccount/payments/default"),
    ]
    assert triples(report, "NHI-RET-001") == []  # the role is used (by the ServiceAccount), the account has retire-on


def test_irsa_trust_that_admits_another_account_is_reported(tmp_path: Path) -> None:
    renamed = IAM.replace("system:serviceaccount:payments:api", "system:serviceaccount:payments:api-v1")
    report = scan_tree(tmp_path, {"k8s/app.yaml": APP, "iam.tf": renamed})
    [finding] = [f for f in report.findings if f.rule_id == "NHI-K8S-006"]
    assert (finding.location, finding.identity) == (Location("k8s/app.yaml", 1, 14), API)
    assert "admits system:serviceaccount:payments:api-v1" in finding.message


def test_suppression_annotation_and_ignored_rules(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"k8s/app.yaml": APP, "iam.tf": IAM})
    notes = [a for a in report.inventory.annotations if a.location.path == "k8s/app.yaml"]
    block = Location("k8s/app.yaml", 1, 14)
    assert notes == [
        Annotation("ignore", "NHI-EXP-004 -- reviewed with the app", Location("k8s/app.yaml", 11, 11), block),
        Annotation("ignore", "NHI-OWN-002 -- no pattern yet", Location("k8s/app.yaml", 11, 11), block),
    ]
    assert [(s.finding.rule_id, s.finding.identity) for s in report.suppressed] == [("NHI-EXP-004", API)]


def test_literal_secret_value_is_never_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = scan_tree(tmp_path, {"k8s/app.yaml": APP, "k8s/secrets.yaml": SECRETS})
    secrets = [(s.address, s.attribute, s.location, s.block, s.platform) for s in report.inventory.literal_secrets]
    assert secrets == [
        (
            "Secret/payments/db",
            "stringData",
            Location("k8s/secrets.yaml", 9, 9),
            Location("k8s/secrets.yaml", 1, 9),
            "kubernetes",
        )
    ]
    [token] = report.inventory.credentials
    assert (token.id, token.kind, token.of, token.expires, token.secret_in_code, token.location) == (
        "kubernetes:Secret/payments/api-token",
        "sa_token_secret",
        API,
        None,
        None,
        Location("k8s/secrets.yaml", 21, 28),
    )
    assert token.lifecycle.retire_on == Fact("app:payments-api", f"parent:{API}", Location("k8s/app.yaml", 10, 10))
    assert triples(report, "NHI-CRED-002") == [("NHI-CRED-002", "k8s/secrets.yaml", 9, None)]  # the password line
    assert triples(report, "NHI-EXP-001") == [
        ("NHI-EXP-001", "k8s/secrets.yaml", 21, "kubernetes:Secret/payments/api-token")
    ]
    assert PASSWORD not in render(report) + render_scan(report)
    for output in ("text", "json", "sarif"):
        main(["scan", str(tmp_path), "--format", output, "--today", "2026-11-22"])
        assert PASSWORD not in capsys.readouterr().out


def test_list_kind_helm_template_and_broken_file(tmp_path: Path) -> None:
    listed = """
    apiVersion: v1
    kind: List
    items:
      - apiVersion: v1
        kind: ServiceAccount
        metadata: {name: a, namespace: ops}
      - apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: b
          namespace: ops
    """
    helm = """
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: {{ include "chart.fullname" . }}
      labels:
        {{- include "chart.labels" . | nindent 4 }}
    """
    broken = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: [oops\n  namespace: ops\n"
    values = "replicaCount: 2\nimage: {repository: x}\n"  # not a manifest: skipped silently
    as_json = (
        '{\n\t"apiVersion": "v1",\n\t"kind": "ServiceAccount",\n\t"metadata": {"name": "c", "namespace": "ops"}\n}\n'
    )
    report = scan_tree(
        tmp_path,
        {"list.yaml": listed, "chart/sa.yaml": helm, "broken.yaml": broken, "values.yaml": values, "sa.json": as_json},
    )
    ids = {
        i: (x.location.path, x.location.start_line, x.location.end_line) for i, x in report.inventory.identities.items()
    }
    assert ids == {
        "kubernetes:ServiceAccount/ops/a": ("list.yaml", 4, 6),
        "kubernetes:ServiceAccount/ops/b": ("list.yaml", 7, 11),
        "kubernetes:ServiceAccount/ops/c": ("sa.json", 1, 5),
    }
    assert report.inventory.errors == [
        ParseError("broken.yaml", 5, "invalid YAML: while parsing a flow sequence did not find expected ',' or ']'"),
        ParseError("chart/sa.yaml", 4, TEMPLATE_REASON),
    ]
    assert [f for f in triples(report) if f[0] == "NHI-PARSE-001"] == [
        ("NHI-PARSE-001", "broken.yaml", 5, None),
        ("NHI-PARSE-001", "chart/sa.yaml", 4, None),
    ]


def test_template_markers_inside_strings_are_data(tmp_path: Path) -> None:
    rule = """
    apiVersion: monitoring.coreos.com/v1
    kind: PrometheusRule
    metadata: {name: api, namespace: payments}
    spec:
      groups:
        - rules:
            - alert: ApiDown
              annotations:
                summary: "{{ $labels.instance }} is down"
                description: Instance {{ $labels.instance }} of {{ $labels.job }}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: alertmanager, namespace: payments}
    data:
      alertmanager.yml: |
        receivers:
          - name: slack
            slack_configs:
              - title: '{{ template "slack.title" . }}'
        templates: ['/etc/alertmanager/*.tmpl']
      slack.tmpl: |
        {{ define "slack.title" }}[{{ .Status }}] {{ .CommonLabels.alertname }}{{ end }}
    ---
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: alerts, namespace: payments}
    """
    report = scan_tree(tmp_path, {"rules.yaml": rule})
    assert report.inventory.errors == []
    assert list(report.inventory.identities) == ["kubernetes:ServiceAccount/payments/alerts"]


RBAC = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring
aggregationRule:
  clusterRoleSelectors:
    - matchLabels:
        rbac.example.com/aggregate-to-monitoring: "true"
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring-endpoints
  labels:
    rbac.example.com/aggregate-to-monitoring: "true"
rules:
  - apiGroups: ["", "discovery.k8s.io"]
    resources: ["endpoints", "endpointslices"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: prometheus
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}
subjects:
  - kind: ServiceAccount
    name: prometheus
    namespace: monitoring
  - kind: ServiceAccount
    name: deployer
    namespace: apps
---
apiVersion: iam.aws.crossplane.io/v1beta1
kind: Role
metadata:
  name: not-rbac
"""

TF_SA = """
resource "kubernetes_service_account_v1" "deployer" {
  metadata {
    name      = "deployer"
    namespace = "apps"
  }
}
"""


def test_rbac_aggregation_and_a_terraform_service_account_as_subject(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"rbac.yaml": RBAC, "sa.tf": TF_SA})
    grants = [
        (g.principal, g.permissions, g.scope, g.via, g.location.start_line, g.block.start_line)
        for g in report.inventory.grants
    ]
    permission = ("get,list,watch endpoints,endpointslices,discovery.k8s.io/endpoints,discovery.k8s.io/endpointslices",)
    via = "ClusterRoleBinding/prometheus of ClusterRole/monitoring (aggregated from ClusterRole/monitoring-endpoints)"
    assert grants == [
        ("serviceaccount:monitoring/prometheus", permission, ("cluster",), via, 18, 11),
        ("kubernetes:kubernetes_service_account_v1.deployer", permission, ("cluster",), via, 18, 11),
    ]
    assert all(i.startswith("kubernetes:kubernetes_") for i in report.inventory.identities)  # the CRD is no Role


KUSTOMIZE = {
    "base/kustomization.yaml": "resources:\n  - sa.yaml\n  - deployment.yaml\n",
    "base/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n",
    "base/deployment.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              serviceAccountName: web
              containers: [{name: web, image: shop/web:1}]
        """,
    "overlays/prod/kustomization.yaml": """
        namespace: shop-prod
        namePrefix: prod-
        resources:
          - ../../base
        secretGenerator:
          - name: api-key
            literals:
              - key=not-for-output
        """,
}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_overlay_is_rendered_and_points_at_the_source(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, KUSTOMIZE)
    ids = {i: x.location for i, x in report.inventory.identities.items()}
    assert ids == {
        "kubernetes:ServiceAccount/default/web": Location("base/sa.yaml", 1, 4),
        "kubernetes:ServiceAccount/shop-prod/prod-web": Location("base/sa.yaml", 1, 4),
    }
    usages = [(u.identity, u.workload, u.location) for u in report.inventory.usages]
    assert usages == [
        ("kubernetes:ServiceAccount/default/web", "Deployment/default/web", Location("base/deployment.yaml", 1, 9)),
        (
            "kubernetes:ServiceAccount/shop-prod/prod-web",
            "Deployment/shop-prod/prod-web",
            Location("base/deployment.yaml", 1, 9),
        ),
    ]
    [secret] = report.inventory.literal_secrets
    assert (secret.attribute, secret.location.path, secret.location.start_line) == (
        "data",
        "overlays/prod/kustomization.yaml",
        5,
    )
    assert secret.address.startswith("Secret/shop-prod/prod-api-key-")
    assert report.inventory.unresolved == []
    assert "not-for-output" not in render(report) + render_scan(report)


def test_kustomization_without_kubectl_is_noted_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", os.fspath(tmp_path / "no-bin"))
    report = scan_tree(tmp_path, KUSTOMIZE)
    assert report.inventory.unresolved == [  # the base is a plain list of files: nhilint applies it itself
        Unresolved(
            "kustomization overlays/prod/kustomization.yaml",
            "overlay not rendered: kubectl not found",
            Location("overlays/prod/kustomization.yaml", 1, 1),
        ),
    ]
    assert list(report.inventory.identities) == ["kubernetes:ServiceAccount/default/web"]  # bases still read


def test_remote_bases_are_not_fetched(tmp_path: Path) -> None:
    remote = {"kustomization.yaml": "resources:\n  - https://github.com/acme/base?ref=v1\n"}
    report = scan_tree(tmp_path, remote)
    [note] = report.inventory.unresolved
    assert note.reason == (
        "overlay not rendered: remote resource https://github.com/acme/base?ref=v1 is not fetched "
        "(kustomization.yaml, resources)"
    )


def test_generate_name_is_unknown_not_guessed(tmp_path: Path) -> None:
    job = """
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      generateName: runner-
      namespace: ci
    """
    report = scan_tree(tmp_path, {"sa.yaml": job})
    [identity] = report.inventory.identities.values()
    assert identity.name == Unknown("generateName: the name is chosen by the API server")
    assert identity.address == "ServiceAccount/ci/<generated>"


def test_terraform_service_accounts_are_linked_once(tmp_path: Path) -> None:
    accounts = """
    resource "kubernetes_service_account_v1" "api" {
      metadata {
        name      = "api"
        namespace = "payments"
        annotations = {
          "eks.amazonaws.com/role-arn" = "arn:aws:iam::111122223333:role/payments-api"
        }
      }
    }

    resource "kubernetes_service_account_v1" "etl" {
      metadata {
        name      = "etl"
        namespace = "data"
        annotations = {
          "iam.gke.io/gcp-service-account" = "etl-loader@acme-data.iam.gserviceaccount.com"
        }
      }
    }

    resource "google_service_account" "etl" {
      account_id = "etl-loader"
      project    = "acme-data"
    }
    """
    report = scan_tree(tmp_path, {"k8s.tf": accounts, "iam.tf": IAM})
    usages = [(u.identity, u.workload, u.kind) for u in report.inventory.usages]
    assert usages == [  # the first by the Terraform extractor, the second (a literal email) by the linker
        (
            "aws:aws_iam_role.payments_api",
            "kubernetes_service_account_v1.api",
            "kubernetes_service_account_v1 (eks.amazonaws.com/role-arn)",
        ),
        (
            "gcp:google_service_account.etl",
            "kubernetes_service_account_v1.etl",
            "kubernetes_service_account_v1 (iam.gke.io/gcp-service-account)",
        ),
    ]
    assert triples(report, "NHI-K8S-006") == []  # the role admits payments/api; no GKE binding is in the scan


# -- what `helm template` writes, and a kustomize overlay that patches its base ---------------------

# `helm template payments charts/payments -n payments`: one stream, a `# Source:` comment before each object,
# an empty document for a template that rendered nothing (hpa.yaml with autoscaling off), and a chart test Pod.
HELM_RENDERED = """
---
# Source: payments/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: payments-api
  namespace: payments
  labels:
    helm.sh/chart: payments-4.2.0
    app.kubernetes.io/name: payments
    app.kubernetes.io/instance: payments
    app.kubernetes.io/version: "4.2.0"
    app.kubernetes.io/managed-by: Helm
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/payments-api
---
# Source: payments/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: payments-db
  namespace: payments
  labels:
    app.kubernetes.io/managed-by: Helm
type: Opaque
stringData:
  DB_USER: payments
  DB_PASSWORD: "Tr0ub4dor-example"
---
# Source: payments/templates/hpa.yaml
---
# Source: payments/templates/rbac.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: payments-api
  namespace: payments
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "list", "watch"]
---
# Source: payments/templates/rbac.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: payments-api
  namespace: payments
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: payments-api
subjects:
  - kind: ServiceAccount
    name: payments-api
    namespace: payments
---
# Source: payments/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-api
  namespace: payments
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: payments
  template:
    metadata:
      labels:
        app.kubernetes.io/name: payments
    spec:
      serviceAccountName: payments-api
      containers:
        - name: api
          image: "registry.acme.example/payments/api:4.2.0"
          envFrom:
            - secretRef:
                name: payments-db
---
# Source: payments/templates/tests/test-connection.yaml
apiVersion: v1
kind: Pod
metadata:
  name: "payments-test-connection"
  namespace: payments
  annotations:
    "helm.sh/hook": test
spec:
  containers:
    - name: wget
      image: busybox
      command: ['wget']
      args: ['payments-api:80']
  restartPolicy: Never
"""

HELM_ROLE = """
resource "aws_iam_role" "payments_api" {
  name = "payments-api"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EX" }
      Condition = {
        StringEquals = { "oidc.eks.eu-west-1.amazonaws.com/id/EX:sub" = "system:serviceaccount:payments:payments-api" }
      }
    }]
  })
  tags = { owner = "team-payments", retire-on = "app:payments" }
}
"""


def test_helm_rendered_stream_is_read_object_by_object(tmp_path: Path) -> None:
    """Each object starts at its `apiVersion` (the `# Source:` comment is not part of it); the empty
    document is nothing; the chart's test Pod runs as the namespace default; the literal password is found;
    the IRSA annotation reaches the Terraform role that trusts it."""
    report = scan_tree(tmp_path, {"rendered/payments.yaml": HELM_RENDERED, "iam.tf": HELM_ROLE})
    inventory = report.inventory
    assert inventory.errors == [] and inventory.unresolved == []
    api = "kubernetes:ServiceAccount/payments/payments-api"
    assert [(i, x.location) for i, x in inventory.identities.items() if x.platform == "kubernetes"] == [
        (api, Location("rendered/payments.yaml", 3, 15))
    ]
    assert [(u.identity, u.workload, u.location.start_line) for u in inventory.usages] == [
        (api, "Deployment/payments/payments-api", 59),
        ("kubernetes:ServiceAccount/payments/default", "Pod/payments/payments-test-connection", 83),
        ("aws:aws_iam_role.payments_api", "ServiceAccount/payments/payments-api", 3),
    ]
    assert [(g.principal, g.permissions, g.location.start_line) for g in inventory.grants] == [
        (api, ("get,list,watch configmaps",), 39)
    ]
    assert [(s.address, s.location.start_line) for s in inventory.literal_secrets] == [
        ("Secret/payments/payments-db", 28)
    ]
    assert sorted(t for t in triples(report) if not t[0].startswith("NHI-EXP")) == [
        ("NHI-CRED-002", "rendered/payments.yaml", 28, None),
        ("NHI-K8S-001", "rendered/payments.yaml", 83, "kubernetes:ServiceAccount/payments/default"),
        ("NHI-K8S-002", "rendered/payments.yaml", 83, "kubernetes:ServiceAccount/payments/default"),
        ("NHI-OWN-001", "rendered/payments.yaml", 3, api),
    ]
    assert "Tr0ub4dor-example" not in render(report) + render_scan(report)


def test_helm_rendered_stream_after_the_values_are_fixed(tmp_path: Path) -> None:
    """The same chart rendered with an owner label, a ServiceAccount of its own (no token) for the test Pod,
    and the database password from an existing Secret (no Secret object rendered): nothing to report."""
    test_account = (
        "# Source: payments/templates/tests/serviceaccount.yaml\napiVersion: v1\nkind: ServiceAccount\n"
        "metadata:\n  name: payments-test\n  namespace: payments\n  labels:\n    owner: team-payments\n"
        "automountServiceAccountToken: false\n---\n"
    )
    fixed = (
        HELM_RENDERED.replace(
            "    app.kubernetes.io/managed-by: Helm\n  annotations:",
            "    app.kubernetes.io/managed-by: Helm\n    owner: team-payments\n  annotations:",
        )
        .replace(
            "spec:\n  containers:\n    - name: wget",
            "spec:\n  serviceAccountName: payments-test\n  containers:\n    - name: wget",
        )
        .replace(
            "# Source: payments/templates/tests/test-connection.yaml",
            test_account + "# Source: payments/templates/tests/test-connection.yaml",
        )
    )
    start = fixed.index("# Source: payments/templates/secret.yaml")
    fixed = fixed[:start] + fixed[fixed.index("# Source: payments/templates/hpa.yaml") :]
    report = scan_tree(tmp_path, {"rendered/payments.yaml": fixed, "iam.tf": HELM_ROLE})
    assert report.inventory.errors == []
    assert [(u.identity, u.workload) for u in report.inventory.usages] == [
        ("kubernetes:ServiceAccount/payments/payments-api", "Deployment/payments/payments-api"),
        ("kubernetes:ServiceAccount/payments/payments-test", "Pod/payments/payments-test-connection"),
        ("aws:aws_iam_role.payments_api", "ServiceAccount/payments/payments-api"),
    ]
    assert [t for t in triples(report) if not t[0].startswith("NHI-EXP")] == []


# The trust names the ServiceAccount as the base writes it, not as the overlay's namePrefix renders it.
SHOP_WEB_ROLE = """
resource "aws_iam_role" "shop_web_prod" {
  name = "shop-web-prod"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EX" }
      Condition = {
        StringEquals = { "oidc.eks.eu-west-1.amazonaws.com/id/EX:sub" = "system:serviceaccount:shop-prod:web" }
      }
    }]
  })
  tags = { owner = "team-shop" }
}
"""

KUSTOMIZE_PATCHED = {
    "base/kustomization.yaml": "resources:\n  - serviceaccount.yaml\n  - deployment.yaml\n",
    "base/serviceaccount.yaml": """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: web
          labels:
            owner: team-shop
        """,
    "base/deployment.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              serviceAccountName: web
              containers:
                - name: web
                  image: shop/web:1.8.0
        """,
    "overlays/prod/kustomization.yaml": """
        namespace: shop-prod
        namePrefix: prod-
        resources:
          - ../../base
        patches:
          - path: irsa.yaml
          - target:
              kind: Deployment
              name: web
            patch: |-
              - op: add
                path: /spec/template/spec/automountServiceAccountToken
                value: false
        """,
    "overlays/prod/irsa.yaml": """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: web
          annotations:
            eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/shop-web-prod
        automountServiceAccountToken: false
        """,
    "iam.tf": SHOP_WEB_ROLE,
}
PROD_WEB = "kubernetes:ServiceAccount/shop-prod/prod-web"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_patches_are_applied_before_the_checks(tmp_path: Path) -> None:
    """The strategic-merge patch adds the IRSA annotation and turns the token off; the JSON 6902 patch turns
    it off on the Deployment; namePrefix renames the account, so the role's trust (written for `web`) no
    longer admits it. The rendered account points back at the base file it came from."""
    report = scan_tree(tmp_path, KUSTOMIZE_PATCHED)
    inventory = report.inventory
    assert inventory.unresolved == [] and inventory.errors == []
    prod = inventory.identities[PROD_WEB]
    assert (prod.location, prod.tags, prod.attributes) == (
        Location("base/serviceaccount.yaml", 1, 6),
        (("eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/shop-web-prod"), ("owner", "team-shop")),
        (("automount_service_account_token", "false"), ("namespace", "shop-prod")),
    )
    base = inventory.identities["kubernetes:ServiceAccount/default/web"]
    assert (base.tags, base.attributes) == (
        (("owner", "team-shop"),),
        (("automount_service_account_token", "true"), ("namespace", "default")),
    )
    assert [(u.identity, u.workload, u.kind, u.attributes) for u in inventory.usages] == [
        ("kubernetes:ServiceAccount/default/web", "Deployment/default/web", "Deployment", ()),
        (PROD_WEB, "Deployment/shop-prod/prod-web", "Deployment", (("automount_service_account_token", "false"),)),
        (
            "aws:aws_iam_role.shop_web_prod",
            "ServiceAccount/shop-prod/prod-web",
            "ServiceAccount (eks.amazonaws.com/role-arn)",
            (),
        ),
    ]
    assert sorted(t for t in triples(report, "NHI-K8S")) == [
        ("NHI-K8S-001", "base/serviceaccount.yaml", 1, "kubernetes:ServiceAccount/default/web"),  # the base alone
        ("NHI-K8S-006", "base/serviceaccount.yaml", 1, PROD_WEB),
    ]
    [mismatch] = [f for f in report.findings if f.rule_id == "NHI-K8S-006"]
    assert (
        "does not admit system:serviceaccount:shop-prod:prod-web (it admits system:serviceaccount:shop-prod:web)"
        in mismatch.message
    )


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_overlay_whose_trust_names_the_rendered_account(tmp_path: Path) -> None:
    files = dict(KUSTOMIZE_PATCHED)
    files["iam.tf"] = files["iam.tf"].replace(
        "system:serviceaccount:shop-prod:web", "system:serviceaccount:shop-prod:prod-web"
    )
    report = scan_tree(tmp_path, files)
    assert [u.workload for u in report.inventory.usages_of("aws:aws_iam_role.shop_web_prod")] == [
        "ServiceAccount/shop-prod/prod-web"
    ]
    assert [t for t in triples(report, "NHI-K8S") if t[3] == PROD_WEB] == []


FLEET_CLUSTER = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ingest
  namespace: payments
  labels: {owner: team-payments}
  annotations: {nhilint.io/expires: "2027-06-30", nhilint.io/retire-on: "app:ingest"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ingest-admin
subjects:
  - kind: ServiceAccount
    name: ingest
    namespace: payments
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ingest
  namespace: payments
spec:
  selector: {matchLabels: {app: ingest}}
  template:
    metadata: {labels: {app: ingest}}
    spec:
      serviceAccountName: ingest
      automountServiceAccountToken: false
      containers:
        - name: ingest
          image: ghcr.io/acme/ingest:1.4.0
"""


def test_each_cluster_directorys_copy_gets_the_bindings_and_workloads_written_beside_it(tmp_path: Path) -> None:
    """A fleet: the same ServiceAccount, binding and Deployment in every cluster's directory. Each copy is its
    own identity, granted by its own binding and used by its own Deployment (not all by the first copy)."""
    report = scan_tree(
        tmp_path, {"clusters/dev/ingest.yaml": FLEET_CLUSTER, "clusters/prod/ingest.yaml": FLEET_CLUSTER}
    )
    dev = "kubernetes:ServiceAccount/payments/ingest"
    prod = "kubernetes:ServiceAccount/payments/ingest@clusters/prod/ingest.yaml"
    assert sorted(report.inventory.identities) == [dev, prod]
    assert sorted((u.identity, u.location.path) for u in report.inventory.usages) == [
        (dev, "clusters/dev/ingest.yaml"),
        (prod, "clusters/prod/ingest.yaml"),
    ]
    assert sorted(t for t in triples(report) if t[0] != "NHI-EXP-002") == [
        ("NHI-PRIV-004", "clusters/dev/ingest.yaml", 17, dev),
        ("NHI-PRIV-004", "clusters/prod/ingest.yaml", 17, prod),
    ]
