"""Variables as Terraform gives them to a module: `default = null` is null, `nullable = false` turns a null input
into the default, and a variable's type adds the `optional()` attributes a caller left out."""

from __future__ import annotations

from pathlib import Path

from nhilint.api import scan
from nhilint.parse import hcl
from nhilint.parse.terraform.types import convert
from nhilint.values import LDict, Unknown
from tests.helpers import config_for, scan_tree, triples

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "node-group-module"


def _type(text: str) -> hcl.Expr:
    return hcl.parse_expression(text)


def _literal(expr: hcl.Expr) -> object:
    assert isinstance(expr, hcl.Literal)
    return expr.value


def test_optional_attributes_the_caller_left_out_are_null_or_their_default() -> None:
    kind = _type('map(object({ name = optional(string), tags = optional(map(string), "none"), size = number }))')
    value = LDict({"a": LDict({"size": 1}, line=3), "b": LDict({"name": "x", "tags": {"k": "v"}})}, line=2)
    converted = convert(value, kind, _literal)
    assert converted == {"a": {"size": 1, "name": None, "tags": "none"}, "b": {"name": "x", "tags": {"k": "v"}}}
    assert isinstance(converted, LDict) and converted.line == 2 and converted["a"].line == 3


def test_conversion_keeps_unknowns_nulls_and_extra_attributes() -> None:
    kind = _type("list(object({ name = optional(string) }))")
    unknown = Unknown("var.x has no default")
    assert convert(unknown, kind, _literal) is unknown
    assert convert(None, kind, _literal) is None
    assert convert([{"extra": 1}, unknown], kind, _literal) == [{"extra": 1, "name": None}, unknown]


def test_a_reusable_module_scanned_alone_is_evaluated_with_its_defaults_and_types() -> None:
    report = scan([FIXTURE], config_for(FIXTURE), FIXTURE)
    assert sorted(report.inventory.identities) == [
        "aws:aws_iam_role.this[0]",
        'aws:module.node_group["general"].aws_iam_role.this[0]',
        'aws:module.node_group["gpu"].aws_iam_role.this[0]',
    ]
    assert [f for f in report.findings if "could not evaluate" in f.message] == []
    assert triples(report, "NHI-OWN") == [
        ("NHI-OWN-001", "modules/node-group/main.tf", 19, 'aws:module.node_group["general"].aws_iam_role.this[0]')
    ]
    attached = sorted(
        str(p) for g in report.inventory.grants if g.principal == "aws:aws_iam_role.this[0]" for p in g.permissions
    )
    assert any("AmazonEKSWorkerNodePolicy" in p for p in attached)


def test_null_default_is_null_and_a_null_input_to_a_non_nullable_variable_takes_the_default(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "main.tf": """
                variable "ssh_user" {
                  type    = string
                  default = null
                }
                resource "aws_iam_user" "ssh" {
                  count = var.ssh_user == null ? 0 : 1
                  name  = "ssh"
                }
                module "worker" {
                  source = "./worker"
                  create = null
                }
            """,
            "worker/main.tf": """
                variable "create" {
                  type     = bool
                  default  = true
                  nullable = false
                }
                resource "aws_iam_role" "worker" {
                  count              = var.create ? 1 : 0
                  name               = "worker"
                  assume_role_policy = "{}"
                }
            """,
        },
    )
    assert sorted(report.inventory.identities) == ["aws:module.worker.aws_iam_role.worker[0]"]


def test_current_account_and_region_are_symbolic_known_values() -> None:
    """`arn:${partition}:iam::${account_id}:root` is this account (same-account, never a third party, never a
    number), and a log group ARN in `${region}` names one specific region: both decidable without the cloud."""
    report = scan([FIXTURE], config_for(FIXTURE), FIXTURE)
    role = "aws:aws_iam_role.this[0]"
    [trust] = [t for t in report.inventory.trusts if t.identity == role]
    assert [p.identifier for p in trust.principals] == ["arn:aws:iam::${current_account}:root"]
    assert triples(report, "NHI-TRUST") == []
    [logs] = [g for g in report.inventory.grants if g.principal == role and g.via.startswith("inline")]
    assert logs.scope == ("arn:aws:logs:${current_region}:${current_account}:log-group:/nodes/platform-nodes:*",)
    assert logs.unknown is None
