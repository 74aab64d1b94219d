"""No output prints a secret value read from the code (nhilint/redact.py), and ordinary values stay readable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nhilint.cli import main
from nhilint.model import Inventory
from nhilint.model_inputs import ParseError
from nhilint.secrets import detect, detect_many, secret_name
from tests.extract.tfplan_fixture import _planned, change
from tests.helpers import write_tree

# Made up for these tests, in the shapes real ones have.
PEM_BODY = "MIIEowIBAAKCAQEAv7sYh3kQd0pLmZnQ8rXw2TfGh5JkL9mNbVcXz1aQsWeRtYu"
SUFFIX = "Xq7pLm2RvT9w"  # tfvars value of a `sensitive = true` variable: no detector would see it
CHANNEL = "Hn4kT8vQ2xLp"  # NoEcho parameter default
TOKEN = "ghp_k3J9xQ2mT7vR4pL8sW1zY6bN0cF5hD2gA9eU"
SECRETS = (PEM_BODY, "PRIVATE KEY", SUFFIX, CHANNEL, TOKEN)
ORDINARY = ("ci-deployer", "arn:aws:iam::123456789012:root", "eu-west-1", "team-payments", "app-runner")

TREE = {
    "main.tf": f"""
        variable "build_suffix" {{
          type      = string
          sensitive = true
        }}

        resource "aws_iam_role" "ci" {{
          name               = "ci-${{var.build_suffix}}"
          assume_role_policy = "{{}}"
          tags = {{
            owner   = "team-${{var.build_suffix}}"
            signing = <<-EOT
              -----BEGIN RSA PRIVATE KEY-----
              {PEM_BODY}
              -----END RSA PRIVATE KEY-----
            EOT
          }}
        }}

        resource "aws_iam_role" "deployer" {{
          name               = "ci-deployer"
          assume_role_policy = jsonencode({{Version = "2012-10-17", Statement = [{{Effect = "Allow",
            Action = "sts:AssumeRole", Principal = {{AWS = "arn:aws:iam::123456789012:root"}}}}]}})
          tags = {{ owner = "team-payments", region = "eu-west-1" }}
        }}
        """,
    "terraform.tfvars": f'build_suffix = "{SUFFIX}"\n',
    "stack.yaml": f"""
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          ReleaseChannel: {{Type: String, NoEcho: true, Default: {CHANNEL}}}
        Resources:
          AppRole:
            Type: AWS::IAM::Role
            Properties:
              RoleName: app-runner
              AssumeRolePolicyDocument: {{Version: "2012-10-17", Statement: [{{Effect: Allow,
                Principal: {{Service: lambda.amazonaws.com}}, Action: "sts:AssumeRole"}}]}}
              Tags:
                - {{Key: owner, Value: !Sub "team-${{ReleaseChannel}}"}}
        """,
    "sa.yaml": f"""
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: api
          namespace: payments
          labels: {{owner: team-payments}}
          annotations:
            ci.example.com/registry-token: {TOKEN}
        """,
}

RUNS = [
    *(["inventory", "-f", fmt] for fmt in ("json", "csv", "table", "markdown")),
    *(
        ["explain-identity", name]
        for name in ("aws_iam_role.ci", "AppRole", "ServiceAccount/payments/api", "aws_iam_role.deployer")
    ),
    *(["scan", "-f", fmt] for fmt in ("text", "json", "sarif", "github", "markdown", "junit")),
]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = write_tree(tmp_path_factory.mktemp("tree"), TREE)
    found = {}
    for number, args in enumerate(RUNS):
        target = root.parent / f"out-{number}"
        code = main([*args, str(root), "--no-cache", "--today", "2026-11-22", "-o", str(target)])
        assert code in (0, 1), args
        found[" ".join(args)] = target.read_text(encoding="utf-8")
    return found


@pytest.mark.parametrize("args", [" ".join(a) for a in RUNS])
def test_no_output_prints_a_secret(outputs: dict[str, str], args: str) -> None:
    text = outputs[args]
    assert text.strip()
    assert [s for s in SECRETS if s in text] == []


@pytest.mark.parametrize(
    "args", ["inventory -f json", "inventory -f csv", "inventory -f table", "inventory -f markdown", "scan -f text"]
)
def test_the_value_is_marked_where_it_was(outputs: dict[str, str], args: str) -> None:
    text = outputs[args]
    assert "team-<redacted: sensitive var.build_suffix>" in text
    assert "team-<redacted: NoEcho parameter ReleaseChannel>" in text


def test_inventory_json_marks_each_source(outputs: dict[str, str]) -> None:
    text = outputs["inventory -f json"]
    for marker in ("<redacted: Private Key>", "<redacted: GitHub Token>", "ci-<redacted: sensitive var.build_suffix>"):
        assert marker in text


def test_explain_identity_marks_the_owner(outputs: dict[str, str]) -> None:
    assert (
        "owner: team-<redacted: sensitive var.build_suffix> (from tag:owner"
        in outputs["explain-identity aws_iam_role.ci"]
    )


@pytest.mark.parametrize(
    "args",
    ["inventory -f json", "inventory -f csv", "explain-identity aws_iam_role.deployer", "scan -f text", "scan -f json"],
)
def test_ordinary_values_are_not_redacted(outputs: dict[str, str], args: str) -> None:
    text = outputs[args]
    assert "deployer" in text
    if args == "inventory -f json":
        assert [v for v in ORDINARY if v not in text] == []
        # role name, owner fact and two tags of aws_iam_role.ci; owner fact and tag of AppRole; the annotation
        assert text.count("<redacted") == 7
    if args == "inventory -f csv":
        assert "team-payments" in text and text.count("<redacted") == 2


# An AWS key id without a digit (about 3.6 % of real ones): the detector must see it by its prefix alone.
LETTERS_KEY = "AKIAQWERTYUIOPASDFGH"
KEY_TREE = {
    "main.tf": f"""
        # nhilint:ignore NHI-EXP-004 -- rotated with {LETTERS_KEY}
        resource "aws_iam_role" "fn" {{
          name               = "fn-runner"
          assume_role_policy = "{{}}"
          tags               = {{ owner = "{LETTERS_KEY}" }}
        }}

        resource "aws_lambda_function" "fn" {{
          function_name = "fn"
          role          = aws_iam_role.fn.arn
          environment {{
            variables = {{ KEY_A = "{LETTERS_KEY}" }}
          }}
        }}
        """,
    "sa.yaml": f"""
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: {LETTERS_KEY}
          namespace: payments
          labels: {{owner: {LETTERS_KEY}}}
        """,
}
KEY_RUNS = [
    *RUNS[:4],
    ["explain-identity", LETTERS_KEY],
    ["explain-identity", "aws_iam_role.fn"],
    *RUNS[-6:],
    ["suppressions", "-f", "text"],
    ["suppressions", "-f", "json"],
    ["baseline", "create"],
]


@pytest.mark.parametrize("args", KEY_RUNS, ids=" ".join)
def test_a_key_id_without_a_digit_is_never_printed(tmp_path: Path, args: list[str]) -> None:
    root = write_tree(tmp_path / "src", KEY_TREE)
    target = tmp_path / "out"
    code = main([*args, str(root), "--no-cache", "--today", "2026-11-22", "-o", str(target)])
    assert code in (0, 1)
    text = target.read_text(encoding="utf-8")
    assert text.strip() and LETTERS_KEY not in text
    if args[-1] != "junit":  # JUnit names failing findings by rule, not by identity
        assert "<redacted: AWS Access Key>" in text


def test_a_key_id_without_a_digit_is_a_written_secret(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "src", KEY_TREE)
    target = tmp_path / "out"
    main(["scan", "-f", "json", str(root), "--no-cache", "--today", "2026-11-22", "-o", str(target)])
    found = {(f["rule_id"], f["file"], f["line"]) for f in _findings(target)}
    assert {("NHI-CRED-002", "main.tf", 5), ("NHI-CRED-002", "main.tf", 12), ("NHI-CRED-002", "sa.yaml", 6)} <= found


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown"])
def test_a_key_id_without_a_digit_in_a_plan_tag_is_never_printed(tmp_path: Path, fmt: str) -> None:
    after = {"name": "fn-runner", "assume_role_policy": "{}", "tags": {"owner": LETTERS_KEY}}
    entry = change("aws_iam_role.fn", after)
    plan = {"format_version": "1.2", "planned_values": _planned([entry]), "resource_changes": [entry]}
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    target = tmp_path / "out"
    main(["scan", "--plan", str(tmp_path / "plan.json"), "-f", fmt, "--no-cache", "-o", str(target)])
    text = target.read_text(encoding="utf-8")
    assert "aws_iam_role.fn" in text and LETTERS_KEY not in text
    if fmt == "text":  # the owner in the identity's heading
        assert "<redacted: AWS Access Key>" in text


def _findings(path: Path) -> list[dict[str, Any]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return list(document["findings"])


def _with_quoting_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parser that (wrongly) quoted file content in a ParseError reason."""
    import nhilint.api

    build = nhilint.api.build_inventory

    def quoting(*args: object, **kwargs: object) -> tuple[Inventory, set[str]]:
        inventory, explicit = build(*args, **kwargs)  # type: ignore[arg-type]
        inventory.errors.append(ParseError("main.tf", 3, f"unexpected token {TOKEN} here"))
        return inventory, explicit

    monkeypatch.setattr(nhilint.api, "build_inventory", quoting)


