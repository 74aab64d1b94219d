"""CloudFormation and SAM: the same identities, grants, trusts and findings as Terraform, from templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.api import scan
from nhilint.extract.cloudformation import sam
from nhilint.model import Condition, Fact, Location, TrustPrincipal, Unknown
from nhilint.model_inputs import Unresolved
from tests.helpers import config_for, scan_tree, triples, write_tree

VENDOR = """
AWSTemplateFormatVersion: "2010-09-09"
Description: Access for the reporting vendor and the CI user.
Parameters:
  Env:
    Type: String
    Default: prod
    AllowedValues: [prod, staging]
  VendorAccount:
    Type: String
    Default: "999988887777"
  ExternalId:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsStaging: !Not [!Condition IsProd]
Mappings:
  Buckets:
    prod: {Name: acme-reports-prod}
    staging: {Name: acme-reports-staging}
Resources:
  VendorRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub "reporting-vendor-${Env}"
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub "arn:aws:iam::${VendorAccount}:root"
            Action: sts:AssumeRole
      Policies:
        - PolicyName: reports
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: Read
                Effect: Allow
                Action: [s3:GetObject, s3:ListBucket]
                Resource:
                  - !Sub
                    - "arn:${AWS::Partition}:s3:::${Bucket}/*"
                    - Bucket: !FindInMap [Buckets, !Ref Env, Name]
              - Sid: Home
                Effect: Allow
                Action: s3:*
                Resource: !Sub "arn:aws:s3:::home/${!aws:username}/${aws:userid}"
      ManagedPolicyArns:
        - !If [IsProd, arn:aws:iam::aws:policy/ReadOnlyAccess, !Ref AWS::NoValue]
      Tags:
        - Key: owner
          Value: team-data
        - Key: expires
          Value: "2027-06-30"

  PinnedVendorRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${VendorAccount}:root"}
            Action: sts:AssumeRole
            Condition:
              StringEquals: {sts:ExternalId: !Ref ExternalId}
    Metadata:
      nhilint:
        owner: team-data
        retire-on: vendor contract end

  StagingOnlyRole:
    Type: AWS::IAM::Role
    Condition: IsStaging
    Properties:
      AssumeRolePolicyDocument: {Statement: []}

  CiUser:
    Type: AWS::IAM::User
    Properties:
      UserName: ci-deployer
      Groups: [!Ref Deployers]
      LoginProfile:
        Password: not-a-real-password-1
      Tags:
        - {Key: owner, Value: team-platform}

  # nhilint:purpose pushes release artifacts
  CiKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref CiUser

  Deployers:
    Type: AWS::IAM::Group
    Properties:
      ManagedPolicyArns: [!Ref DeployPolicy]

  DeployPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: cloudformation:*
            Resource: "*"
