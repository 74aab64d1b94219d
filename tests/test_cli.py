"""The CLI: exit codes, formats validated against the shipped schemas, config errors naming file and key."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft202012Validator

from nhilint.cli import main
from tests.helpers import write_tree

BAD = 'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = "{}"\n}\n'
GOOD = """
# nhilint:owner team-a
# nhilint:expires 2027-01-31
# nhilint:retire-on app:a
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = "{}"
}
"""


def schema(name: str) -> Draft202012Validator:
    text = resources.files("nhilint.schemas").joinpath(name).read_text()
    return Draft202012Validator(json.loads(text), format_checker=Draft202012Validator.FORMAT_CHECKER)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_exit_codes_follow_fail_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": BAD})
    assert run(["scan", str(tmp_path), "--today", "2026-11-22"], capsys)[0] == 1
    assert run(["scan", str(tmp_path), "--today", "2026-11-22", "--fail-on", "critical"], capsys)[0] == 0


def test_compliant_code_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": GOOD})
    code, out, _ = run(["scan", str(tmp_path), "--today", "2026-11-22"], capsys)
    assert code == 0, out
    assert "0 findings" in out


def test_json_output_matches_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": BAD})
    code, out, _ = run(["scan", str(tmp_path), "--format", "json", "--today", "2026-11-22"], capsys)
    document = json.loads(out)
    schema("scan.schema.json").validate(document)
    assert code == 1
    assert {f["rule_id"] for f in document["findings"]} == {"NHI-OWN-001", "NHI-EXP-004", "NHI-RET-001"}


def test_inventory_json_matches_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": GOOD})
    code, out, _ = run(["inventory", str(tmp_path), "--format", "json"], capsys)
    document = json.loads(out)
    schema("inventory.schema.json").validate(document)
    assert code == 0
    (identity,) = document["identities"]
    assert identity["owner"] == {"value": "team-a", "source": "comment", "known": True}


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_inventory_text_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    write_tree(tmp_path, {"main.tf": GOOD})
    code, out, _ = run(["inventory", str(tmp_path), "--format", fmt], capsys)
    assert code == 0
    assert "aws:aws_iam_role.r" in out and "team-a" in out


def test_config_error_names_file_and_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": GOOD, ".nhilint.yaml": "settings:\n  max_expiry_day: 30\n"})
    code, _, err = run(["scan", str(tmp_path)], capsys)
    assert code == 2
    assert ".nhilint.yaml" in err and "settings" in err and "max_expiry_day" in err


def test_pyproject_config_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": BAD, "pyproject.toml": '[tool.nhilint]\nfail_on = "critical"\n'})
    assert run(["scan", str(tmp_path), "--today", "2026-11-22"], capsys)[0] == 0


def test_pyproject_config_error_names_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": BAD, "pyproject.toml": '[tool.nhilint]\nfail_on = "severe"\n'})
    code, _, err = run(["scan", str(tmp_path)], capsys)
    assert code == 2 and "[tool.nhilint]" in err and "fail_on" in err


def test_unknown_policy_and_path_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["scan", str(tmp_path), "--policy", "nope"], capsys)[0] == 2
    assert run(["scan", str(tmp_path / "missing")], capsys)[0] == 2


def test_strict_policy_applies_owner_pattern(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": GOOD.replace("team-a", "alice")})
    code, out, _ = run(["scan", str(tmp_path), "--policy", "strict", "--today", "2026-11-22"], capsys)
    assert code == 1 and "NHI-OWN-002" in out


def test_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules"], capsys)
    assert code == 0 and "NHI-PRIV-004" in out
    code, out, _ = run(["explain", "nhi-trust-003"], capsys)
    assert code == 0 and "Anti-pattern" in out
    assert run(["explain", "NHI-XXX-999"], capsys)[0] == 2


def test_sarif_is_2_1_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": BAD})
    _, out, _ = run(["scan", str(tmp_path), "--format", "sarif", "--today", "2026-11-22"], capsys)
    document = json.loads(out)
    official = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
    Draft4Validator(json.loads(official.read_text())).validate(document)
    assert document["version"] == "2.1.0"
    results = document["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"NHI-OWN-001", "NHI-EXP-004", "NHI-RET-001"}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] == 1 for r in results)


def test_secret_value_never_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(
        tmp_path,
        {
            "main.tf": 'resource "aws_ssm_parameter" "t" {\n  name  = "/t"\n  type  = "SecureString"\n'
            '  value = "hunter2-very-secret"\n}\n'
        },
    )
    for fmt in ("text", "json", "sarif"):
        _, out, err = run(["scan", str(tmp_path), "--format", fmt], capsys)
        assert "NHI-CRED-002" in out
        assert "hunter2" not in out + err


def test_relative_uri_percent_encodes() -> None:
    from nhilint.report.sarif import relative_uri

    assert relative_uri("infra/main.tf") == "infra/main.tf"
    assert relative_uri("my infra/50%/a#b?c.tf") == "my%20infra/50%25/a%23b%3Fc.tf"
    assert relative_uri("c:/x\ny.tf") == "c%3A/x%0Ay.tf"
    assert relative_uri("ünï/😀.tf") == "%C3%BCn%C3%AF/%F0%9F%98%80.tf"


def test_sarif_uris_are_encoded_relative_references(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from jsonschema import FormatChecker

    names = {
        "my infra/main.tf": "my%20infra/main.tf",
        "c:50%#?.tf": "c%3A50%25%23%3F.tf",
        "new\nline.tf": "new%0Aline.tf",
        "rôle.tf": "r%C3%B4le.tf",
    }
    write_tree(tmp_path, {name: BAD.replace('"r"', f'"r{n}"') for n, name in enumerate(names)})
    _, out, _ = run(["scan", str(tmp_path), "--format", "sarif", "--today", "2026-11-22"], capsys)
    document = json.loads(out)
    official = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
    Draft4Validator(json.loads(official.read_text()), format_checker=FormatChecker()).validate(document)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert uris == set(names.values())


def test_inventory_table_never_cuts_an_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = "payments_settlement_batch_reconciliation_worker_eu_west_1_production"
    write_tree(tmp_path, {"main.tf": GOOD.replace('"r"', f'"{name}"')})
    code, out, _ = run(["inventory", str(tmp_path)], capsys)
    assert code == 0
    assert out.splitlines()[1].startswith(f"aws:aws_iam_role.{name}  role ")


def test_python_dash_m_nhilint_runs_the_cli(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "nhilint", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("nhilint")


def test_inventory_json_lists_an_agents_tools_and_their_operations(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parent.parent / "fixtures" / "example" / "agents")
    code, out, _ = run(["inventory", ".", "--format", "json"], capsys)
    document = json.loads(out)
    schema("inventory.schema.json").validate(document)
    tools = {i["address"]: i.get("tools") for i in document["identities"] if i["kind"] == "ai_agent"}
    (refunds,) = [t for t in tools["aws_bedrockagent_agent.support"] if t["name"] == "refunds"]
    assert (refunds["file"], refunds["executor"], refunds["runs_as"]) == (
        "main.tf",
        "aws_lambda_function.refunds",
        "aws:aws_iam_role.refunds_fn",
    )
    assert {k: refunds["operations"][0][k] for k in ("name", "changes_state")} == {
        "name": "GET /orders/{orderId}/refunds",
        "changes_state": False,
    }
    assert code == 0


@pytest.mark.parametrize(
    ("today", "problem"),
    [
        ("2027-02-30", "is not a valid date"),
        ("tomorrow", "is not YYYY-MM-DD"),
        ("2027-2-3", "is not YYYY-MM-DD"),
        ("20270101", "is not YYYY-MM-DD"),
        ("2027-W01-1", "is not YYYY-MM-DD"),
    ],
)
def test_a_today_that_is_no_date_is_a_usage_error_saying_which_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], today: str, problem: str
) -> None:
    """The same words from `scan` and `audit` (one parser): an impossible day is not a format problem."""
    for command in (["scan", str(tmp_path)], ["audit", "--out", str(tmp_path / "out"), str(tmp_path)]):
        code, _, err = run([*command, "--today", today], capsys)
        assert code == 2
        assert f"--today {today!r} {problem}" in err
