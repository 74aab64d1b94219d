"""CloudFormation is told from other YAML/JSON by substring tests before a regex: the same files as the single
regex `classify` used before, found without scanning a large manifest that merely mentions AWS."""

from __future__ import annotations

import random
import re

import pytest

from nhilint.discover import classify, cloudformation

# The single regex `classify` used before its substring fast path: `cloudformation` must agree with it.
_CFN_REFERENCE = re.compile(
    r"""AWSTemplateFormatVersion|["']?Type["']?\s*:\s*["']?AWS::[A-Za-z0-9]+::|AWS::Serverless"""
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AWSTemplateFormatVersion: '2010-09-09'\n", True),
        ('{"AWSTemplateFormatVersion": "2010-09-09"}', True),
        ("Transform: AWS::Serverless-2016-10-31\n", True),
        ("Resources:\n  R:\n    Type: AWS::IAM::Role\n", True),
        ('{"R": {"Type": "AWS::S3::Bucket"}}', True),
        ("R: {'Type': 'AWS::SQS::Queue'}", True),
        ("Type  :\t\n  AWS::EC2::Instance", True),  # whitespace, newlines included, around the colon
        ('Type" : "AWS::SNS::Topic', True),  # an opening quote is optional
        ("ResourceType: AWS::IAM::Role", True),  # as before: `Type` need not start a word
        ("Type: Custom::Thing\nother: AWS::IAM::Role", False),  # `AWS::` not after `Type:`
        ("Type: AWS::IAM", False),  # no second `::`
        ("Type: AWS::-::", False),  # the service must be alphanumeric
        ("Type: aws::iam::role", False),  # case matters
        ("type: AWS::IAM::Role", False),
        ("Type: 'AWS::IAM::Role'", True),
        ("Type: ''AWS::IAM::Role", False),  # at most one quote
        ("Type:: AWS::IAM::Role", False),
        ("description: supports AWS SigV4 and AWS::Region lookups\n", False),  # a CRD mentioning AWS
        ("AWSTemplateFormat: x", False),
        ("AWS::Serverles", False),
        ("", False),
    ],
)
def test_cloudformation_markers(text: str, expected: bool) -> None:
    assert cloudformation(text) is expected
    assert (_CFN_REFERENCE.search(text) is not None) is expected


def test_cloudformation_fast_path_agrees_with_the_single_regex() -> None:
    """Random texts built from the markers' pieces: the substring tests never change the answer."""
    pieces = ["Type", "type", '"', "'", " ", "\t", "\n", ":", "::", "AWS", "AWS::", "IAM", "Role", "-", "x",
              "AWSTemplateFormatVersion", "AWS::Serverless", "Serverless", "Resource"]  # fmt: skip
    chooser = random.Random(13)
    for _ in range(20_000):
        text = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 12)))
        assert cloudformation(text) is (_CFN_REFERENCE.search(text) is not None), text


def test_a_large_manifest_mentioning_aws_is_kubernetes() -> None:
    head = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n" + (
        "  description: AWS SigV4 for the remote write; region e.g. AWS::Region\n" * 20_000
    )
    assert classify("crd.yaml", head) == "kubernetes"
    assert classify("crd.yaml", head + "  x:\n    Type: AWS::IAM::Role\n") == "cloudformation"
