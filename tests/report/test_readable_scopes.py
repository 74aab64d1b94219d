"""A reference reads as the user wrote it in every output: no root-module directory or template path (the scope
of nhilint's internal addresses) inside `${…}`, and CloudFormation's `${AWS::Region}` reads `<this region>` as
Terraform's region does. Ids, and so fingerprints and baselines, keep the scope."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint.cli import main
from nhilint.fingerprint import fingerprint
from nhilint.values import readable_references, readable_symbols
from tests.helpers import scan_tree, write_tree

TERRAFORM = """
resource "aws_s3_bucket" "reports" {
  bucket_prefix = "reports-"
}

resource "aws_iam_role" "report_builder" {
  name = "report-builder"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
  tags = { owner = "team-reports" }
}

resource "aws_iam_role_policy" "report_builder" {
  role = aws_iam_role.report_builder.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:PutObject", "s3:GetObject"]
      Resource = "${aws_s3_bucket.reports.arn}/*"
    }]
  })
}

resource "random_id" "suffix" {
  byte_length = 4
}

resource "google_storage_bucket" "site" {
  name     = "acme-site-${random_id.suffix.hex}"
  location = "EU"
}

resource "google_storage_bucket_iam_member" "public" {
  bucket = google_storage_bucket.site.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}
"""

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ReportsBucket:
    Type: AWS::S3::Bucket
  ReportBuilderRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: !Sub "${ReportsBucket}-writer"
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:*
                Resource: !Sub "${ReportsBucket.Arn}/*"
              - Effect: Allow
                Action: logs:PutLogEvents
                Resource: !Sub "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/reports/*"
"""

FILES = {"live/main.tf": TERRAFORM, "stacks/reports.yaml": TEMPLATE}


def _json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main([*argv, "--no-cache", "--format", "json", "--today", "2026-11-22"]) in (0, 1)
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


def test_inventory_json_names_references_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, FILES)
    document = _json(["inventory", str(tmp_path)], capsys)
    identities = {i["id"]: i for i in document["identities"]}  # type: ignore[attr-defined]
    role = identities["aws:live/aws_iam_role.report_builder"]  # the id keeps its directory
    assert role["grants"][0]["scope"] == ["${aws_s3_bucket.reports.arn}/*"]
    assert role["grants"][0]["principal"] == "aws:live/aws_iam_role.report_builder"
    stack_role = identities["aws:stacks/reports.yaml#ReportBuilderRole"]
    assert [g["scope"] for g in stack_role["grants"]] == [
        ["${ReportsBucket.Arn}/*"],
        ["arn:aws:logs:<this region>:<this account>:log-group:/reports/*"],
    ]
    assert [g["via"] for g in stack_role["grants"]] == ["inline policy ${ReportsBucket}-writer"] * 2
    text = json.dumps(document)
    assert "${live/" not in text and "${stacks/" not in text and "${AWS::Region}" not in text


def test_finding_message_and_evidence_name_the_reference(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, FILES)
    document = _json(["scan", str(tmp_path)], capsys)
    findings = {f["rule_id"]: f for f in document["findings"] if f["rule_id"] in ("NHI-PRIV-001", "NHI-PRIV-012")}  # type: ignore[attr-defined]
    public = findings["NHI-PRIV-012"]
    assert public["message"] == (
        "google_storage_bucket_iam_member.public grants roles/storage.objectViewer on bucket/"
        "google_storage_bucket.site.name (not known before apply) to allUsers: "
        "anyone on the internet, without signing in"
    )
    assert public["evidence"] == "allUsers: roles/storage.objectViewer on bucket/${google_storage_bucket.site.name}"
    wildcard = findings["NHI-PRIV-001"]
    assert wildcard["identity"] == "aws:stacks/reports.yaml#ReportBuilderRole"
    assert wildcard["evidence"] == "inline policy ${ReportsBucket}-writer: s3:*"


