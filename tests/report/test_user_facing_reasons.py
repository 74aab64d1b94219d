"""Reasons in findings say what the user wrote, in their words: no internal class names (`LDict`), no
construct cut in half (`Fn`), no absolute path of the machine that ran the scan."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.values import LDict, Ref, Unknown, kind_of
from tests.helpers import scan_tree

ROLE = """
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Ref Channel
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}
      Tags:
        - Key: owner
          Value: !Join ["-", ["team", {}]]
"""


def _messages(tmp_path: Path, files: dict[str, str], rule_id: str) -> list[tuple[str, int, str]]:
    report = scan_tree(tmp_path, files)
    return [(f.location.path, f.location.start_line, f.message) for f in report.findings if f.rule_id == rule_id]


def test_a_mapping_where_a_string_is_expected(tmp_path: Path) -> None:
    stack = 'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  Channel: {Type: String, Default: !Ref Other}\n'
    report = scan_tree(tmp_path, {"stack.yaml": stack + "Resources:" + ROLE})
    role = report.inventory.identities["aws:stack.yaml#AppRole"]
    assert str(role.name) == "<unknown: a mapping where a string is expected>"
    assert [(f.location.start_line, f.message) for f in report.findings if f.rule_id == "NHI-OWN-001"] == [
        (14, "could not evaluate the owner of role stack.yaml#AppRole: a mapping where a string is expected")
    ]


def test_for_each_is_named_whole(tmp_path: Path) -> None:
    stack = """
        AWSTemplateFormatVersion: "2010-09-09"
        Transform: AWS::LanguageExtensions
        Resources:
          Fn::ForEach::Workers:
            - Team
            - [payments, billing]
            - ${Team}WorkerRole:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
        """
    assert _messages(tmp_path, {"stack.yaml": stack}, "NHI-PARSE-002") == [
        (
            "stack.yaml",
            4,
            "Fn::ForEach::Workers was not scanned: the template uses Fn::ForEach of the AWS::LanguageExtensions "
            "transform, which nhilint does not expand; the identities and grants it makes are not checked",
        )
    ]


def test_unreadable_file_is_named_relative_to_the_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An OSError's text names the absolute path; the finding names the file as every other output does."""
    read_text = Path.read_text

    def refuse(self: Path, *args: object, **kwargs: object) -> str:
        if self.name == "noread.tf":
            raise PermissionError(13, "Permission denied", str(self.absolute()))
        return read_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", refuse)
    found = _messages(tmp_path, {"noread.tf": 'resource "aws_iam_role" "r" {\n  name = "r"\n}\n'}, "NHI-PARSE-001")
    assert found == [
        ("noread.tf", 1, "cannot parse noread.tf: cannot read file: [Errno 13] Permission denied: 'noread.tf'")
    ]
    assert str(tmp_path) not in repr(found)


def test_kind_of() -> None:
    kinds = [LDict(), [], "x", True, 3, None, Ref(("aws_iam_role", "r")), Unknown("r"), object()]
    assert [kind_of(v) for v in kinds] == [
        "a mapping", "a list", "a string", "a boolean", "a number", "null", "a reference",
        "a value nhilint cannot evaluate", "a value of another kind",
    ]  # fmt: skip
