"""Access changes between two inventories, without git: new principals, narrowing, moves."""

from __future__ import annotations

from pathlib import Path

from nhilint.access_diff import diff
from tests.helpers import scan_tree

ROLE = """
resource "aws_iam_role" "vendor" {
  name = "vendor"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
    Principal = { AWS = PRINCIPALS }, CONDITION }] })
  tags = { owner = "team-a" }
}
"""


def role(principals: str, condition: str = 'Condition = { StringEquals = { "sts:ExternalId" = "x1" } }') -> str:
    return ROLE.replace("PRINCIPALS", principals).replace("CONDITION", condition)


def messages(tmp_path: Path, before: dict[str, str], after: dict[str, str]) -> list[str]:
    base = scan_tree(tmp_path / "base", before).inventory
    head = scan_tree(tmp_path / "head", after).inventory
    return [c.message for c in diff(base, head)]


def test_a_new_principal_widens_the_trust(tmp_path: Path) -> None:
    one = '"arn:aws:iam::111122223333:root"'
    two = '["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]'
    assert messages(tmp_path, {"main.tf": role(one)}, {"main.tf": role(two)}) == [
        "widens the trust of aws:aws_iam_role.vendor to AWS arn:aws:iam::444455556666:root (sts:ExternalId x1)"
    ]


def test_removing_a_condition_widens_and_adding_one_narrows(tmp_path: Path) -> None:
    one = '"arn:aws:iam::111122223333:root"'
    open_role = role(one, 'Condition = { Bool = { "aws:SecureTransport" = "true" } }')
    assert messages(tmp_path / "a", {"main.tf": role(one)}, {"main.tf": open_role}) == [
        "widens the trust of aws:aws_iam_role.vendor (removes condition sts:ExternalId (x1))"
    ]
    assert (
        messages(
            tmp_path / "b",
            {"main.tf": open_role},
            {
                "main.tf": role(
                    one,
                    'Condition = { Bool = { "aws:SecureTransport" = "true" }, '
                    'StringEquals = { "sts:ExternalId" = "x1" } }',
                )
            },
        )
        == []
    )


def test_moving_and_reformatting_changes_nothing(tmp_path: Path) -> None:
    one = '"arn:aws:iam::111122223333:root"'
    moved = "# moved\n\n\n" + role(one).replace(" = ", "    =   ")
    assert messages(tmp_path, {"main.tf": role(one)}, {"other.tf": moved}) == []
