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
BAD = """
resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = "{}"
  tags               = { owner = "team-ci", review-by = "2027-01-01", retire-on = "app:ci" }
}

resource "aws_iam_role_policy" "ci" {
  role   = aws_iam_role.ci.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
"""


def run_step(
    workspace: Path, tmp_path: Path, path: str | None = None, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    summary = tmp_path / "step_summary.md"
    env = {
        **os.environ,
        "PATH": path or f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary),
        "NHILINT_CACHE_DIR": "off",
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    }
    assert shutil.which("bash")
    result = subprocess.run(
        ["bash", str(REPO / "scripts" / "action-scan.sh")],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, summary


def test_action_metadata_runs_the_script() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"paths", "config", "policy", "fail-on", "sarif-file", "formats"} <= set(action["inputs"])
    assert any("scripts/action-scan.sh" in step.get("run", "") for step in action["runs"]["steps"])


def test_failing_scan_annotates_summarises_and_writes_sarif(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path / "ws", {"infra/main.tf": BAD})
    result, summary = run_step(
        workspace,
        tmp_path,
        paths="infra",
        fail_on="high",
        sarif_file="out.sarif",
        formats="json:out.json",
        args="--today 2026-11-22",
    )
    assert result.returncode == 1, result.stderr
    assert "::error file=infra/main.tf,line=9,endLine=9,title=NHI-PRIV-004 (critical)::" in result.stdout
    assert "## nhilint" in summary.read_text()
    sarif = json.loads((workspace / "out.sarif").read_text())
    Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["NHI-PRIV-004"]
    assert json.loads((workspace / "out.json").read_text())["summary"]["findings"] == 1


def test_clean_scan_passes_and_config_errors_exit_2(tmp_path: Path) -> None:
    workspace = write_tree(
        tmp_path / "ws",
        {
            "infra/main.tf": BAD.replace('Action = "*"', 'Action = "s3:GetObject"').replace(
                'Resource = "*"', 'Resource = "arn:aws:s3:::b/*"'
            )
        },
    )
    result, _ = run_step(workspace, tmp_path, paths="infra", args="--today 2026-11-22")
    assert result.returncode == 0, result.stdout + result.stderr
    result, _ = run_step(workspace, tmp_path, paths="infra", policy="no-such-policy")
    assert result.returncode == 2


