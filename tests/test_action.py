"""The GitHub Action's scan step, run as a script with the environment GitHub sets.

action.yml installs nhilint and runs scripts/action-scan.sh; here the installed package stands in for the
install step, and the step runs with GITHUB_ACTIONS, GITHUB_WORKSPACE, GITHUB_STEP_SUMMARY and INPUT_*.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from jsonschema import Draft4Validator

from tests.helpers import write_tree

REPO = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
BAD = '''
resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = "{}"
  tags               = { owner = "team-ci", review-by = "2027-01-01", retire-on = "app:ci" }
}

resource "aws_iam_role_policy" "ci" {
  role   = aws_iam_role.ci.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
'''


def run_step(workspace: Path, tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    summary = tmp_path / "step_summary.md"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary),
        "NHILINT_CACHE_DIR": "off",
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    }
    assert shutil.which("bash")
    result = subprocess.run(["bash", str(REPO / "scripts" / "action-scan.sh")], cwd=workspace, env=env,
                            capture_output=True, text=True, timeout=120)
    return result, summary


def test_action_metadata_runs_the_script() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"paths", "config", "policy", "fail-on", "sarif-file", "formats"} <= set(action["inputs"])
    assert any("scripts/action-scan.sh" in step.get("run", "") for step in action["runs"]["steps"])


def test_failing_scan_annotates_summarises_and_writes_sarif(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path / "ws", {"infra/main.tf": BAD})
    result, summary = run_step(workspace, tmp_path, paths="infra", fail_on="high", sarif_file="out.sarif",
                               formats="json:out.json", args="--today 2026-11-22")
    assert result.returncode == 1, result.stderr
    assert "::error file=infra/main.tf,line=9,endLine=9,title=NHI-PRIV-004 (critical)::" in result.stdout
    assert "## nhilint" in summary.read_text()
    sarif = json.loads((workspace / "out.sarif").read_text())
    Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["NHI-PRIV-004"]
    assert json.loads((workspace / "out.json").read_text())["summary"]["findings"] == 1


def test_clean_scan_passes_and_config_errors_exit_2(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path / "ws", {"infra/main.tf": BAD.replace('Action = "*"', 'Action = "s3:GetObject"')
                                             .replace('Resource = "*"', 'Resource = "arn:aws:s3:::b/*"')})
    result, _ = run_step(workspace, tmp_path, paths="infra", args="--today 2026-11-22")
    assert result.returncode == 0, result.stdout + result.stderr
    result, _ = run_step(workspace, tmp_path, paths="infra", policy="no-such-policy")
    assert result.returncode == 2


def test_new_only_input_fails_only_on_what_the_change_adds(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path / "ws", {"infra/main.tf": BAD})
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig")}
    for command in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-qm", "base"],
                    ["checkout", "-qb", "feature"]):
        subprocess.run(["git", *command], cwd=workspace, env=env, check=True)
    extra = '\nresource "aws_iam_user" "bot" {\n  name = "bot"\n}\n'
    (workspace / "infra" / "bot.tf").write_text(extra)
    subprocess.run(["git", "add", "."], cwd=workspace, env=env, check=True)
    subprocess.run(["git", "commit", "-qm", "bot"], cwd=workspace, env=env, check=True)
    result, summary = run_step(workspace, tmp_path, paths="infra", new_only_base="main", fail_on="low",
                               args="--today 2026-11-22")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "NHI-PRIV-004" not in result.stdout  # already there at the merge base
    assert "title=NHI-OWN-001 (medium)::user aws_iam_user.bot has no owner" in result.stdout
    assert "adds identity aws:infra/aws_iam_user.bot" in summary.read_text()
