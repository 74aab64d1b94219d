"""Pending links on the Builder: typed records, one AWS resolver for Terraform and CloudFormation, OIDC issuers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nhilint.config import Settings
from nhilint.extract.aws_links import resolve_aws_links
from nhilint.extract.builder import Builder
from nhilint.extract.pending import PendingAttachment, PendingMembership
from nhilint.model import Identity, Location, Trust
from nhilint.values import Ref
from tests.helpers import scan_tree

TERRAFORM = """
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "deploy" {
  name = "gha-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
    }]
  })
}

resource "aws_iam_role" "gitlab" {
  name = "gitlab-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/gitlab.example.com" }
    }]
  })
}
"""

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  GitHubOidc:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: https://token.actions.githubusercontent.com
      ClientIdList: [sts.amazonaws.com]
  BuildRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRoleWithWebIdentity
            Principal:
              Federated: !GetAtt GitHubOidc.Arn
"""


def _federated(trusts: list[Trust], identity: str) -> list[tuple[object, str | None]]:
    return [
        (p.identifier, p.provider)
        for t in trusts
        if t.identity == identity
        for p in t.principals
        if p.type == "Federated"
    ]


def test_oidc_provider_is_a_field_set_by_extract_and_the_printed_text_is_kept(tmp_path: Path) -> None:
    inventory = scan_tree(tmp_path, {"main.tf": TERRAFORM, "build.yaml": TEMPLATE}).inventory
    host = "token.actions.githubusercontent.com"
    assert _federated(inventory.trusts, "aws:aws_iam_role.deploy") == [(f"oidc-provider/{host}", host)]
    assert _federated(inventory.trusts, "aws:build.yaml#BuildRole") == [(f"oidc-provider/{host}", host)]
    literal = "arn:aws:iam::111122223333:oidc-provider/gitlab.example.com"
    assert _federated(inventory.trusts, "aws:aws_iam_role.gitlab") == [(literal, "gitlab.example.com")]


def _builder_with_role() -> Builder:
    builder = Builder(Settings())
    role = Identity("aws:aws_iam_role.ci", "role", "aws", "aws_iam_role.ci", Location("main.tf", 1, 3), "ci")
    builder.add_identity(role, "aws_iam_role")
    return builder


def test_the_aws_resolver_consumes_its_pending_records() -> None:
    builder = _builder_with_role()
    where = Location("main.tf", 5, 8)
    policy = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    builder.attachments.append(PendingAttachment(policy, Ref("aws_iam_role.ci"), ("aws_iam_role",), where, "att"))
    builder.memberships.append(PendingMembership("ci", "ops", "ops", where, "membership"))
    resolve_aws_links(builder)
    assert (builder.attachments, builder.memberships) == ([], [])
    assert [str(p) for g in builder.inventory.grants for p in g.permissions] == [policy, "ops"]
    resolve_aws_links(builder)  # a second format finishing resolves only what it wrote
    assert len(builder.inventory.grants) == 2


@dataclass(slots=True)
class _Recorded:
    names: list[str] = field(default_factory=list)


def test_side_records_are_keyed_by_their_class() -> None:
    builder = Builder(Settings())
    builder.side(_Recorded).names.append("a")
    assert builder.side(_Recorded).names == ["a"]
