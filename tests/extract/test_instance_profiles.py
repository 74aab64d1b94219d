"""Instance profiles: a handle on one role, so an instance that names the profile is a usage of the role.

The profile is not an identity of its own (it has no policy, cannot be assumed, holds no credential: EC2
hands the instance the role's session), so it is an alias that links resolve through, in every format.
"""

from __future__ import annotations

import json
from pathlib import Path

from nhilint.api import ScanOptions, scan
from tests.helpers import config_for, scan_tree, write_tree

TERRAFORM = """
resource "aws_iam_role" "web" {
  name               = "web"
  assume_role_policy = "{}"
}

resource "aws_iam_instance_profile" "web" {
  name = "web-profile"
  role = aws_iam_role.web.name
}

resource "aws_instance" "by_reference" {
  ami                  = "ami-0abc"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.web.name
}

resource "aws_instance" "by_name" {
  ami                  = "ami-0abc"
  instance_type        = "t3.micro"
  iam_instance_profile = "web-profile"
}

resource "aws_launch_template" "by_arn" {
  name = "web"
  iam_instance_profile {
    arn = "arn:aws:iam::111122223333:instance-profile/web-profile"
  }
}

resource "aws_instance" "elsewhere" {
  ami                  = "ami-0abc"
  instance_type        = "t3.micro"
  iam_instance_profile = "profile-of-another-stack"
}
"""

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: worker
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
  WorkerProfile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      InstanceProfileName: worker-profile
      Roles: [!Ref WorkerRole]
  WorkerTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        IamInstanceProfile:
          Arn: !GetAtt WorkerProfile.Arn
  Bastion:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0abc
      IamInstanceProfile: worker-profile
"""


def _used_by(inventory_usages: list[tuple[str, str]], identity: str) -> list[str]:
    return sorted(workload for ident, workload in inventory_usages if ident == identity)


def test_terraform_instances_run_as_the_role_of_their_profile(tmp_path: Path) -> None:
    inventory = scan_tree(tmp_path, {"main.tf": TERRAFORM}).inventory
    usages = [(u.identity, u.workload) for u in inventory.usages]
    assert _used_by(usages, "aws:aws_iam_role.web") == [
        "aws_instance.by_name",
        "aws_instance.by_reference",
        "aws_launch_template.by_arn",
    ]
    assert "aws_instance.elsewhere" not in {w for _, w in usages}  # a profile outside the code: no edge
    assert sorted(inventory.identities) == ["aws:aws_iam_role.web"]  # the profile is no identity


def test_cloudformation_instances_run_as_the_role_of_their_profile(tmp_path: Path) -> None:
    inventory = scan_tree(tmp_path, {"template.yaml": TEMPLATE}).inventory
    usages = [(u.identity, u.workload) for u in inventory.usages]
    role = "aws:template.yaml#WorkerRole"
    assert _used_by(usages, role) == ["template.yaml#Bastion", "template.yaml#WorkerTemplate"]
    assert sorted(inventory.identities) == [role]


def test_plan_instance_runs_as_the_role_of_its_profile(tmp_path: Path) -> None:
    def change(type_: str, name: str, after: dict[str, object]) -> dict[str, object]:
        return {
            "address": f"{type_}.{name}",
            "mode": "managed",
            "type": type_,
            "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": {}},
        }

    plan = {
        "format_version": "1.2",
        "terraform_version": "1.11.0",
        "resource_changes": [
            change("aws_iam_role", "app", {"name": "app", "assume_role_policy": "{}", "tags": None}),
            change("aws_iam_instance_profile", "app", {"name": "app-profile", "role": "app"}),
            change("aws_instance", "app", {"ami": "ami-0abc", "iam_instance_profile": "app-profile"}),
        ],
    }
    write_tree(tmp_path, {})
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    inventory = scan([], config_for(tmp_path), tmp_path, ScanOptions(plans=(path,))).inventory
    assert [(u.identity, u.workload) for u in inventory.usages] == [("aws:aws_iam_role.app", "aws_instance.app")]