def test_fingerprints_keep_the_evidence_as_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = scan_tree(tmp_path, FILES)
    [public] = [f for f in report.findings if f.rule_id == "NHI-PRIV-012"]
    assert public.evidence == "allUsers: roles/storage.objectViewer on bucket/${live/google_storage_bucket.site.name}"
    [wildcard] = [f for f in report.findings if f.rule_id == "NHI-PRIV-001"]
    assert wildcard.evidence == "inline policy ${stacks/reports.yaml#ReportsBucket}-writer: s3:*"
    shown = {f["rule_id"]: f["fingerprint"] for f in _json(["scan", str(tmp_path)], capsys)["findings"]}  # type: ignore[attr-defined]
    assert shown["NHI-PRIV-012"] == fingerprint(public)
    assert shown["NHI-PRIV-001"] == fingerprint(wildcard)


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("${envs/prod/aws_s3_bucket.reports.arn}/*", "${aws_s3_bucket.reports.arn}/*"),
        (
            '${a/b/module.gke["x"].google_service_account.sa[0].email}',
            '${module.gke["x"].google_service_account.sa[0].email}',
        ),
        ("${module.project.project_id}", "${module.project.project_id}"),
        ("${templates/app.yaml#Bucket.Arn}/*", "${Bucket.Arn}/*"),
        ("${app.json#Queue}", "${Queue}"),
        (
            "arn:${AWS::Partition}:s3:::${AWS::StackName}-${AWS::Region}-${current_account}",
            "arn:${AWS::Partition}:s3:::${AWS::StackName}-<this region>-<this account>",
        ),
        ("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/${aws:username}/*"),
        ("${aws:PrincipalTag/team}", "${aws:PrincipalTag/team}"),
        ("live/aws_iam_role.ci.arn is known only after apply", "aws_iam_role.ci.arn is known only after apply"),
        ("a/b.json#Role.Arn is known only after apply", "Role.Arn is known only after apply"),
        ("written in live/main.tf and stacks/app.yaml#Role", "written in live/main.tf and stacks/app.yaml#Role"),
    ],
)
def test_one_rendering_of_references(written: str, shown: str) -> None:
    assert readable_symbols(written) == shown


def test_messages_say_the_reference_unknown_without_its_scope() -> None:
    assert readable_references("on ${live/aws_s3_bucket.reports.arn}/*") == (
        "on aws_s3_bucket.reports.arn (not known before apply)/*"
    )
    assert readable_references("on ${stacks/app.yaml#Bucket.Arn} in ${AWS::Region}") == (
        "on Bucket.Arn (not known before apply) in <this region>"
    )


def test_workloads_named_without_directory_manifests_as_written(tmp_path: Path) -> None:
    deployment = """
        resource "kubernetes_deployment_v1" "web" {
          metadata {
            name      = "web"
            namespace = "shop"
          }
          spec {
            template {
              metadata {}
              spec {
                container {
                  name  = "web"
                  image = "shop/web:1"
                }
              }
            }
          }
        }
    """
    manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api.v2
          namespace: shop
        spec:
          template:
            spec:
              containers: [{name: api, image: shop/api:2}]
    """
    report = scan_tree(tmp_path, {"cluster/main.tf": deployment, "apps/app.yaml": manifest})
    default_sa = (
        "runs as the default ServiceAccount of namespace shop (not declared in the code; the API server creates it)"
    )
    assert sorted((f.location.path, f.message) for f in report.findings if f.rule_id == "NHI-K8S-002") == [
        ("apps/app.yaml", f"Deployment/shop/api.v2 {default_sa}; give it its own ServiceAccount"),
        ("cluster/main.tf", f"kubernetes_deployment_v1.web {default_sa}; give it its own ServiceAccount"),
    ]
    assert sorted(f.message for f in report.findings if f.rule_id == "NHI-K8S-001") == [
        "Deployment/shop/api.v2 mounts the API token of ServiceAccount shop/default, which has no RBAC grants "
        "(does not set automountServiceAccountToken: false)",
        "kubernetes_deployment_v1.web mounts the API token of ServiceAccount shop/default, which has no RBAC grants "
        "(sets automountServiceAccountToken: true)",
    ]
    assert {f.evidence for f in report.findings if f.rule_id == "NHI-K8S-001"} == {
        "Deployment/shop/api.v2: automount_service_account_token",
        "cluster/kubernetes_deployment_v1.web: automount_service_account_token",  # evidence feeds the fingerprint
    }