"""


def test_roles_users_groups_and_keys(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"cfn/vendor.yaml": VENDOR})
    inventory = report.inventory
    assert inventory.errors == []
    assert sorted(inventory.identities) == [  # StagingOnlyRole: its condition is false with the defaults
        "aws:cfn/vendor.yaml#CiUser",
        "aws:cfn/vendor.yaml#Deployers",
        "aws:cfn/vendor.yaml#PinnedVendorRole",
        "aws:cfn/vendor.yaml#VendorRole",
    ]
    vendor = inventory.identities["aws:cfn/vendor.yaml#VendorRole"]
    assert (vendor.kind, vendor.platform, vendor.address, vendor.name) == (
        "role",
        "aws",
        "cfn/vendor.yaml#VendorRole",
        "reporting-vendor-prod",
    )
    assert (vendor.location.start_line, vendor.location.end_line) == (21, 54)
    assert vendor.lifecycle.owner == Fact("team-data", "tag:owner", Location("cfn/vendor.yaml", 51, 51))
    assert vendor.tags == (("expires", "2027-06-30"), ("owner", "team-data"))
    assert [
        (g.permissions, g.scope, g.location.start_line, g.permission_type) for g in inventory.grants_of(vendor.id)
    ] == [
        (("s3:GetObject", "s3:ListBucket"), ("arn:aws:s3:::acme-reports-prod/*",), 37, "action"),
        (("s3:*",), ("arn:aws:s3:::home/${aws:username}/${aws:userid}",), 44, "action"),
        (("arn:aws:iam::aws:policy/ReadOnlyAccess",), (), 48, "managed_policy"),
    ]
    trusts = inventory.trusts_of(vendor.id)
    assert [(t.principals, t.location.start_line, t.location.end_line) for t in trusts] == [
        ((TrustPrincipal("AWS", "arn:aws:iam::999988887777:root"),), 28, 31)
    ]

    pinned = inventory.identities["aws:cfn/vendor.yaml#PinnedVendorRole"]
    assert pinned.name is None
    assert pinned.lifecycle.owner == Fact("team-data", "metadata:owner", Location("cfn/vendor.yaml", 68, 68))
    assert pinned.lifecycle.retire_on is not None and pinned.lifecycle.retire_on.value == "vendor contract end"
    [pinned_trust] = inventory.trusts_of(pinned.id)
    assert pinned_trust.conditions == (
        Condition(
            "StringEquals",
            "sts:ExternalId",
            (Unknown("parameter ExternalId has no Default; its value is given at deploy"),),
        ),
    )

    user = inventory.identities["aws:cfn/vendor.yaml#CiUser"]
    credentials = inventory.credentials_of(user.id)
    assert [(c.kind, c.address, c.location.start_line, c.location.end_line) for c in credentials] == [
        ("console_password", "cfn/vendor.yaml#CiUser.LoginProfile", 82, 83),
        ("access_key", "cfn/vendor.yaml#CiKey", 88, 91),
    ]
    key = credentials[1]
    assert key.lifecycle.owner is not None and key.lifecycle.owner.source == f"parent:{user.id}"
    assert key.lifecycle.purpose == Fact("pushes release artifacts", "comment", Location("cfn/vendor.yaml", 87, 87))
    assert [(g.permissions, g.permission_type) for g in inventory.grants_of(user.id)] == [
        (("aws:cfn/vendor.yaml#Deployers",), "group")
    ]
    assert [(g.permissions, g.via) for g in inventory.grants_of("aws:cfn/vendor.yaml#Deployers")] == [
        (
            ("cloudformation:*",),
            "managed policy cfn/vendor.yaml#DeployPolicy attached by ManagedPolicyArns of cfn/vendor.yaml#Deployers",
        )
    ]
    assert [(s.address, s.attribute, s.location.start_line) for s in inventory.literal_secrets] == [
        ("cfn/vendor.yaml#CiUser", "LoginProfile.Password", 83)
    ]

    assert triples(report) == [
        ("NHI-RET-001", "cfn/vendor.yaml", 21, "aws:cfn/vendor.yaml#VendorRole"),
        ("NHI-TRUST-002", "cfn/vendor.yaml", 28, "aws:cfn/vendor.yaml#VendorRole"),
        ("NHI-PRIV-001", "cfn/vendor.yaml", 44, "aws:cfn/vendor.yaml#VendorRole"),
        ("NHI-EXP-004", "cfn/vendor.yaml", 56, "aws:cfn/vendor.yaml#PinnedVendorRole"),
        ("NHI-EXP-004", "cfn/vendor.yaml", 77, "aws:cfn/vendor.yaml#CiUser"),
        ("NHI-RET-001", "cfn/vendor.yaml", 77, "aws:cfn/vendor.yaml#CiUser"),
        ("NHI-CRED-003", "cfn/vendor.yaml", 82, "aws:cfn/vendor.yaml#CiUser.LoginProfile"),
        ("NHI-CRED-002", "cfn/vendor.yaml", 83, "aws:cfn/vendor.yaml#CiUser"),  # its login password
        ("NHI-CRED-001", "cfn/vendor.yaml", 88, "aws:cfn/vendor.yaml#CiKey"),
        ("NHI-PRIV-001", "cfn/vendor.yaml", 103, "aws:cfn/vendor.yaml#Deployers"),
        ("NHI-PRIV-002", "cfn/vendor.yaml", 103, "aws:cfn/vendor.yaml#Deployers"),  # cloudformation:* on "*"
        # cloudformation:* through the group: updating an existing stack that runs with a service role
        ("NHI-PRIV-006", "cfn/vendor.yaml", 103, "aws:cfn/vendor.yaml#CiUser"),
    ]
    assert "not-a-real-password-1" not in "\n".join(f.message + f.evidence for f in report.findings)


SAM = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Tracing: Active
    Tags:
      owner: team-orders
Parameters:
  TableName:
    Type: String
    Default: orders
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Tags:
        expires: "2027-03-31"
      Policies:
        - AWSLambdaBasicExecutionRole
        - DynamoDBCrudPolicy:
            TableName: !Ref TableName
        - S3ReadPolicy:
            BucketName: !Ref OrdersBucket
        - SQSSendMessagePolicy:
            QueueName: !GetAtt Queue.QueueName
        - Statement:
            - Effect: Allow
              Action: ["ssm:GetParameter"]
              Resource: !Sub "arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/orders/*"
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn

  Admin:
    Type: AWS::Serverless::Function
    Properties:
      Handler: admin.handler
      Policies: AdministratorAccess

  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: worker.handler
      Role: !GetAtt WorkerRole.Arn
      Policies: [AdministratorAccess]

  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Tags: [{Key: owner, Value: team-orders}]

  Odd:
    Type: AWS::Serverless::Function
    Properties:
      Handler: odd.handler
      Policies:
        - SQSPollerPolicy:
            QueueName: !ImportValue shared-queue
        - NotARealTemplate: {}

  OrdersBucket:
    Type: AWS::S3::Bucket
  Queue:
    Type: AWS::SQS::Queue
"""


