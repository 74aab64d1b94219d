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


def test_a_new_identity_sums_up_its_grants_and_an_existing_one_lists_them(tmp_path: Path) -> None:
    """README: the grants of an identity the change adds are in its `adds identity` line, not listed again."""
    admin = role('"arn:aws:iam::111122223333:root"') + (
        '\nresource "aws_iam_role_policy_attachment" "admin" {\n  role       = aws_iam_role.vendor.name\n'
        '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n'
    )
    assert messages(tmp_path / "new", {}, {"main.tf": admin}) == [
        "adds identity aws:aws_iam_role.vendor (owner team-a)"
    ]
    assert messages(tmp_path / "old", {"main.tf": role('"arn:aws:iam::111122223333:root"')}, {"main.tf": admin}) == [
        "adds grant arn:aws:iam::aws:policy/AdministratorAccess to aws:aws_iam_role.vendor "
        "(managed policy attached by aws_iam_role_policy_attachment.admin)"
    ]
