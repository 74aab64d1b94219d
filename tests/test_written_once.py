"""A rule is written once: the same check finds the same problem in Terraform, CloudFormation and Kubernetes.

Every format is parsed and extracted into one model (`nhilint.model`); rules read only that model. This
test holds the property two ways. Behaviour: one scan over a Terraform root, a CloudFormation template and
Kubernetes manifests, each with one identity that breaks NHI-OWN-001 (no owner) and NHI-PRIV-004 (admin
grant) and one that does not, gives exactly one finding per format per rule — and calling the rule's
`check` on that one inventory gives them all, so no format-specific code path produced any of them.
Structure: the rule modules import nothing from `nhilint.parse` or `nhilint.extract`, neither directly
(their source) nor indirectly (what importing them loads in a fresh interpreter).
"""

from __future__ import annotations

import ast
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nhilint.model import Finding
from nhilint.rules import BY_ID
from nhilint.rules.base import Context
from tests.helpers import TODAY, scan_tree

RULES = ("NHI-OWN-001", "NHI-PRIV-004")
# the import checks also cover the cross-format workload-identity rules, which join a manifest and a template
IMPORT_CHECKED = (*RULES, "NHI-K8S-006", "NHI-K8S-007")

TERRAFORM = """
resource "aws_iam_role" "deployer" {
  name = "release-deployer"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "codebuild.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "deployer_admin" {
  role       = aws_iam_role.deployer.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role" "reader" {
  name = "report-reader"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  tags = { owner = "team-reports" }
}
"""

CLOUDFORMATION = """
AWSTemplateFormatVersion: "2010-09-09"
Description: Build roles.
Resources:
  BuildRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: codebuild.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess

  ArtifactsRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: codebuild.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: artifacts
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:PutObject]
                Resource: arn:aws:s3:::acme-artifacts/*
      Tags:
        - {Key: owner, Value: team-build}
"""

KUBERNETES = """
apiVersion: v1
kind: ServiceAccount
metadata:
  name: argocd-application-controller
  namespace: argocd
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: argocd-application-controller
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: argocd-application-controller
    namespace: argocd
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: metrics-reader
  namespace: monitoring
  labels:
    owner: team-observability
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: metrics-reader
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: ServiceAccount, name: metrics-reader, namespace: monitoring}
"""

FILES = {"terraform/iam.tf": TERRAFORM, "cloudformation/build.yaml": CLOUDFORMATION, "k8s/argocd.yaml": KUBERNETES}

EXPECTED = [
    # (rule, file, line, identity): one per format and rule; the compliant identities are absent
    ("NHI-OWN-001", "cloudformation/build.yaml", 4, "aws:cloudformation/build.yaml#BuildRole"),
    ("NHI-PRIV-004", "cloudformation/build.yaml", 12, "aws:cloudformation/build.yaml#BuildRole"),
    ("NHI-OWN-001", "k8s/argocd.yaml", 1, "kubernetes:ServiceAccount/argocd/argocd-application-controller"),
    ("NHI-PRIV-004", "k8s/argocd.yaml", 11, "kubernetes:ServiceAccount/argocd/argocd-application-controller"),
    ("NHI-OWN-001", "terraform/iam.tf", 1, "aws:terraform/aws_iam_role.deployer"),
    ("NHI-PRIV-004", "terraform/iam.tf", 12, "aws:terraform/aws_iam_role.deployer"),
]


def _quads(findings: list[Finding]) -> list[tuple[str, str, int, str | None]]:
    return sorted(
        (f.rule_id, f.location.path, f.location.start_line, f.identity) for f in findings if f.rule_id in RULES
    )


def test_one_scan_one_rule_every_format(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, FILES)
    assert report.inventory.errors == []
    assert sorted(report.inventory.files) == sorted(FILES)
    assert _quads(report.findings) == sorted(EXPECTED)
    # the same rule, the same message shape, whatever format the identity was written in
    admin = sorted(f.message for f in report.findings if f.rule_id == "NHI-PRIV-004")
    assert admin == [
        "k8s service account ServiceAccount/argocd/argocd-application-controller is granted admin access "
        "(ClusterRole/cluster-admin)",
        "role aws_iam_role.deployer is granted admin access (AdministratorAccess)",
        "role build.yaml#BuildRole is granted admin access (AdministratorAccess)",
    ]


def test_the_rule_check_alone_finds_all_three(tmp_path: Path) -> None:
    """Calling each rule's one check function on the shared inventory reproduces every format's finding."""
    report = scan_tree(tmp_path, FILES)
    context = Context(report.inventory, report.config.settings, TODAY)
    found: list[Finding] = []
    for rule_id in RULES:
        rule = BY_ID[rule_id]
        found.extend(rule.check(rule, context))
    assert _quads(found) == sorted(EXPECTED)


def _imported_modules(source: str) -> set[str]:
    """Every module a source file imports, absolute (`from nhilint import suppress` -> nhilint.suppress)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def _forbidden(modules: set[str] | list[str]) -> list[str]:
    return sorted(m for m in modules if m.startswith(("nhilint.parse", "nhilint.extract")))


@pytest.mark.parametrize("rule_id", IMPORT_CHECKED)
def test_rule_source_imports_no_parser_or_extractor(rule_id: str) -> None:
    module = inspect.getmodule(BY_ID[rule_id].check)
    assert module is not None
    imported = _imported_modules(inspect.getsource(module))
    assert _forbidden(imported) == []
    assert "nhilint.rules.base" in imported  # the rule API, which hands it the model


# Run in a fresh interpreter: import one rule module, report every nhilint module that import loaded. The
# `nhilint.rules` package is registered without running its __init__ (the registry imports every rule;
# what matters here is what this rule needs).
_PROBE = """
import importlib, json, sys, types
from pathlib import Path
import nhilint
package = types.ModuleType("nhilint.rules")
package.__path__ = [str(Path(nhilint.__file__).parent / "rules")]
sys.modules["nhilint.rules"] = package
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if m.startswith("nhilint"))))
"""


@pytest.mark.parametrize("rule_id", IMPORT_CHECKED)
def test_importing_the_rule_loads_no_parser_or_extractor(rule_id: str) -> None:
    module = inspect.getmodule(BY_ID[rule_id].check)
    assert module is not None
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, module.__name__],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    loaded = json.loads(result.stdout)
    assert module.__name__ in loaded and "nhilint.model" in loaded  # the probe did import the rule
    assert _forbidden(loaded) == []
