"""Defects the properties found, each pinned as a plain regression test with the minimal example.

Each is `xfail(strict=True)`: when the defect is fixed the test passes, strict xfail turns that into a
failure, and the marker is to be removed with the fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.fingerprint import fingerprint
from tests.helpers import scan_tree

pytestmark = pytest.mark.fuzz

ROLE = '''
resource "aws_iam_role" "ci" {
  name = "ci"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
'''
READ = '''
resource "aws_iam_role_policy" "ci_read" {
  name   = "read"
  role   = aws_iam_role.ci.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["iam:CreateAccessKey"], Resource = "*" }] })
}
'''
WRITE = '''
resource "aws_iam_role_policy" "ci_write" {
  name   = "write"
  role   = aws_iam_role.ci.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = ["s3:PutObject", "iam:CreateAccessKey"], Resource = "*" }]
  })
}
'''


@pytest.mark.xfail(strict=True, reason=(
    "NHI-PRIV-006 (and every rule that joins several statements into its evidence) lists the statements in "
    "source order, so swapping two policy blocks changes the evidence text and therefore the finding's "
    "fingerprint: a baselined finding comes back as new after a block is moved (the message's location list "
    "is also sorted as text, main.tf:22 before main.tf:7)"))
def test_block_order_does_not_change_the_escalation_evidence(tmp_path: Path) -> None:
    one = scan_tree(tmp_path / "one", {"main.tf": ROLE + READ + WRITE})
    two = scan_tree(tmp_path / "two", {"main.tf": ROLE + WRITE + READ})
    (first,) = [f for f in one.findings if f.rule_id == "NHI-PRIV-006"]
    (second,) = [f for f in two.findings if f.rule_id == "NHI-PRIV-006"]
    assert first.identity == second.identity == "aws:aws_iam_role.ci"
    assert fingerprint(first) == fingerprint(second)
