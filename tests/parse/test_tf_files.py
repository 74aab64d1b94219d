"""file()/templatefile() paths resolve as Terraform resolves them: from the root module's directory, whatever the
scan root and the process's directory; `path.module` is a child module's own directory; nothing outside the
scan root is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.api import scan
from nhilint.limits import Limits
from nhilint.parse.terraform import TerraformProject
from nhilint.values import Unknown
from tests.helpers import config_for, triples, write_tree

ADMIN = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
READ_ONLY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'

ROLE_WITH_POLICY = """
    resource "aws_iam_role" "deploy" {{
      name               = "deploy"
      assume_role_policy = "{{}}"
    }}

    resource "aws_iam_role_policy" "deploy" {{
      role   = aws_iam_role.deploy.id
      policy = {policy}
    }}
"""


PATHS_USER = 'resource "aws_iam_user" "{name}" {{\n  name = "${{path.module}}|${{path.root}}|${{path.cwd}}"\n}}\n'


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from a directory that is neither the scan root nor the root module's directory."""
    directory = tmp_path / "elsewhere"
    directory.mkdir()
    monkeypatch.chdir(directory)
    return directory


def test_relative_file_is_read_from_the_root_module_directory(tmp_path: Path, elsewhere: Path) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {
            "infra/main.tf": ROLE_WITH_POLICY.format(policy='file("admin.json")'),
            "infra/admin.json": ADMIN,
            "admin.json": READ_ONLY,  # at the scan root: not what Terraform reads
        },
    )
    expected = [("NHI-PRIV-004", "infra/admin.json", 1, "aws:infra/aws_iam_role.deploy")]
    action = scan([repo / "infra"], config_for(repo), repo)  # `nhilint scan infra/` from the repository
    assert triples(action, "NHI-PRIV-004") == expected
    # The hook, run from the repository root, names the files of the commit.
    precommit = scan([repo / "infra/main.tf", repo / "infra/admin.json"], config_for(repo), repo)
    assert triples(precommit, "NHI-PRIV-004") == expected


def test_child_module_reads_its_own_file_through_path_module(tmp_path: Path, elsewhere: Path) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {
            "infra/main.tf": 'module "deploy" {\n  source = "./modules/deploy"\n}\n',
            "infra/policy.json": READ_ONLY,
            "infra/modules/deploy/main.tf": ROLE_WITH_POLICY.format(
                policy='templatefile("${path.module}/policy.json.tpl", { action = "*" })'
            ),
            "infra/modules/deploy/policy.json.tpl": ADMIN.replace('"Action": "*"', '"Action": "${action}"'),
        },
    )
    report = scan([repo / "infra"], config_for(repo), repo)
    assert triples(report, "NHI-PRIV-004") == [
        ("NHI-PRIV-004", "infra/modules/deploy/main.tf", 8, "aws:infra/module.deploy.aws_iam_role.deploy"),
    ]


def test_path_values_of_root_and_child_modules(tmp_path: Path, elsewhere: Path) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {
            "envs/prod/main.tf": 'module "app" {\n  source = "../../modules/app"\n}\n' + PATHS_USER.format(name="root"),
            "modules/app/main.tf": PATHS_USER.format(name="app"),
        },
    )
    project = TerraformProject(repo)
    project.add_files([repo / "envs/prod/main.tf", repo / "modules/app/main.tf"])
    names = {r.address: r.get("name") for r in project.resources()}
    assert names == {
        "envs/prod/aws_iam_user.root": ".|.|.",
        "envs/prod/module.app.aws_iam_user.app": "../../modules/app|.|.",
    }


def test_parent_directory_inside_the_scan_root_is_read(tmp_path: Path, elsewhere: Path) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {
            "infra/envs/prod/main.tf": ROLE_WITH_POLICY.format(policy='file("../../shared/admin.json")'),
            "infra/shared/admin.json": ADMIN,
        },
    )
    report = scan([repo / "infra"], config_for(repo), repo)
    assert triples(report, "NHI-PRIV-004") == [
        ("NHI-PRIV-004", "infra/shared/admin.json", 1, "aws:infra/envs/prod/aws_iam_role.deploy"),
    ]


