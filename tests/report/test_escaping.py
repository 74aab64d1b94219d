"""A newline (or any control character) in a file name or a value cannot start a line of its own in a
human-facing output: no forged GitHub workflow command (`::error …`), no broken table row, no forged finding.
One layer does it (nhilint/report/escape.py); CSV cells are also kept from starting a spreadsheet formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from nhilint.cli import main
from nhilint.report.escape import csv_cell, markdown_cell, printable
from tests.helpers import write_tree

EVIL = "evil\n::error file=x,line=1::forged.tf"
SHOWN = "evil\\n::error file=x,line=1::forged.tf"
TREE = {
    EVIL: """
        # nhilint:ignore NHI-EXP-004 -- reviewed by platform
        resource "aws_iam_role" "u" {
          name               = "u"
          assume_role_policy = "{}"
          tags               = { owner = "x\\n::error::fake", purpose = "=HYPERLINK(\\"http://x\\")" }
        }
        """,
}


def _run(tmp_path: Path, *args: str) -> str:
    root = write_tree(tmp_path / "src", TREE)
    target = tmp_path / "out"
    assert main([*args, str(root), "--no-cache", "--today", "2026-11-22", "-o", str(target)]) in (0, 1)
    text = target.read_text(encoding="utf-8")
    assert not [line for line in text.splitlines() if line.startswith(("::error file=x", "::error::fake"))], text
    return text


def test_explain_identity(tmp_path: Path) -> None:
    lines = _run(tmp_path, "explain-identity", "u").splitlines()
    assert lines[:4] == [
        "aws:aws_iam_role.u",
        f"  role (aws) at {SHOWN}:2",
        "  name: u",
        f"  owner: x\\n::error::fake (from tag:owner, {SHOWN}:5)",
    ]
    assert (
        f"  {SHOWN}:2: NHI-RET-001 medium role aws_iam_role.u has no retirement hook: no retire-on tag and no "
        "workload in the scanned code uses it" in lines
    )


def test_inventory_markdown(tmp_path: Path) -> None:
    assert _run(tmp_path, "inventory", "-f", "markdown").splitlines()[2] == (
        f"| aws:aws_iam_role.u | role | {SHOWN}:2 | x\\n::error::fake | - | - | - | - | - | - |"
    )


def test_inventory_csv(tmp_path: Path) -> None:
    text = _run(tmp_path, "inventory", "-f", "csv")
    assert text.splitlines()[1] == (
        f'aws:aws_iam_role.u,role,"{SHOWN}:2",x\\n::error::fake,"\'=HYPERLINK(""http://x"")",-,-,-,0,-,-,-,-,-'
    )
    row = next(iter(csv.DictReader(io.StringIO(text))))
    assert (row["owner"], row["purpose"]) == ("x\\n::error::fake", '\'=HYPERLINK("http://x")')


def test_inventory_table(tmp_path: Path) -> None:
    assert (
        _run(tmp_path, "inventory", "-f", "table")
        .splitlines()[1]
        .startswith("aws:aws_iam_role.u  role  x\\n::error::fake  -")
    )


def test_suppressions(tmp_path: Path) -> None:
    assert _run(tmp_path, "suppressions").splitlines()[0] == (
        f"{SHOWN}:1: NHI-EXP-004 active, matches 1 finding -- reviewed by platform"
    )


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [
        ("text", f"  {SHOWN}:2: NHI-RET-001 medium"),
        ("markdown", f"| `{SHOWN}:2` | NHI-RET-001 | medium |"),
        ("github", "::warning file=evil%0A%3A%3Aerror file=x%2Cline=1%3A%3Aforged.tf,line=2,endLine=6,"),
    ],
)
def test_scan(tmp_path: Path, fmt: str, shown: str) -> None:
    """`scan` escaped before this layer existed; GitHub annotations keep their own (percent) encoding."""
    assert shown in _run(tmp_path, "scan", "-f", fmt)


def test_the_layer() -> None:
    assert printable("a\nb\x1b[31m\u202e") == "a\\nb\\x1b[31m\\u202e"
    assert markdown_cell("a|b\nc") == "a\\|b\\nc"
    assert [csv_cell(v) for v in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "-", "@org/team", "a\nb", None, True)] == [
        "'=1+1", "'+1", "'-2", "'@SUM(A1)", "\\tx", "-", "@org/team", "a\\nb", "", "true"
    ]  # fmt: skip


def test_explain_identity_candidates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    role = """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          AppRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
        """
    root = write_tree(tmp_path, {"a\n::error::x.yaml": role, "b.yaml": role})
    assert main(["explain-identity", "AppRole", str(root), "--no-cache"]) == 2
    assert capsys.readouterr().err.splitlines()[-3:] == [
        "Error: 'AppRole' matches 2 identities; give one of:",
        "  aws:a\\n::error::x.yaml#AppRole",
        "  aws:b.yaml#AppRole",
    ]


def test_scan_markdown_keeps_a_pipe_in_a_path_in_its_cell(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "src",
        {"x|y.tf": 'resource "aws_iam_role" "u" {\n  name               = "u"\n  assume_role_policy = "{}"\n}\n'},
    )
    target = tmp_path / "out"
    assert main(["scan", "-f", "markdown", str(root), "--no-cache", "--today", "2026-11-22", "-o", str(target)]) == 1
    rows = [line for line in target.read_text(encoding="utf-8").splitlines() if line.startswith("| `x")]
    assert rows and all(row.startswith("| `x\\|y.tf:1` | NHI-") for row in rows), rows
    assert all(row.replace("\\|", "").count("|") == 5 for row in rows), rows  # four cells