def test_sam_functions_and_their_generated_roles(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"sam/template.yaml": SAM})
    inventory = report.inventory
    assert inventory.errors == []
    assert sorted(inventory.identities) == [
        "aws:sam/template.yaml#AdminRole",
        "aws:sam/template.yaml#ApiRole",
        "aws:sam/template.yaml#OddRole",
        "aws:sam/template.yaml#WorkerRole",
    ]
    api = inventory.identities["aws:sam/template.yaml#ApiRole"]
    assert (api.kind, api.address, api.location.start_line, api.location.end_line) == (
        "role",
        "sam/template.yaml#ApiRole",
        14,
        36,
    )
    assert api.tags == (("expires", "2027-03-31"), ("owner", "team-orders"))  # Globals tags merge
    assert api.lifecycle.owner == Fact("team-orders", "tag:owner", Location("sam/template.yaml", 8, 8))
    assert [(u.workload, u.kind) for u in inventory.usages_of(api.id)] == [
        ("sam/template.yaml#Api", "AWS::Serverless::Function")
    ]
    assert [p for t in inventory.trusts_of(api.id) for p in t.principals] == [
        TrustPrincipal("Service", "lambda.amazonaws.com")
    ]
    assert [(g.via, g.permissions[:2], g.scope, g.location.start_line) for g in inventory.grants_of(api.id)] == [
        (
            "SAM policy template DynamoDBCrudPolicy",
            ("dynamodb:GetItem", "dynamodb:DeleteItem"),
            (
                "arn:aws:dynamodb:${AWS::Region}:${current_account}:table/orders",
                "arn:aws:dynamodb:${AWS::Region}:${current_account}:table/orders/index/*",
            ),
            22,
        ),
        (
            "SAM policy template S3ReadPolicy",
            ("s3:GetObject", "s3:ListBucket"),
            ("arn:aws:s3:::${sam/template.yaml#OrdersBucket}", "arn:aws:s3:::${sam/template.yaml#OrdersBucket}/*"),
            24,
        ),
        (
            "SAM policy template SQSSendMessagePolicy",
            ("sqs:SendMessage*",),
            ("arn:aws:sqs:${AWS::Region}:${current_account}:${sam/template.yaml#Queue.QueueName}",),
            26,
        ),
        (
            "inline policy in Policies of sam/template.yaml#Api",
            ("ssm:GetParameter",),
            ("arn:aws:ssm:${AWS::Region}:${current_account}:parameter/orders/*",),
            29,
        ),
        (
            "managed policy attached by role SAM generates for sam/template.yaml#Api",
            ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",),
            (),
            14,
        ),
        (
            "managed policy attached by role SAM generates for sam/template.yaml#Api",
            ("arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",),
            (),
            14,
        ),
        (
            "managed policy attached by role SAM generates for sam/template.yaml#Api",
            ("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",),
            (),
            14,
        ),
    ]
    worker = inventory.identities["aws:sam/template.yaml#WorkerRole"]
    assert inventory.grants_of(worker.id) == []  # with Role, SAM ignores Policies
    assert [u.workload for u in inventory.usages_of(worker.id)] == ["sam/template.yaml#Worker"]
    odd = inventory.grants_of("aws:sam/template.yaml#OddRole")
    assert [(g.via, g.unknown) for g in odd if g.unknown] == [
        (
            "SAM policy template SQSPollerPolicy",
            "Fn::ImportValue (a value exported by another stack) is evaluated only at deploy",
        ),
        ("SAM policy template NotARealTemplate", "NotARealTemplate is not a SAM policy template"),
    ]
    assert triples(report) == [
        ("NHI-EXP-004", "sam/template.yaml", 38, "aws:sam/template.yaml#AdminRole"),
        ("NHI-PRIV-004", "sam/template.yaml", 42, "aws:sam/template.yaml#AdminRole"),
        ("NHI-EXP-004", "sam/template.yaml", 51, "aws:sam/template.yaml#WorkerRole"),
        ("NHI-EXP-004", "sam/template.yaml", 61, "aws:sam/template.yaml#OddRole"),
        ("NHI-PRIV-004", "sam/template.yaml", 68, "aws:sam/template.yaml#OddRole"),
    ]


