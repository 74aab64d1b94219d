"""Data formats fail closed (issue 8 items 3, 6, 14): keys written twice, deep nesting, long YAML streams.

Each test scans real-looking files end to end and asserts exact findings: a duplicate cannot hide a grant,
a hostile document costs only itself, and no message quotes the file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from nhilint.api import ScanOptions, scan
from nhilint.cli import main
from nhilint.parse import yamlmarks
from tests.extract.tfplan_fixture import PLAN
from tests.helpers import config_for, scan_tree, triples, write_tree

TRUST = """\
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
"""
ADMIN_TWICE = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AdminRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: reporting-reader
{TRUST}      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/ReadOnlyAccess
  AdminRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: reporting-admin
{TRUST}      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess
  ReportFunction:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt AdminRole.Arn
"""


def _selected(report: object, *rules: str) -> list[tuple[str, str, int, str | None]]:
    return sorted(t for t in triples(report) if t[0] in rules)  # type: ignore[arg-type]


def test_cloudformation_logical_id_twice_keeps_both_roles(tmp_path: Path) -> None:
    """The second `AdminRole` replaced the first silently; now both are inventoried (the second with a
    suffixed, stable address) and the admin grant of the hidden-by-order one is found."""
    report = scan_tree(tmp_path, {"template.yaml": ADMIN_TWICE})
    assert sorted(report.inventory.identities) == ["aws:template.yaml#AdminRole", "aws:template.yaml#AdminRole~2"]
    assert report.inventory.identities["aws:template.yaml#AdminRole~2"].location.start_line == 14
    assert _selected(report, "NHI-PARSE-005", "NHI-PRIV-004") == [
        ("NHI-PARSE-005", "template.yaml", 14, None),
        ("NHI-PRIV-004", "template.yaml", 23, "aws:template.yaml#AdminRole~2"),
    ]
    message = next(f.message for f in report.findings if f.rule_id == "NHI-PARSE-005")
    assert "Resources.AdminRole" in message and "both definitions are evaluated" in message
    assert "AdministratorAccess" not in message


def test_cloudformation_policy_with_two_action_keys_grants_the_union(tmp_path: Path) -> None:
    template = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  EtlRole:
    Type: AWS::IAM::Role
    Properties:
{TRUST}      Policies:
        - PolicyName: etl
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: "*"
                Action: "*"
"""
    report = scan_tree(tmp_path, {"template.yaml": template})
    assert _selected(report, "NHI-PARSE-005", "NHI-PRIV-004") == [
        ("NHI-PARSE-005", "template.yaml", 18, None),
        ("NHI-PRIV-004", "template.yaml", 15, "aws:template.yaml#EtlRole"),
    ]
    grant = next(g for g in report.inventory.grants if g.via.startswith("inline policy etl"))
    assert grant.permissions == ("*",)  # the union of s3:GetObject and *


def test_json_policy_file_with_two_action_keys(tmp_path: Path) -> None:
    files = {
        "main.tf": """\
resource "aws_iam_role" "etl" {
  name               = "etl"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "etl" {
  role   = aws_iam_role.etl.id
  policy = file("${path.module}/etl-policy.json")
}
""",
        "etl-policy.json": '{\n  "Statement": [{\n    "Effect": "Allow",\n    "Action": "s3:GetObject",\n'
        '    "Action": "*",\n    "Resource": "*"\n  }]\n}\n',
    }
    report = scan_tree(tmp_path, files)
    assert _selected(report, "NHI-PARSE-005", "NHI-PRIV-004") == [
        ("NHI-PARSE-005", "etl-policy.json", 5, None),
        ("NHI-PRIV-004", "etl-policy.json", 2, "aws:aws_iam_role.etl"),
    ]


def test_kubernetes_role_verbs_twice_grants_the_union(tmp_path: Path) -> None:
    role = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: config-reader
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get]
    verbs: [list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: config-reader
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: config-reader}
subjects:
  - {kind: ServiceAccount, name: api, namespace: payments}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: payments
"""
    report = scan_tree(tmp_path, {"role.yaml": role})
    assert _selected(report, "NHI-PARSE-005") == [("NHI-PARSE-005", "role.yaml", 9, None)]
    assert [str(g.permissions) for g in report.inventory.grants] == ["('get,list secrets',)"]


SERVICE_ACCOUNT = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: payments\n"
CONFIGMAP = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings-{n}, namespace: payments}}\n"


def test_more_documents_than_the_limit(tmp_path: Path) -> None:
    stream = SERVICE_ACCOUNT + "".join(CONFIGMAP.format(n=n) for n in range(50))
    report = scan_tree(tmp_path, {"manifests.yaml": stream, ".nhilint.yaml": "limits:\n  max_documents: 10\n"})
    assert "kubernetes:ServiceAccount/payments/api" in report.inventory.identities
    assert _selected(report, "NHI-PARSE-004", "NHI-PARSE-001") == [("NHI-PARSE-004", "manifests.yaml", 43, None)]
    assert "max_documents (10)" in next(f.message for f in report.findings if f.rule_id == "NHI-PARSE-004")


