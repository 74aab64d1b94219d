"""Kubernetes (Terraform) extraction: ServiceAccounts, token Secrets, RBAC grants and the Pods using them."""

from __future__ import annotations

from pathlib import Path

from nhilint.extract.builder import Builder
from nhilint.extract.terraform.project import extract_terraform
from nhilint.model import Fact, Location, Unknown
from nhilint.parse.terraform import TerraformProject
from tests.helpers import config_for, scan_tree, triples, write_tree

SA = "kubernetes:kubernetes_service_account.deployer"
DEFAULT_SA = "kubernetes:kubernetes_service_account_v1.default"

CLUSTER = """
resource "kubernetes_namespace" "apps" {
  metadata {
    name = "apps"
  }
}

resource "kubernetes_service_account" "deployer" {
  metadata {
    name      = "deployer"
    namespace = kubernetes_namespace.apps.metadata[0].name
    labels = {
      Owner = "team-platform"
    }
    annotations = {
      "nhilint.io/retire-on" = "app:payments"
      "nhilint.io/expires"   = "2027-06-30"
    }
  }
  automount_service_account_token = false
}

resource "kubernetes_cluster_role_binding" "deployer_admin" {
  metadata {
    name = "deployer-admin"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = "cluster-admin"
  }
  subject {
    kind      = "ServiceAccount"
    name      = "deployer"
    namespace = "apps"
  }
  subject {
    kind      = "Group"
    name      = "system:authenticated"
    api_group = "rbac.authorization.k8s.io"
  }
}

resource "kubernetes_deployment" "web" {
  metadata {
    name      = "web"
    namespace = "apps"
  }
  spec {
    template {
      metadata {}
      spec {
        service_account_name = kubernetes_service_account.deployer.metadata[0].name
      }
    }
  }
}
"""


def test_service_account_identity_and_lifecycle(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": CLUSTER})
    sa = report.inventory.identities[SA]
    assert (sa.kind, sa.platform, sa.name, sa.location) == (
        "k8s_service_account",
        "kubernetes",
        "deployer",
        Location("main.tf", 7, 20),
    )
    assert sa.attributes == (("automount_service_account_token", "false"), ("namespace", "apps"))
    assert sa.lifecycle.owner == Fact("team-platform", "label:Owner", Location("main.tf", 11, 11))
    assert sa.lifecycle.retire_on == Fact(
        "app:payments", "annotation:nhilint.io/retire-on", Location("main.tf", 14, 14)
    )
    assert sa.lifecycle.expires == Fact("2027-06-30", "annotation:nhilint.io/expires", Location("main.tf", 14, 14))
    assert sa.lifecycle.purpose is None


def test_cluster_admin_binding_is_reported_on_the_service_account(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": CLUSTER})
    grants = [
        (g.principal, g.permissions, g.scope, g.permission_type, g.location.start_line) for g in report.inventory.grants
    ]
    assert grants == [
        (SA, ("ClusterRole/cluster-admin",), ("cluster",), "role", 26),
        ("group:system:authenticated", ("ClusterRole/cluster-admin",), ("cluster",), "role", 26),
    ]
    assert triples(report, "NHI-PRIV-004") == [
        ("NHI-PRIV-004", "main.tf", 26, None),
        ("NHI-PRIV-004", "main.tf", 26, SA),
    ]


def test_deployment_using_the_service_account_is_a_retirement_hook(tmp_path: Path) -> None:
    unused = """
    resource "kubernetes_service_account_v1" "idle" {
      metadata {
        name      = "idle"
        namespace = "apps"
      }
    }
    """
    report = scan_tree(tmp_path, {"main.tf": CLUSTER, "idle.tf": unused})
    usages = [(u.identity, u.workload, u.kind) for u in report.inventory.usages]
    assert usages == [(SA, "kubernetes_deployment.web", "kubernetes_deployment")]
    assert triples(report, "NHI-RET-001") == [
        ("NHI-RET-001", "idle.tf", 1, "kubernetes:kubernetes_service_account_v1.idle"),
    ]


WIDE_ROLE = """
resource "kubernetes_service_account_v1" "default" {
  metadata {
    name      = "default"
    namespace = "apps"
  }
}

resource "kubernetes_role" "wide" {
  metadata {
    name      = "wide"
    namespace = "apps"
  }
  rule {
    api_groups = ["*"]
    resources  = ["*"]
    verbs      = ["*"]
  }
  rule {
    api_groups     = ["", "apps"]
    resources      = ["pods", "deployments"]
    resource_names = ["web"]
    verbs          = ["get", "list"]
  }
}

resource "kubernetes_role_binding_v1" "wide" {
  metadata {
    name      = "wide"
    namespace = "apps"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role.wide.metadata[0].name
  }
  subject {
    kind = "ServiceAccount"
    name = "default"
  }
  subject {
    kind      = "ServiceAccount"
    name      = "external-dns"
    namespace = "kube-system"
  }
}

resource "kubernetes_cron_job_v1" "report" {
  metadata {
    name      = "report"
    namespace = "apps"
  }
  spec {
    schedule = "0 * * * *"
    job_template {
      metadata {}
      spec {
        template {
          metadata {}
          spec {
            container {
              name  = "report"
              image = "report:1"
            }
          }
        }
      }
    }
  }
}
"""


def test_role_rules_become_grants_and_wildcards_are_admin(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"rbac.tf": WIDE_ROLE})
    grants = [
        (g.principal, g.permissions, g.scope, g.permission_type, g.location.start_line, g.block.start_line)
        for g in report.inventory.grants
    ]
    narrow = "get,list pods,deployments,apps/pods,apps/deployments names=web"
    external = "serviceaccount:kube-system/external-dns"
    assert grants == [
        (DEFAULT_SA, ("* *",), ("namespace/apps",), "k8s_rule", 13, 8),
        (DEFAULT_SA, (narrow,), ("namespace/apps",), "k8s_rule", 18, 8),
        (external, ("* *",), ("namespace/apps",), "k8s_rule", 13, 8),
        (external, (narrow,), ("namespace/apps",), "k8s_rule", 18, 8),
    ]
    assert triples(report, "NHI-PRIV-004") == [
        ("NHI-PRIV-004", "rbac.tf", 13, None),
        ("NHI-PRIV-004", "rbac.tf", 13, DEFAULT_SA),
    ]


def test_pod_without_service_account_name_uses_the_namespace_default(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"rbac.tf": WIDE_ROLE})
    assert [(u.identity, u.workload) for u in report.inventory.usages] == [
        (DEFAULT_SA, "kubernetes_cron_job_v1.report"),
    ]
    elsewhere = WIDE_ROLE.replace(
        'namespace = "apps"\n  }\n  spec {\n    schedule', 'namespace = "batch"\n  }\n  spec {\n    schedule'
    )
    report = scan_tree(tmp_path, {"rbac.tf": elsewhere})  # no `default` in the code: the implicit one, no Identity
    assert [(u.identity, u.workload, u.attributes) for u in report.inventory.usages] == [
        (
            "kubernetes:ServiceAccount/batch/default",
            "kubernetes_cron_job_v1.report",
            (("automount_service_account_token", "true"),),
        ),
    ]
    assert "kubernetes:ServiceAccount/batch/default" not in report.inventory.identities