JSON_TEMPLATE = """
{
\t"AWSTemplateFormatVersion": "2010-09-09",
\t"Resources": {
\t\t"BuildRole": {
\t\t\t"Type": "AWS::IAM::Role",
\t\t\t"Properties": {
\t\t\t\t"RoleName": "cfn-builder",
\t\t\t\t"AssumeRolePolicyDocument": {
\t\t\t\t\t"Statement": [{
\t\t\t\t\t\t"Effect": "Allow",
\t\t\t\t\t\t"Principal": {"Federated": {"Fn::GetAtt": ["GitHub", "Arn"]}},
\t\t\t\t\t\t"Action": "sts:AssumeRoleWithWebIdentity",
\t\t\t\t\t\t"Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}
\t\t\t\t\t}]
\t\t\t\t},
\t\t\t\t"Tags": [{"Key": "owner", "Value": "team-build"}, {"Key": "retire-on", "Value": "runner decommissioned"}]
\t\t\t}
\t\t},
\t\t"GitHub": {
\t\t\t"Type": "AWS::IAM::OIDCProvider",
\t\t\t"Properties": {"Url": "https://token.actions.githubusercontent.com", "ClientIdList": ["sts.amazonaws.com"]}
\t\t},
\t\t"Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": "BuildRole"}]}},
\t\t"Runner": {"Type": "AWS::EC2::Instance", "Properties": {"IamInstanceProfile": {"Ref": "Profile"}}},
\t\t"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": "arn:aws:iam::123456789012:role/tf-worker"}},
\t\t"Token": {
\t\t\t"Type": "AWS::SecretsManager::Secret",
\t\t\t"Properties": {"Name": "partner-token", "SecretString": "not-a-real-token"}
\t\t},
\t\t"TokenRotation": {
\t\t\t"Type": "AWS::SecretsManager::RotationSchedule",
\t\t\t"Properties": {"SecretId": {"Ref": "Token"}, "RotationRules": {"AutomaticallyAfterDays": 30}}
\t\t},
\t\t"Generated": {"Type": "AWS::SecretsManager::Secret", "Properties": {"GenerateSecretString": {}}},
\t\t"Network": {
\t\t\t"Type": "AWS::CloudFormation::Stack",
\t\t\t"Properties": {"TemplateURL": "https://s3.amazonaws.com/acme/network.yaml"}
\t\t}
\t}
}
"""

TERRAFORM = """
resource "aws_iam_role_policy_attachment" "builder_admin" {
  role       = "cfn-builder"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role" "worker" {
  name               = "tf-worker"
  assume_role_policy = "{}"
  tags = { owner = "team-build", expires = "2027-01-31" }
}
"""