def test_a_100000_document_stream_is_not_rejected_whole(tmp_path: Path) -> None:
    """It was one "alias bomb" error and not a single object; with the default limits the service account
    at the top is inventoried and the rest is one max_documents finding."""
    stream = SERVICE_ACCOUNT + "".join(CONFIGMAP.format(n=n) for n in range(100_000))
    (tmp_path / "manifests.yaml").write_text(stream, encoding="utf-8")
    report = scan([tmp_path], config_for(tmp_path), tmp_path)  # read up to max_documents (no timing here)
    assert "kubernetes:ServiceAccount/payments/api" in report.inventory.identities
    assert _selected(report, "NHI-PARSE-004", "NHI-PARSE-001") == [
        ("NHI-PARSE-004", "manifests.yaml", 5 + 4 * 9_999 + 2, None)
    ]


def test_deeply_nested_manifest_costs_only_its_document(tmp_path: Path) -> None:
    stream = SERVICE_ACCOUNT + "---\napiVersion: v1\nkind: ConfigMap\ndata: " + "[" * 600 + "]" * 600 + "\n"
    report = scan_tree(tmp_path, {"manifests.yaml": stream})
    assert "kubernetes:ServiceAccount/payments/api" in report.inventory.identities
    assert _selected(report, "NHI-PARSE-004", "NHI-PARSE-001") == [("NHI-PARSE-004", "manifests.yaml", 9, None)]


def test_condition_chain_deeper_than_the_limit(tmp_path: Path) -> None:
    """Each named condition referring to the next restarted the depth count: 1,000 of them raised
    RecursionError out of the scan. Now the chain hits max_depth: the role's creation is unknown, not
    skipped, and the limit is reported."""
    conditions = "".join(f"  C{i}: !Condition C{i + 1}\n" for i in range(1000)) + "  C1000: !Equals [a, a]\n"
    template = (
        f'AWSTemplateFormatVersion: "2010-09-09"\nConditions:\n{conditions}Resources:\n'
        f"  DeployRole:\n    Type: AWS::IAM::Role\n    Condition: C0\n    Properties:\n{TRUST}"
    )
    report = scan_tree(tmp_path, {"template.yaml": template})
    assert "aws:template.yaml#DeployRole" in report.inventory.identities
    found = _selected(report, "NHI-PARSE-004")
    assert [(rule, path) for rule, path, _, _ in found] == [("NHI-PARSE-004", "template.yaml")]


def test_deep_fn_join_within_the_load_limit_is_evaluated_or_reported(tmp_path: Path) -> None:
    join = "!Join ['', [" * 50 + "x" + "]]" * 50  # 100 levels to read, 150 to evaluate
    template = (
        f'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  DeployRole:\n    Type: AWS::IAM::Role\n'
        f"    Properties:\n      RoleName: {join}\n{TRUST}"
    )
    report = scan_tree(tmp_path, {"template.yaml": template, ".nhilint.yaml": "limits:\n  max_depth: 120\n"})
    assert "aws:template.yaml#DeployRole" in report.inventory.identities
    assert _selected(report, "NHI-PARSE-004") == [("NHI-PARSE-004", "template.yaml", 6, None)]


def test_plan_json_nested_too_deeply_and_duplicate_keys(tmp_path: Path) -> None:
    deep = dict(PLAN)
    deep["variables"] = {"v": {"value": json.loads("[" * 300 + "]" * 300)}}
    write_tree(tmp_path, {"deep/plan.json": json.dumps(deep)})
    text = json.dumps(PLAN, indent=1)
    text = text.replace('"format_version": ', '"format_version": "0.1",\n "format_version": ', 1)
    write_tree(tmp_path, {"dup/plan.json": text})
    plans = (tmp_path / "deep" / "plan.json", tmp_path / "dup" / "plan.json")
    report = scan([], config_for(tmp_path), tmp_path, ScanOptions(plans=plans))
    assert _selected(report, "NHI-PARSE-004", "NHI-PARSE-005", "NHI-PARSE-001") == [
        ("NHI-PARSE-004", "deep/plan.json", 1, None),
        ("NHI-PARSE-005", "dup/plan.json", 3, None),
    ]
    assert report.inventory.identities  # the plan with the duplicate is still read


@pytest.mark.parametrize("loader", ["C", "pure"])
@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_broken_manifest_message_quotes_nothing(
    tmp_path: Path, fmt: str, loader: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyYAML without libyaml (a pure-Python install) quotes the offending text in its problem."""
    if loader == "pure":
        monkeypatch.setattr(yamlmarks, "LOADER", yaml.SafeLoader)
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
    alias = "wJalrXUtnFEMIK7MDENGbPxRfiCY"  # an alias name PyYAML quotes in "found undefined alias"
    files = {
        "secret.yaml": f'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: "{secret}\\q"\n',
        "alias.yaml": f"apiVersion: v1\nkind: ConfigMap\ndata:\n  token: *{alias}\n",
        "token.yaml": f"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n  {secret}: [\n",
    }
    write_tree(tmp_path, files)
    main(["scan", str(tmp_path), "--format", fmt, "--today", "2026-11-22"])
    out = capsys.readouterr().out
    assert "NHI-PARSE-001" in out
    for part in (secret, alias, secret[:13], secret[-16:]):
        assert part not in out
