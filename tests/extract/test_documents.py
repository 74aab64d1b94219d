"""Permission documents: each policy, Role and role definition of the code, and the principals it reaches."""

from __future__ import annotations

import json
from pathlib import Path

from nhilint.report.inventory import render_markdown
from nhilint.report.json_report import render_inventory
from tests.helpers import scan_tree

TERRAFORM = """
resource "aws_iam_role" "worker" {
  name               = "worker"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "queue" {
  statement {
    actions   = ["sqs:SendMessage"]
    resources = ["arn:aws:sqs:eu-west-1:111122223333:jobs"]
  }
}

resource "aws_iam_policy" "queue" {
  name   = "queue"
  policy = data.aws_iam_policy_document.queue.json
}

resource "aws_iam_role_policy_attachment" "queue" {
  role       = aws_iam_role.worker.name
  policy_arn = aws_iam_policy.queue.arn
}

data "aws_iam_policy_document" "draft" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::reports/*"]
  }
}
"""


def test_terraform_policies_and_policy_documents(tmp_path: Path) -> None:
    inventory = scan_tree(tmp_path, {"main.tf": TERRAFORM}).inventory
    documents = {d.id: (d.kind, d.attached_to, d.unattached) for d in inventory.documents.values()}
    assert documents == {
        "aws:aws_iam_policy.queue": ("managed_policy", ("aws:aws_iam_role.worker",), False),
        "aws:data.aws_iam_policy_document.queue": ("policy_document", ("aws:aws_iam_role.worker",), False),
        "aws:data.aws_iam_policy_document.draft": ("policy_document", (), True),
    }  # the trust policy is not a permission document
    held = inventory.grants_of("aws:aws_iam_role.worker")
    assert [(g.document, g.location.start_line) for g in held] == [("aws:aws_iam_policy.queue", 17)]
    nobody = [g for g in inventory.grants if g.principal is None]
    assert [(g.document, g.permissions, g.location.start_line) for g in nobody] == [
        ("aws:data.aws_iam_policy_document.draft", ("s3:GetObject",), 34)
    ]


RBAC = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: exporter, namespace: monitoring}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exporter, namespace: monitoring}
rules:
  - {apiGroups: [""], resources: ["endpoints"], verbs: ["get", "list"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: exporter, namespace: monitoring}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exporter}
subjects:
  - {kind: ServiceAccount, name: exporter, namespace: monitoring}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: exporter-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules:
  - {apiGroups: ["monitoring.coreos.com"], resources: ["servicemonitors"], verbs: ["get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: exporter-admin}
rules:
  - {apiGroups: ["monitoring.coreos.com"], resources: ["*"], verbs: ["*"]}
"""


def test_kubernetes_roles_bound_aggregated_and_unbound(tmp_path: Path) -> None:
    inventory = scan_tree(tmp_path, {"rbac.yaml": RBAC}).inventory
    documents = {d.address: (d.kind, d.attached_to, d.attachment_unknown) for d in inventory.documents.values()}
    assert documents == {
        "Role/monitoring/exporter": ("k8s_role", ("kubernetes:ServiceAccount/monitoring/exporter",), None),
        "ClusterRole/exporter-view": ("k8s_cluster_role", (), "aggregated into the built-in ClusterRole view"),
        "ClusterRole/exporter-admin": ("k8s_cluster_role", (), None),
    }
    nobody = [g for g in inventory.grants if g.principal is None]
    assert [(g.document, g.scope, str(g.permissions[0])) for g in nobody] == [
        ("kubernetes:ClusterRole/exporter-admin", ("cluster",), "* monitoring.coreos.com/*")
    ]


CLOUD_ROLES = """
resource "azurerm_user_assigned_identity" "deployer" {
  name                = "deployer"
  resource_group_name = "platform"
  location            = "westeurope"
}

resource "azurerm_role_definition" "deployer" {
  name  = "app-deployer"
  scope = "/subscriptions/00000000-0000-0000-0000-000000000000"
  permissions {
    actions = ["Microsoft.Web/sites/*"]
  }
}

resource "azurerm_role_assignment" "deployer" {
  scope              = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_id = azurerm_role_definition.deployer.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.deployer.principal_id
}

resource "google_service_account" "loader" {
  project    = "acme-data"
  account_id = "loader"
}

resource "google_project_iam_custom_role" "loader" {
  project     = "acme-data"
  role_id     = "loader"
  title       = "Loader"
  permissions = ["bigquery.tables.updateData"]
}

resource "google_project_iam_member" "loader" {
  project = "acme-data"
  role    = google_project_iam_custom_role.loader.id
  member  = "serviceAccount:${google_service_account.loader.email}"
}

resource "google_organization_iam_custom_role" "auditor" {
  org_id      = "123456789"
  role_id     = "auditor"
  title       = "Auditor"
  permissions = ["resourcemanager.projects.get"]
}
"""


def test_azure_role_definitions_and_gcp_custom_roles(tmp_path: Path) -> None:
    inventory = scan_tree(tmp_path, {"main.tf": CLOUD_ROLES}).inventory
    documents = {d.id: (d.kind, d.attached_to) for d in inventory.documents.values()}
    assert documents == {
        "azure:azurerm_role_definition.deployer": (
            "role_definition",
            ("azure:azurerm_user_assigned_identity.deployer",),
        ),
        "gcp:google_project_iam_custom_role.loader": ("custom_role", ("gcp:google_service_account.loader",)),
        "gcp:google_organization_iam_custom_role.auditor": ("custom_role", ()),
    }
    nobody = [g for g in inventory.grants if g.principal is None]
    assert [(g.document, g.scope, g.permissions) for g in nobody] == [
        (
            "gcp:google_organization_iam_custom_role.auditor",
            ("organization/123456789",),
            ("organizations/123456789/roles/auditor", "resourcemanager.projects.get"),
        )
    ]


def test_inventory_outputs_list_documents(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": TERRAFORM})
    table = render_markdown(report).split("| document | kind | file | attached_to |\n|---|---|---|---|\n")[1]
    assert table.splitlines() == [
        "| aws:data.aws_iam_policy_document.queue | policy_document | main.tf:16 | aws:aws_iam_role.worker |",
        "| aws:aws_iam_policy.queue | managed_policy | main.tf:23 | aws:aws_iam_role.worker |",
        "| aws:data.aws_iam_policy_document.draft | policy_document | main.tf:33 | nothing in the scan |",
    ]
    documents = json.loads(render_inventory(report))["documents"]
    assert [(d["address"], d["unattached"]) for d in documents] == [
        ("data.aws_iam_policy_document.queue", False),
        ("aws_iam_policy.queue", False),
        ("data.aws_iam_policy_document.draft", True),
    ]
