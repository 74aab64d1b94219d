"""Permission documents read from a plan are reported as the same documents read from source are.

A plan is extracted into a Builder of its own and merged (nhilint.extract.terraform.plan); the documents it
records (a customer-managed policy nothing attaches yet) must reach the scan's Builder too, or an unattached
`*` policy in a plan passes unseen.
"""

from __future__ import annotations

import json
from pathlib import Path

from nhilint.api import Report, scan
from tests.extract.tfplan_fixture import PLAN, change
from tests.helpers import config_for

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def _plan() -> dict[str, object]:
    changes = [
        change(
            "aws_iam_policy.break_glass",
            {"name": "break-glass", "path": "/", "policy": POLICY, "tags": None, "tags_all": {}},
            {"arn": True, "id": True},
        )
    ]
    return {**PLAN, "resource_changes": changes, "planned_values": {"root_module": {}}, "configuration": {}}


def _scan(tmp_path: Path, files: dict[str, str]) -> Report:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return scan([tmp_path], config_for(tmp_path), tmp_path)


def test_unattached_wildcard_policy_in_a_plan_is_reported_as_in_source(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    source = _scan(
        tmp_path / "src",
        {
            "main.tf": """resource "aws_iam_policy" "break_glass" {
  name   = "break-glass"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
"""
        },
    )
    (tmp_path / "plan").mkdir()
    planned = _scan(tmp_path / "plan", {"plan.json": json.dumps(_plan())})
    assert "aws:aws_iam_policy.break_glass" in planned.inventory.documents
    assert planned.inventory.documents["aws:aws_iam_policy.break_glass"].unattached

    def shown(report: Report) -> list[tuple[str, str, str | None, str]]:
        return [(f.rule_id, f.severity.value, f.identity, f.message) for f in report.findings if "PRIV" in f.rule_id]

    assert shown(planned) == shown(source)
    assert [f.rule_id for f in planned.findings if "PRIV" in f.rule_id] == ["NHI-PRIV-004"]
    assert "not attached to any identity in the scan" in planned.findings[0].message


def test_plan_beside_its_source_reports_the_document_once(tmp_path: Path) -> None:
    report = _scan(
        tmp_path,
        {
            "main.tf": """resource "aws_iam_policy" "break_glass" {
  name   = "break-glass"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
""",
            "plan.json": json.dumps(_plan()),
        },
    )
    assert [(f.rule_id, f.location.path) for f in report.findings if "PRIV" in f.rule_id] == [
        ("NHI-PRIV-004", "main.tf")
    ]
    assert list(report.inventory.documents) == ["aws:aws_iam_policy.break_glass"]