def test_token_secret_and_literal_secret_data(tmp_path: Path) -> None:
    source = (
        CLUSTER
        + """
resource "kubernetes_secret_v1" "token" {
  metadata {
    name      = "deployer-token"
    namespace = "apps"
    annotations = {
      "kubernetes.io/service-account.name" = kubernetes_service_account.deployer.metadata[0].name
    }
  }
  type = "kubernetes.io/service-account-token"
}

resource "kubernetes_secret" "db" {
  metadata {
    name = "db"
  }
  data = {
    username = var.db_user
    password = "correct-horse-battery"
  }
}
"""
    )
    report = scan_tree(tmp_path, {"main.tf": source})
    [token] = report.inventory.credentials
    assert (token.id, token.kind, token.of, token.expires, token.rotation) == (
        "kubernetes:kubernetes_secret_v1.token",
        "sa_token_secret",
        SA,
        None,
        None,
    )
    assert token.lifecycle.owner == Fact("team-platform", f"parent:{SA}", Location("main.tf", 11, 11))
    assert triples(report, "NHI-EXP-001") == [("NHI-EXP-001", "main.tf", 58, "kubernetes:kubernetes_secret_v1.token")]
    assert triples(report, "NHI-CRED-002") == [("NHI-CRED-002", "main.tf", 75, None)]
    assert [(s.address, s.attribute, s.platform) for s in report.inventory.literal_secrets] == [
        ("kubernetes_secret.db", "data", "kubernetes")
    ]


MODULE = """
resource "kubernetes_service_account" "runner" {
  for_each = toset(var.teams)
  metadata {
    name      = "runner-${each.key}"
    namespace = var.namespace
  }
}

resource "kubernetes_cluster_role" "reader" {
  metadata {
    name = "reader"
  }
  rule {
    api_groups = [""]
    resources  = ["pods"]
    verbs      = var.verbs
  }
}

resource "kubernetes_cluster_role_binding" "runner" {
  for_each = toset(var.teams)
  metadata {
    name = "runner-${each.key}"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = "reader"
  }
  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account.runner[each.key].metadata[0].name
    namespace = var.namespace
  }
  subject {
    kind = "User"
    name = var.operator
  }
}

variable "teams" {
  type = list(string)
}

variable "namespace" {
  type = string
}

variable "verbs" {
  type    = list(string)
  default = ["get", "list"]
}

variable "operator" {
  type = string
}
"""


