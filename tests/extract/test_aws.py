"""AWS extraction: identities, grants, trusts, usages and links resolved by reference and by name."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import scan_tree

ROLE = """
provider "aws" {
  default_tags {
    tags = { owner = "team-platform" }
  }
}

resource "aws_iam_role" "worker" {
  name               = "worker"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy_attachment" "by_name" {
  role       = "worker"
  policy_arn = aws_iam_policy.read.arn
}

resource "aws_iam_policy" "read" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = "${aws_s3_bucket.data.arn}/*"
    }]
  })
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = aws_iam_role.worker.arn
}
"""


def test_role_links_by_name_and_reference(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, {"main.tf": ROLE})
    inventory = report.inventory
    worker = inventory.identities["aws:aws_iam_role.worker"]
    assert worker.lifecycle.owner is not None
    assert worker.lifecycle.owner.value == "team-platform"
    assert worker.lifecycle.owner.source == "default_tags:owner"
    grants = inventory.grants_of(worker.id)
    assert [(g.permissions, g.scope, g.location.start_line) for g in grants] == [
        (("s3:GetObject",), ("${aws_s3_bucket.data.arn}/*",), 30)
    ]
    assert [u.workload for u in inventory.usages_of(worker.id)] == ["aws_lambda_function.fn"]
    trusts = inventory.trusts_of(worker.id)
    assert [(p.type, p.identifier) for t in trusts for p in t.principals] == [("Service", "lambda.amazonaws.com")]
    assert trusts[0].location.start_line == 13