def test_json_template_and_links_across_formats(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"build.template.json": JSON_TEMPLATE, "main.tf": TERRAFORM})
    inventory = report.inventory
    assert inventory.errors == []
    build = inventory.identities["aws:build.template.json#BuildRole"]
    assert (build.location.start_line, build.location.end_line) == (4, 18)
    [trust] = inventory.trusts_of(build.id)
    assert trust.principals == (TrustPrincipal("Federated", "oidc-provider/token.actions.githubusercontent.com"),)
    assert trust.location.start_line == 9
    # a Terraform attachment by literal role name, an EC2 instance through the instance profile
    assert [(g.permissions, g.location.path) for g in inventory.grants_of(build.id)] == [
        (("arn:aws:iam::aws:policy/AdministratorAccess",), "main.tf")
    ]
    assert [u.workload for u in inventory.usages_of(build.id)] == ["build.template.json#Runner"]
    # a template function running as a Terraform role named in an ARN
    assert [u.workload for u in inventory.usages_of("aws:aws_iam_role.worker")] == ["build.template.json#Fn"]
    token, generated = (c for c in inventory.credentials if c.kind == "secret")
    assert token.rotation == Fact(
        "every 30 days", "build.template.json#TokenRotation", Location("build.template.json", 30, 33)
    )
    assert generated.rotation is None
    assert [(s.address, s.attribute, s.location.start_line) for s in inventory.literal_secrets] == [
        ("build.template.json#Token", "SecretString", 28)
    ]
    assert [(u.what, u.location.start_line) for u in inventory.unresolved] == [
        ("nested stack build.template.json#Network", 35)
    ]
    assert triples(report) == [
        ("NHI-EXP-004", "build.template.json", 4, "aws:build.template.json#BuildRole"),
        ("NHI-TRUST-003", "build.template.json", 9, "aws:build.template.json#BuildRole"),
        ("NHI-OWN-001", "build.template.json", 26, "aws:build.template.json#Token"),
        ("NHI-CRED-002", "build.template.json", 28, None),
        ("NHI-EXP-001", "build.template.json", 34, "aws:build.template.json#Generated"),
        ("NHI-OWN-001", "build.template.json", 34, "aws:build.template.json#Generated"),
        ("NHI-RET-001", "build.template.json", 34, "aws:build.template.json#Generated"),  # nobody's, not rotated
        ("NHI-PARSE-002", "build.template.json", 35, None),
        ("NHI-PRIV-004", "main.tf", 1, "aws:build.template.json#BuildRole"),
    ]


def test_broken_template_is_a_parse_error_and_the_rest_is_scanned(tmp_path: Path) -> None:
    files = {
        "broken.yaml": """
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              Role:
                Type: AWS::IAM::Role
                Properties:
                  ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess
                  RoleName: x
            """,
        "partial.yaml": """
            Resources:
              NoType:
                Properties: {}
              Key:
                Type: AWS::IAM::AccessKey
                Properties: {UserName: ci}
            """,
        "serverless.yml": """
            service: not-a-template
            resources:
              Resources:
                Bucket: {Type: "AWS::S3::Bucket"}
            """,
        "main.tf": 'resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n',
    }
    report = scan_tree(tmp_path, files)
    assert [(e.path, e.line) for e in report.inventory.errors] == [("broken.yaml", 7), ("partial.yaml", 2)]
    assert report.inventory.errors[1].reason == "resource NoType has no Type"
    assert triples(report, "NHI-PARSE") == [
        ("NHI-PARSE-001", "broken.yaml", 7, None),
        ("NHI-PARSE-001", "partial.yaml", 2, None),
    ]
    # the Terraform user is still scanned, and the key in the partial template is linked to it by name
    assert [c.of for c in report.inventory.credentials] == ["aws:aws_iam_user.ci"]
    assert ("NHI-CRED-001", "partial.yaml", 4, "aws:partial.yaml#Key") in triples(report)


SUPPRESSED = """
Resources:
  Deployer:
    Type: AWS::IAM::Role
    Metadata:
      nhilint:
        owner: team-platform
        ignore:
          - rule: NHI-PRIV-004
            reason: break-glass role, reviewed quarterly (SEC-12)
            until: 2027-01-31
          - {rule: NHI-EXP-004, reason: old exception, until: 2025-01-01}
          - rule: NHI-RET-001
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: codebuild.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]

  # nhilint:ignore NHI-OWN-001 -- owned by whoever runs the stack
  Reader:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
      Tags: [{Key: expires, Value: "2027-02-01"}, {Key: retire-on, Value: project end}]
"""