def test_module_prefix_for_each_and_unknown_values(tmp_path: Path) -> None:
    root = """
    module "ci" {
      source    = "./modules/ci"
      teams     = ["a", "b"]
      namespace = "ci"
    }
    """
    report = scan_tree(tmp_path, {"main.tf": root, "modules/ci/main.tf": MODULE})
    runner = "kubernetes:module.ci.kubernetes_service_account.runner"
    a, b = f'{runner}["a"]', f'{runner}["b"]'
    assert [(i.id, i.name, i.attributes) for i in report.inventory.identities.values()] == [
        (a, "runner-a", (("automount_service_account_token", "true"), ("namespace", "ci"))),
        (b, "runner-b", (("automount_service_account_token", "true"), ("namespace", "ci"))),
    ]
    operator = (
        "User subject name: var.operator has no default and no value in the scanned tfvars "
        "(declared at modules/ci/main.tf:54)"
    )
    grants = [
        (g.principal, g.permissions, g.scope, g.location.path, g.location.start_line, g.unknown)
        for g in report.inventory.grants
    ]
    assert grants == [
        (a, ("get,list pods",), ("cluster",), "modules/ci/main.tf", 13, None),
        (None, ("get,list pods",), ("cluster",), "modules/ci/main.tf", 13, operator),
        (b, ("get,list pods",), ("cluster",), "modules/ci/main.tf", 13, None),
        (None, ("get,list pods",), ("cluster",), "modules/ci/main.tf", 13, operator),
    ]
    assert report.inventory.grants[0].via == (
        'ClusterRoleBinding module.ci.kubernetes_cluster_role_binding.runner["a"] of ClusterRole '
        "module.ci.kubernetes_cluster_role.reader"
    )
    assert triples(report, "NHI-PRIV-004") == []


def test_unknown_for_each_keeps_one_identity_with_an_unknown_name(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": MODULE})
    [identity] = report.inventory.identities.values()
    assert identity.id == "kubernetes:kubernetes_service_account.runner"
    assert identity.name == Unknown(  # the for_each's own reason, not just "differs per instance"
        "the for_each on line 2 is not known: var.teams has no default and no value in the scanned tfvars "
        "(declared at main.tf:41)"
    )
    assert identity.attributes == (
        ("automount_service_account_token", "true"),
        (
            "namespace",
            "<unknown: var.namespace has no default and no value in the scanned tfvars (declared at main.tf:45)>",
        ),
    )


def test_unevaluated_binding_namespace_is_unknown_not_guessed(tmp_path: Path) -> None:
    source = """
    resource "kubernetes_role_binding" "ops" {
      metadata {
        name      = "ops"
        namespace = var.namespace
      }
      role_ref {
        api_group = "rbac.authorization.k8s.io"
        kind      = "ClusterRole"
        name      = "admin"
      }
      subject {
        kind = "ServiceAccount"
        name = "ops"
      }
    }

    variable "namespace" {}
    """
    report = scan_tree(tmp_path, {"main.tf": source})
    [grant] = report.inventory.grants
    reason = "var.namespace has no default and no value in the scanned tfvars (declared at main.tf:17)"
    assert (grant.principal, grant.permissions, grant.scope, grant.via) == (
        None,
        ("ClusterRole/admin",),
        ("namespace/<unknown>",),
        "RoleBinding kubernetes_role_binding.ops of ClusterRole admin (built-in)",
    )
    assert grant.unknown == f"namespace: {reason}"


def test_service_accounts_are_registered_by_namespace_and_name(tmp_path: Path) -> None:
    other = """
    resource "kubernetes_service_account" "deployer_ci" {
      metadata {
        name      = "deployer"
        namespace = "ci"
      }
    }
    """
    write_tree(tmp_path, {"main.tf": CLUSTER, "ci.tf": other})
    project = TerraformProject(tmp_path)
    for path in sorted(tmp_path.glob("*.tf")):
        project.add_file(path)
    builder = Builder(config_for(tmp_path).settings)
    extract_terraform(project, builder)
    types = ("kubernetes_service_account",)
    assert builder.resolve("apps/deployer", types, "kubernetes") == SA
    assert builder.resolve("ci/deployer", types, "kubernetes") == "kubernetes:kubernetes_service_account.deployer_ci"
    assert builder.resolve("deployer", types, "kubernetes") == "deployer"  # ambiguous: not linked
