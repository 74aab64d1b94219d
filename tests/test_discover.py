"""Discovery: Terraform by suffix, YAML/JSON by content, ignores honoured."""

from __future__ import annotations

from pathlib import Path

from nhilint.discover import discover, kind_of
from tests.helpers import write_tree


def test_classifies_by_content_not_name(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "main.tf": "",
        "stack.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n",
        "sam.yml": "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n",
        "cfn.json": '{"Resources": {"R": {"Type": "AWS::IAM::Role"}}}',
        "deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\n",
        "plan.json": '{"format_version": "1.2", "planned_values": {}}',
        "kustomization.yaml": "resources: [deploy.yaml]\n",
        "values.yaml": "replicas: 3\n",
        "package.json": '{"name": "x"}',
    })
    kinds = {p.name: kind_of(p) for p in tmp_path.iterdir()}
    assert kinds == {
        "main.tf": "terraform", "stack.yaml": "cloudformation", "sam.yml": "cloudformation",
        "cfn.json": "cloudformation", "deploy.yaml": "kubernetes", "plan.json": "tfplan",
        "kustomization.yaml": "kustomize", "values.yaml": None, "package.json": None,
    }


def test_gitignore_and_exclude(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": "build/\n", "a/main.tf": "", "build/x.tf": "", "legacy/y.tf": ""})
    found = discover([tmp_path], tmp_path, ("legacy/*",))
    assert [p.relative_to(tmp_path).as_posix() for p in found.terraform] == ["a/main.tf"]