def test_metadata_and_comment_suppressions(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"iam.yaml": SUPPRESSED})
    assert sorted((s.finding.rule_id, s.finding.location.start_line, s.reason) for s in report.suppressed) == [
        ("NHI-OWN-001", 19, "owned by whoever runs the stack"),
        ("NHI-PRIV-004", 16, "break-glass role, reviewed quarterly (SEC-12)"),
    ]
    assert [a.text for a in report.inventory.annotations if a.verb == "ignore"] == [
        "NHI-OWN-001 -- owned by whoever runs the stack",
        "NHI-PRIV-004 -- break-glass role, reviewed quarterly (SEC-12) until 2027-01-31",
        "NHI-EXP-004 -- old exception until 2025-01-01",
        "NHI-RET-001",
    ]
    assert triples(report) == [
        ("NHI-EXP-004", "iam.yaml", 2, "aws:iam.yaml#Deployer"),
        ("NHI-RET-001", "iam.yaml", 2, "aws:iam.yaml#Deployer"),
        ("NHI-SUPP-001", "iam.yaml", 11, None),  # expired
        ("NHI-SUPP-001", "iam.yaml", 12, None),  # no reason
    ]


def test_without_aws_sam_translator_policy_templates_are_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sam, "find_spec", lambda name: None)
    report = scan_tree(
        tmp_path,
        {
            "template.yaml": """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Policies:
                - AdministratorAccess
                - S3CrudPolicy: {BucketName: data}
        """
        },
    )
    grants = report.inventory.grants_of("aws:template.yaml#FnRole")
    assert [(g.permissions, g.unknown) for g in grants] == [
        ((), "SAM policy templates need the aws-sam-translator package, which is not installed"),
        (("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",), None),
        (("arn:aws:iam::aws:policy/AdministratorAccess",), None),
    ]
    assert ("NHI-PRIV-004", "template.yaml", 6, "aws:template.yaml#FnRole") in triples(report)


# -- nested stacks, conditions, SAM Globals: the shapes real templates take -------------------------

ROOT_STACK = """
AWSTemplateFormatVersion: "2010-09-09"
Description: Root stack of the platform account (deployed after `aws cloudformation package`).
Parameters:
  Env:
    Type: String
    Default: prod
Resources:
  Iam:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./nested/iam.yaml
      Parameters:
        Env: !Ref Env
  Network:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ../shared/network.yaml
  Audit:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: nested/audit.yaml
  Dns:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://acme-cfn.s3.eu-west-1.amazonaws.com/dns/v3.yaml
"""

NESTED_IAM = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
Resources:
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub "platform-deploy-${Env}"
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: codebuild.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
      Tags: [{Key: owner, Value: team-platform}]
"""

SHARED_NETWORK = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  FlowLogsRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: vpc-flow-logs.amazonaws.com}, Action: sts:AssumeRole}]
"""

NESTED = {"stacks/root.yaml": ROOT_STACK, "stacks/nested/iam.yaml": NESTED_IAM, "shared/network.yaml": SHARED_NETWORK}


def test_nested_stacks_local_templates_are_scanned_the_rest_reported(tmp_path: Path) -> None:
    """Scanning `stacks/` only: the local child under it is read on its own; every other child is named.

    `../shared/network.yaml` exists but is outside the scanned paths, `nested/audit.yaml` does not exist,
    and the S3 template is fetched at deploy: none of their identities can be in the inventory, so each is
    an NHI-PARSE-002 on the line of its `AWS::CloudFormation::Stack` rather than silence.
    """
    write_tree(tmp_path, NESTED)
    report = scan([tmp_path / "stacks"], config_for(tmp_path), tmp_path)
    assert report.inventory.files == ["stacks/nested/iam.yaml", "stacks/root.yaml"]
    assert sorted(report.inventory.identities) == ["aws:stacks/nested/iam.yaml#DeployRole"]
    deploy = report.inventory.identities["aws:stacks/nested/iam.yaml#DeployRole"]
    assert deploy.name == Unknown("parameter Env has no Default; its value is given at deploy")  # not the parent's
    assert report.inventory.unresolved == [
        Unresolved(
            "nested stack stacks/root.yaml#Network",
            "the local template ../shared/network.yaml (shared/network.yaml) is not among the scanned templates",
            Location("stacks/root.yaml", 14, 17),
        ),
        Unresolved(
            "nested stack stacks/root.yaml#Audit",
            "the local template nested/audit.yaml (stacks/nested/audit.yaml) does not exist",
            Location("stacks/root.yaml", 18, 21),
        ),
        Unresolved(
            "nested stack stacks/root.yaml#Dns",
            "https://acme-cfn.s3.eu-west-1.amazonaws.com/dns/v3.yaml is read at deploy; nhilint does not fetch it",
            Location("stacks/root.yaml", 22, 25),
        ),
    ]
    assert triples(report) == [
        ("NHI-EXP-004", "stacks/nested/iam.yaml", 6, "aws:stacks/nested/iam.yaml#DeployRole"),
        ("NHI-RET-001", "stacks/nested/iam.yaml", 6, "aws:stacks/nested/iam.yaml#DeployRole"),
        ("NHI-PRIV-004", "stacks/nested/iam.yaml", 12, "aws:stacks/nested/iam.yaml#DeployRole"),
        ("NHI-PARSE-002", "stacks/root.yaml", 14, None),
        ("NHI-PARSE-002", "stacks/root.yaml", 18, None),
        ("NHI-PARSE-002", "stacks/root.yaml", 22, None),
    ]