def test_paths_leaving_the_scan_root_are_refused(tmp_path: Path, elsewhere: Path) -> None:
    (tmp_path / "admin.json").write_text(ADMIN)
    repo = write_tree(
        tmp_path / "repo",
        {
            "infra/main.tf": ROLE_WITH_POLICY.format(policy='file("../../admin.json")'),
            "infra/link/main.tf": ROLE_WITH_POLICY.format(policy='file("admin.json")'),
            "infra/abs/main.tf": ROLE_WITH_POLICY.format(policy=f'file("{tmp_path / "admin.json"}")'),
        },
    )
    (repo / "infra/link/admin.json").symlink_to(tmp_path / "admin.json")
    project = TerraformProject(repo)
    project.add_files(sorted(repo.rglob("*.tf")))
    policies = {r.address: r.get("policy") for r in project.resources() if r.type == "aws_iam_role_policy"}
    assert sorted(policies) == [
        "infra/abs/aws_iam_role_policy.deploy",
        "infra/aws_iam_role_policy.deploy",
        "infra/link/aws_iam_role_policy.deploy",
    ]
    for value in policies.values():
        assert isinstance(value, Unknown) and "outside the scan root" in value.reason
    report = scan([repo / "infra"], config_for(repo), repo)
    assert triples(report, "NHI-PRIV-004") == []


def test_missing_file_is_unknown_and_names_the_resolved_path(tmp_path: Path, elsewhere: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"infra/main.tf": ROLE_WITH_POLICY.format(policy='file("admin.json")')})
    project = TerraformProject(repo)
    project.add_file(repo / "infra/main.tf")
    policy = next(r.get("policy") for r in project.resources() if r.type == "aws_iam_role_policy")
    assert policy == Unknown("file(admin.json): infra/admin.json does not exist")


def test_file_larger_than_the_limit_is_not_read_and_is_reported(tmp_path: Path) -> None:
    repo = write_tree(tmp_path, {"main.tf": ROLE_WITH_POLICY.format(policy='file("admin.json")'), "admin.json": ADMIN})
    project = TerraformProject(repo, limits=Limits(max_file_bytes=64))
    project.add_file(repo / "main.tf")
    policy = next(r.get("policy") for r in project.resources() if r.type == "aws_iam_role_policy")
    assert policy == Unknown("file(admin.json): admin.json is larger than max_file_bytes (64)")
    assert [(e.path, e.line, e.kind) for e in project.errors] == [("admin.json", 1, "limit")]


def test_called_module_and_tfvars_symlinked_out_of_the_root_are_reported_not_read(tmp_path: Path) -> None:
    outside = write_tree(
        tmp_path / "outside",
        {
            "admin.tf": ROLE_WITH_POLICY.format(policy=repr(ADMIN).replace("'", '"')),
            "terraform.tfvars": 'name = "from-outside"\n',
        },
    )
    repo = write_tree(
        tmp_path / "repo",
        {
            "main.tf": 'variable "name" {\n  default = "app"\n}\nmodule "iam" {\n  source = "./modules/iam"\n}\n'
            'resource "aws_iam_user" "app" {\n  name = var.name\n}\n',
            "modules/iam/main.tf": 'resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n',
        },
    )
    (repo / "modules/iam/admin.tf").symlink_to(outside / "admin.tf")
    (repo / "terraform.tfvars").symlink_to(outside / "terraform.tfvars")
    project = TerraformProject(repo)
    project.add_file(repo / "main.tf")
    resources = {r.address: r.get("name") for r in project.resources()}
    assert resources == {"aws_iam_user.app": "app", "module.iam.aws_iam_user.ci": "ci"}
    assert sorted((e.path, e.line, e.kind) for e in project.errors) == [
        ("modules/iam/admin.tf", 1, "outside-root"),
        ("terraform.tfvars", 1, "outside-root"),
    ]
