"""Kinds beyond the built-in workloads whose objects embed a Pod template are workloads too."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import scan_tree

MANIFESTS = """
apiVersion: v1
kind: ServiceAccount
metadata:
  name: checkout
  namespace: shop
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: checkout
  namespace: shop
spec:
  template:
    spec:
      serviceAccountName: checkout
      containers:
        - image: ghcr.io/acme/checkout:1.4.2
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: api
  namespace: shop
spec:
  strategy:
    canary: {steps: [{setWeight: 20}]}
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:2.0.0
---
apiVersion: batch.acme.io/v1
kind: ScheduledReport
metadata:
  name: nightly
  namespace: shop
spec:
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: checkout
          containers:
            - name: report
              image: ghcr.io/acme/report:0.3.0
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata:
  name: k8s
  namespace: shop
spec:
  serviceAccountName: checkout
---
apiVersion: acme.io/v1
kind: Widget
metadata:
  name: no-pods
  namespace: shop
spec:
  template:
    spec:
      colour: blue
"""


def test_custom_kinds_with_a_pod_template_are_usages(tmp_path: Path) -> None:
    inventory = scan_tree(tmp_path, {"k8s/apps.yaml": MANIFESTS}).inventory
    assert sorted((u.workload, u.kind, u.identity) for u in inventory.usages) == [
        # no Pod template, but its operator runs the Pods as the ServiceAccount it names
        ("Prometheus/shop/k8s", "Prometheus", "kubernetes:ServiceAccount/shop/checkout"),
        ("Rollout/shop/api", "Rollout", "kubernetes:ServiceAccount/shop/default"),
        ("ScheduledReport/shop/nightly", "ScheduledReport", "kubernetes:ServiceAccount/shop/checkout"),
        ("Service/shop/checkout", "Service", "kubernetes:ServiceAccount/shop/checkout"),
    ]