def test_nested_stack_in_the_scan_is_not_reported(tmp_path: Path) -> None:
    """Scanning the whole tree: the shared child is scanned too, so only the missing and remote ones remain."""
    report = scan_tree(tmp_path, NESTED)
    assert sorted(report.inventory.identities) == [
        "aws:shared/network.yaml#FlowLogsRole",
        "aws:stacks/nested/iam.yaml#DeployRole",
    ]
    assert [(u.what, u.location.start_line) for u in report.inventory.unresolved] == [
        ("nested stack stacks/root.yaml#Audit", 18),
        ("nested stack stacks/root.yaml#Dns", 22),
    ]
    assert ("NHI-OWN-001", "shared/network.yaml", 3, "aws:shared/network.yaml#FlowLogsRole") in triples(report)


CONDITIONS = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    AllowedValues: [prod, staging]
    Default: staging
  EnableBreakGlass:
    Type: String
    AllowedValues: ["true", "false"]
    Default: "false"
  VendorAccount:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  BreakGlass: !And [!Condition IsProd, !Equals [!Ref EnableBreakGlass, "true"]]
  HasVendor: !Not [!Equals [!Ref VendorAccount, ""]]
Resources:
  BreakGlassRole:
    Type: AWS::IAM::Role
    Condition: BreakGlass
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {AWS: arn:aws:iam::111122223333:root}, Action: sts:AssumeRole}]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
  VendorRole:
    Type: AWS::IAM::Role
    Condition: HasVendor
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${VendorAccount}:root"}
            Action: sts:AssumeRole
      Tags: [{Key: owner, Value: team-vendors}]
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns:
        - !If [IsProd, arn:aws:iam::aws:policy/ReadOnlyAccess, arn:aws:iam::aws:policy/AdministratorAccess]
      Policies:
        - !If
          - HasVendor
          - PolicyName: vendor-bucket
            PolicyDocument:
              Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]
          - !Ref AWS::NoValue
      Tags: [{Key: owner, Value: team-app}]