@pytest.mark.parametrize(
    "args",
    [["scan", "-f", fmt] for fmt in ("text", "json", "sarif", "github", "markdown", "junit")]
    + [["inventory", "-f", "json"]],
)
def test_parse_error_reasons_are_redacted_as_a_last_defence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    _with_quoting_parser(monkeypatch)
    write_tree(tmp_path / "src", {"main.tf": 'resource "aws_iam_role" "r" {\n  name = "r"\n}\n'})
    target = tmp_path / "out"
    main([*args, str(tmp_path / "src"), "--no-cache", "-o", str(target)])
    text = target.read_text(encoding="utf-8")
    assert TOKEN not in text
    if args[-1] != "junit":  # JUnit lists only failing findings' messages; NHI-PARSE-001 passes at its severity
        assert "<redacted: GitHub Token>" in text


def test_detector_sees_tokens_keys_and_private_keys_but_not_identifiers() -> None:
    assert detect(TOKEN) == "GitHub Token"
    assert detect("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0B") == "Private Key"
    assert detect("AKIAIOSFODNN7EXAMPLE") == "AWS Access Key"
    ordinary = [
        "arn:aws:iam::123456789012:role/ci-deployer",
        "123456789012",
        "eu-west-1",
        "sha256:" + "0a1b2c3d4e5f6789" * 4,
        "nginx@sha256:" + "9f8e7d6c5b4a3210" * 4,
        "0a1b2c3d" * 8,
        "system:serviceaccount:payments:api",
        "AssumeRoleWithWebIdentity",
        "payments-deployer-2024",
        "projects/shop-prod-123456/serviceAccounts/ci@shop-prod-123456.iam.gserviceaccount.com",
    ]
    assert detect_many(ordinary) == {}


