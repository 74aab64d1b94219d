"""Terraform loading: modules, tfvars, for_each/count instances, file(), default_tags, broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.parse.terraform import TerraformProject, parsing
from tests.helpers import scan_tree, write_tree


def test_tfvars_auto_tfvars_and_var_file_precedence(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "main.tf": 'variable "a" { default = "default" }\nvariable "b" {}\nvariable "c" {}\n'
            'resource "aws_iam_user" "u" {\n  name = "${var.a}-${var.b}-${var.c}"\n}\n',
            "terraform.tfvars": 'b = "tfvars"\nc = "tfvars"\n',
            "z.auto.tfvars": 'c = "auto"\n',
            "extra.tfvars": 'a = "varfile"\n',
        },
    )
    project = TerraformProject(tmp_path, [tmp_path / "extra.tfvars"])
    project.add_file(tmp_path / "main.tf")
    (resource,) = list(project.resources())
    assert resource.get("name") == "varfile-tfvars-auto"


def test_for_each_and_module_for_each_make_instances(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "main.tf": """
            module "team" {
              source   = "./team"
              for_each = { data = "team-data", web = "team-web" }
              owner    = each.value
            }
            resource "aws_iam_role" "svc" {
              for_each           = toset(["api", "worker"])
              name               = "svc-${each.key}"
              assume_role_policy = "{}"
            }
            resource "aws_iam_role_policy_attachment" "svc" {
              for_each   = aws_iam_role.svc
              role       = each.value.name
              policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
            }
        """,
            "team/main.tf": """
            variable "owner" {}
            resource "aws_iam_role" "this" {
              name               = var.owner
              assume_role_policy = "{}"
              tags               = { owner = var.owner }
            }
        """,
        },
    )
    identities = report.inventory.identities
    assert sorted(identities) == [
        'aws:aws_iam_role.svc["api"]',
        'aws:aws_iam_role.svc["worker"]',
        'aws:module.team["data"].aws_iam_role.this',
        'aws:module.team["web"].aws_iam_role.this',
    ]
    owner = identities['aws:module.team["web"].aws_iam_role.this'].lifecycle.owner
    assert owner is not None and owner.value == "team-web" and owner.source == 'module input module.team["web"]:owner'
    assert identities['aws:aws_iam_role.svc["api"]'].name == "svc-api"


def test_file_reads_only_inside_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "secret.json"
    outside.write_text('{"Statement": []}')
    root = tmp_path / "repo"
    write_tree(
        root,
        {
            "main.tf": 'resource "aws_iam_policy" "p" {\n  policy = file("../secret.json")\n}\n'
            'resource "aws_iam_policy" "q" {\n  policy = file("${path.module}/q.json")\n}\n',
            "q.json": '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}',
        },
    )
    project = TerraformProject(root)
    project.add_file(root / "main.tf")
    p, q = list(project.resources())
    assert "outside the scan root" in str(p.get("policy"))
    assert str(q.get("policy")).startswith('{"Statement"')


def test_broken_file_is_an_error_and_others_are_read(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.tf": 'resource "x" "y" {\n  a = \n}\n', "b.tf": 'resource "aws_iam_user" "u" {}\n'})
    project = TerraformProject(tmp_path)
    project.add_file(tmp_path / "a.tf")
    project.add_file(tmp_path / "b.tf")
    assert [(e.path, e.line) for e in project.errors] == [("a.tf", 2)]
    assert [r.address for r in project.resources()] == ["aws_iam_user.u"]


def test_tf_json_resources_and_lines(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "main.tf.json": '{\n  "resource": {\n    "aws_iam_user": {\n      "bot": {\n        "name": "bot"\n'
            "      }\n    }\n  }\n}\n",
        },
    )
    (identity,) = report.inventory.identities.values()
    assert (identity.id, identity.location.start_line, identity.name) == ("aws:aws_iam_user.bot", 4, "bot")


def test_parallel_parse_gives_the_same_inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        f"svc{i}/main.tf": f"""
            resource "aws_iam_role" "r{i}" {{
              name               = "r{i}"
              assume_role_policy = "{{}}"
              tags               = {{ owner = "team-{i}" }}
            }}
            resource "aws_s3_bucket" "b{i}" {{
              bucket = "b{i}"
            }}
        """
        for i in range(6)
    }
    files["svc0/broken.tf"] = 'resource "x" {\n'
    serial = scan_tree(tmp_path, files)
    monkeypatch.setattr(parsing, "PARALLEL_THRESHOLD", 2)
    parallel = scan_tree(tmp_path, files)
    assert sorted(parallel.inventory.identities) == sorted(serial.inventory.identities)
    assert [f.sort_key for f in parallel.findings] == [f.sort_key for f in serial.findings]
    assert [(e.path, e.line) for e in parallel.inventory.errors] == [("svc0/broken.tf", 2)]


def test_same_address_in_two_root_modules_is_two_identities(tmp_path: Path) -> None:
    role = """
        resource "aws_iam_role" "app" {{
          name               = "{name}"
          assume_role_policy = "{{}}"
        }}
        resource "aws_iam_role_policy_attachment" "app" {{
          role       = aws_iam_role.app.name
          policy_arn = "arn:aws:iam::aws:policy/{policy}"
        }}
    """
    report = scan_tree(
        tmp_path,
        {
            "envs/prod/app/main.tf": role.format(name="prod-app", policy="ReadOnlyAccess"),
            "envs/dev/app/main.tf": role.format(name="dev-app", policy="AdministratorAccess"),
        },
    )
    assert sorted(report.inventory.identities) == [
        "aws:envs/dev/app/aws_iam_role.app",
        "aws:envs/prod/app/aws_iam_role.app",
    ]
    admin = [(f.location.path, f.identity) for f in report.findings if f.rule_id == "NHI-PRIV-004"]
    assert admin == [("envs/dev/app/main.tf", "aws:envs/dev/app/aws_iam_role.app")]


def test_an_unwritten_attribute_gives_each_caller_its_own_default(tmp_path: Path) -> None:
    # Two handlers read `read_only` with different defaults; the first one's used to be cached for both.
    write_tree(tmp_path, {"main.tf": 'resource "github_repository_deploy_key" "ci" {\n  title = "ci"\n}\n'})
    project = TerraformProject(tmp_path)
    project.add_file(tmp_path / "main.tf")
    (resource,) = list(project.resources())
    assert resource.get("read_only") is None
    assert resource.get("read_only", True) is True
    assert resource.get("title") == "ci" and resource.get("title", "other") == "ci"