"""


def test_conditions_follow_the_parameter_defaults_and_stay_unknown_without_one(tmp_path: Path) -> None:
    """Defaults decide (staging: no break-glass role, the staging branch of `!If`); a condition on a parameter
    without Default keeps its resource (it may be created) and turns what depends on it into an unknown."""
    report = scan_tree(tmp_path, {"app.yaml": CONDITIONS})
    inventory = report.inventory
    assert inventory.errors == []
    assert sorted(inventory.identities) == ["aws:app.yaml#AppRole", "aws:app.yaml#VendorRole"]
    reason = "parameter VendorAccount has no Default; its value is given at deploy"
    assert [(g.permissions, g.location.start_line, g.unknown) for g in inventory.grants_of("aws:app.yaml#AppRole")] == [
        ((), 42, f"condition HasVendor could not be evaluated: {reason}"),
        (("arn:aws:iam::aws:policy/AdministratorAccess",), 40, None),
    ]
    [vendor_trust] = inventory.trusts_of("aws:app.yaml#VendorRole")
    assert vendor_trust.principals == (TrustPrincipal("AWS", Unknown(reason)),)
    assert [
        (f.rule_id, f.location.start_line, f.identity, f.unknown)
        for f in report.findings
        if f.rule_id.startswith(("NHI-PRIV", "NHI-TRUST", "NHI-OWN"))
    ] == [
        ("NHI-TRUST-002", 31, "aws:app.yaml#VendorRole", True),
        ("NHI-PRIV-004", 40, "aws:app.yaml#AppRole", False),
        ("NHI-PRIV-001", 42, "aws:app.yaml#AppRole", True),
    ]


def test_conditions_for_production_defaults(tmp_path: Path) -> None:
    """The same template with prod and break-glass as defaults: the other branch and the other resource."""
    prod = CONDITIONS.replace("Default: staging", "Default: prod").replace('Default: "false"', 'Default: "true"')
    report = scan_tree(tmp_path, {"app.yaml": prod})
    assert sorted(report.inventory.identities) == [
        "aws:app.yaml#AppRole",
        "aws:app.yaml#BreakGlassRole",
        "aws:app.yaml#VendorRole",
    ]
    assert [
        (g.permissions, g.location.start_line)
        for g in report.inventory.grants_of("aws:app.yaml#AppRole")
        if not g.unknown
    ] == [(("arn:aws:iam::aws:policy/ReadOnlyAccess",), 40)]
    assert [(f.location.start_line, f.identity) for f in report.findings if f.rule_id == "NHI-PRIV-004"] == [
        (24, "aws:app.yaml#BreakGlassRole")
    ]


SAM_GLOBALS = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: Orders service.
Globals:
  Function:
    Runtime: python3.12
    Timeout: 30
    Tracing: Active
    PermissionsBoundary: !Sub "arn:aws:iam::${AWS::AccountId}:policy/workload-boundary"
    Tags:
      owner: team-orders
      cost-center: "4711"
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Handler: api.handler
      CodeUri: src/
      Tags:
        expires: "2027-03-31"
      Policies:
        - DynamoDBReadPolicy:
            TableName: orders

  Legacy:
    Type: AWS::Serverless::Function
    Properties:
      Handler: legacy.handler
      CodeUri: src/
      Tracing: Disabled
      Tags:
        owner: team-legacy
      Policies:
        - AdministratorAccess

  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: worker.handler
      CodeUri: src/
      Role: !GetAtt WorkerRole.Arn

  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]
"""


def test_sam_globals_apply_to_generated_roles_only(tmp_path: Path) -> None:
    """Globals give every generated role its owner, boundary and X-Ray policy; a function overrides a value
    (Legacy: its own owner, no tracing); an `AWS::IAM::Role` written out gets nothing from Globals."""
    report = scan_tree(tmp_path, {"template.yaml": SAM_GLOBALS})
    identities = report.inventory.identities
    assert sorted(identities) == [
        "aws:template.yaml#ApiRole",
        "aws:template.yaml#LegacyRole",
        "aws:template.yaml#WorkerRole",
    ]
    boundary = (("permissions_boundary", "arn:aws:iam::${current_account}:policy/workload-boundary"),)
    api, legacy, worker = (identities[f"aws:template.yaml#{n}"] for n in ("ApiRole", "LegacyRole", "WorkerRole"))
    assert (api.tags, api.attributes, api.lifecycle.owner) == (
        (("cost-center", "4711"), ("expires", "2027-03-31"), ("owner", "team-orders")),
        boundary,
        Fact("team-orders", "tag:owner", Location("template.yaml", 11, 11)),
    )
    assert (legacy.tags, legacy.attributes, legacy.lifecycle.owner) == (
        (("cost-center", "4711"), ("owner", "team-legacy")),
        boundary,
        Fact("team-legacy", "tag:owner", Location("template.yaml", 32, 32)),
    )
    assert (worker.tags, worker.attributes, worker.lifecycle.owner) == ((), (), None)
    xray = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"
    assert [xray in g.permissions for g in report.inventory.grants_of(api.id)].count(True) == 1
    assert not any(xray in g.permissions for g in report.inventory.grants_of(legacy.id))
    assert triples(report) == [
        ("NHI-EXP-004", "template.yaml", 25, "aws:template.yaml#LegacyRole"),
        ("NHI-PRIV-004", "template.yaml", 33, "aws:template.yaml#LegacyRole"),
        ("NHI-EXP-004", "template.yaml", 43, "aws:template.yaml#WorkerRole"),
        ("NHI-OWN-001", "template.yaml", 43, "aws:template.yaml#WorkerRole"),
    ]