def test_secret_names() -> None:
    assert [
        n for n in ("db_password", "api_token", "client_secret", "private_key", "DbPassword") if not secret_name(n)
    ] == []
    assert [
        n for n in ("role_name", "region", "secret_arn", "kms_key_id", "token_ttl", "key_name") if secret_name(n)
    ] == []


def test_document_redacts_as_apply_does_and_keeps_a_clean_document_itself() -> None:
    """`Redactor.document` (one walk when nothing is secret) gives what `apply` gives, on every shape."""
    from dataclasses import dataclass

    from nhilint.redact import Redactor

    @dataclass(frozen=True)
    class Row:
        name: str

    sensitive = {SUFFIX: "variable build_suffix (sensitive)", "ab1": "parameter Pin (NoEcho)"}
    clean: dict[str, Any] = {"id": "ci", "n": 3, "ok": True, "none": None, "ratio": 0.5, "rows": [["a", ("b",)]]}
    dirty: list[Any] = [
        {"name": f"ci-{SUFFIX}", TOKEN: ["x", {"k": "ab1"}]},
        ("ab1", 7, f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----"),
        ORDINARY,
    ]
    for document in (clean, dirty, [clean, dirty], {"row": Row(f"x-{SUFFIX}")}, [Row("plain")], {}, [], "ab1", 4):
        expected = Redactor(sensitive).apply(document)
        found = Redactor(sensitive).document(document)
        assert found == expected
        assert json.dumps(found, default=repr) == json.dumps(expected, default=repr)
    assert Redactor(sensitive).document(clean) is clean
    redacted = Redactor(sensitive).document(dirty)
    assert SUFFIX not in json.dumps(redacted) and TOKEN not in json.dumps(redacted) and PEM_BODY not in str(redacted)
    assert dirty[0]["name"] == f"ci-{SUFFIX}"  # the input is not changed