def test_new_only_input_fails_only_on_what_the_change_adds(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path / "ws", {"infra/main.tf": BAD})
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
    }
    for command in (
        ["init", "-q", "-b", "main"],
        ["add", "."],
        ["commit", "-qm", "base"],
        ["checkout", "-qb", "feature"],
    ):
        subprocess.run(["git", *command], cwd=workspace, env=env, check=True)
    extra = '\nresource "aws_iam_user" "bot" {\n  name = "bot"\n}\n'
    (workspace / "infra" / "bot.tf").write_text(extra)
    subprocess.run(["git", "add", "."], cwd=workspace, env=env, check=True)
    subprocess.run(["git", "commit", "-qm", "bot"], cwd=workspace, env=env, check=True)
    result, summary = run_step(
        workspace, tmp_path, paths="infra", new_only_base="main", fail_on="low", args="--today 2026-11-22"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "NHI-PRIV-004" not in result.stdout  # already there at the merge base
    assert "title=NHI-OWN-001 (medium)::user aws_iam_user.bot has no owner" in result.stdout
    assert "adds identity aws:infra/aws_iam_user.bot" in summary.read_text()


def empty_sarif(path: Path) -> None:
    """A valid SARIF 2.1.0 document (format checks included) with no results."""
    from jsonschema import FormatChecker

    document = json.loads(path.read_text())
    Draft4Validator(json.loads(SARIF_SCHEMA.read_text()), format_checker=FormatChecker()).validate(document)
    assert [run["results"] for run in document["runs"]] == [[]]


def test_sarif_file_in_a_new_directory(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path / "ws", {"infra/main.tf": BAD})
    result, _ = run_step(
        workspace, tmp_path, paths="infra", sarif_file="reports/code-scanning/nhilint.sarif", args="--today 2026-11-22"
    )
    assert result.returncode == 1, result.stderr
    sarif = json.loads((workspace / "reports/code-scanning/nhilint.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["NHI-PRIV-004"]


def test_config_error_still_annotates_summarises_and_writes_empty_sarif(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path / "ws", {"infra/main.tf": BAD})
    result, summary = run_step(
        workspace, tmp_path, paths="infra", policy="no-such-policy", sarif_file="out/nhilint.sarif"
    )
    assert result.returncode == 2
    message = "Error: unknown policy 'no-such-policy' (built-in policies: default, strict)"
    assert result.stdout == (
        f"::error title=nhilint scan failed::nhilint did not complete the scan (usage or "
        f"configuration error): {message}\n"
    )
    assert message in result.stderr  # nhilint's own output stays in the log
    assert summary.read_text() == (
        "## nhilint\n\n**The scan did not complete** (exit code 2, usage or "
        f"configuration error); no findings were reported.\n\n```\n{message}\n```\n"
    )
    empty_sarif(workspace / "out/nhilint.sarif")


def test_internal_error_exit_3_is_reported_the_same_way(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path / "ws", {"infra/main.tf": BAD})
    fake = write_tree(
        tmp_path / "bin",
        {
            "nhilint": "#!/bin/sh\necho 'nhilint: internal error while processing "
            "infra/main.tf: RuntimeError: 100% (run with --debug for the "
            "traceback)' >&2\nexit 3\n"
        },
    )
    (fake / "nhilint").chmod(0o755)
    result, summary = run_step(
        workspace, tmp_path, path=f"{fake}{os.pathsep}{os.environ['PATH']}", paths="infra", sarif_file="nhilint.sarif"
    )
    assert result.returncode == 3
    assert result.stdout == (
        "::error title=nhilint scan failed::nhilint did not complete the scan (internal "
        "error): nhilint: internal error while processing infra/main.tf: RuntimeError: 100%25 "
        "(run with --debug for the traceback)\n"
    )
    assert "(exit code 3, internal error)" in summary.read_text()
    empty_sarif(workspace / "nhilint.sarif")


def test_nhilint_not_installed(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path / "ws", {"infra/main.tf": BAD})
    bare = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "nhilint").exists())
    assert shutil.which("nhilint", path=bare) is None
    result, summary = run_step(workspace, tmp_path, path=bare, paths="infra", sarif_file="nhilint.sarif")
    assert result.returncode == 127
    assert result.stdout.startswith(
        "::error title=nhilint scan failed::nhilint did not complete the scan (nhilint "
        "could not be run (is it installed?)): "
    )
    assert "**The scan did not complete** (exit code 127" in summary.read_text()
    empty_sarif(workspace / "nhilint.sarif")


def test_paths_one_per_line_may_hold_spaces(tmp_path: Path) -> None:
    workspace = write_tree(
        tmp_path / "ws",
        {
            "my infra/main.tf": BAD,
            "other/iam.tf": BAD.replace('"ci"', '"ops"'),
            "skipped/iam.tf": BAD.replace('"ci"', '"skip"'),
        },
    )
    result, _ = run_step(
        workspace,
        tmp_path,
        paths="my infra\n  other  \n\n",
        fail_on="critical",
        formats="json:report dir/out put.json\n",
        args="--today\n2026-11-22",
    )
    assert result.returncode == 1, result.stderr
    files = sorted(line.split(",")[0] for line in result.stdout.splitlines() if line.startswith("::error"))
    assert files == ["::error file=my infra/main.tf", "::error file=other/iam.tf"]
    assert json.loads((workspace / "report dir/out put.json").read_text())["summary"]["findings"] == 2
    result, _ = run_step(workspace, tmp_path, paths="other skipped", fail_on="critical", args="--today 2026-11-22")
    files = sorted(line.split(",")[0] for line in result.stdout.splitlines() if line.startswith("::error"))
    assert files == ["::error file=other/iam.tf", "::error file=skipped/iam.tf"]  # one line: split at spaces
