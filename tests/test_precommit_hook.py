"""The pre-commit hook, end to end with the real `pre-commit` package.

A temporary git repository whose `.pre-commit-config.yaml` points at this checkout (at its HEAD commit):
a commit that adds a role with `*` on `*` is refused with the finding on screen; a compliant one passes.
pre-commit builds the hook's virtualenv with pip, as it does for users (it needs the package index).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import write_tree

REPO = Path(__file__).resolve().parent.parent
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"

BAD = """
resource "aws_iam_role" "deployer" {
  name               = "deployer"
  assume_role_policy = "{}"
  tags               = { owner = "team-ci", review-by = "2027-01-01", retire-on = "app:deployer" }
}

resource "aws_iam_role_policy" "deployer" {
  role   = aws_iam_role.deployer.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
"""
GOOD = BAD.replace('Action = "*", Resource = "*"', 'Action = "s3:GetObject", Resource = "arn:aws:s3:::b/*"')

# `network`: pre-commit installs the hook with pip from the package index. Offline: `python -m pytest -m "not network"`;
# CI runs the plain `python -m pytest`, so it stays there.
pytestmark = [
    pytest.mark.network,
    pytest.mark.skipif(
        not PRE_COMMIT.exists() or shutil.which("git") is None,
        reason="needs the pre-commit package (test extra) and git",
    ),
]


def git(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("precommit-home")
    return {
        **os.environ,
        "PATH": f"{PRE_COMMIT.parent}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(home / "cache"),
        "NHILINT_CACHE_DIR": "off",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def test_commit_with_wildcard_role_is_refused_and_compliant_commit_passes(
    tmp_path: Path, hook_env: dict[str, str]
) -> None:
    head = git(REPO, "rev-parse", "HEAD", env=hook_env)
    if head.returncode != 0:
        pytest.skip("this checkout has no commit for pre-commit to install")
    project = write_tree(
        tmp_path / "project",
        {
            ".pre-commit-config.yaml": (
                "repos:\n"
                f"  - repo: {REPO}\n"
                f"    rev: {head.stdout.strip()}\n"
                "    hooks:\n"
                "      - id: nhilint\n"
                "        args: [--today, '2026-11-22']\n"
            ),
            "infra/iam.tf": BAD,
        },
    )
    assert git(project, "init", "-q", env=hook_env).returncode == 0
    installed = subprocess.run(
        [str(PRE_COMMIT), "install"], cwd=project, env=hook_env, capture_output=True, text=True, timeout=120
    )
    assert installed.returncode == 0, installed.stderr
    git(project, "add", ".", env=hook_env)
    refused = git(project, "commit", "-m", "add deployer role", env=hook_env)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    output = refused.stdout + refused.stderr
    assert "infra/iam.tf:9: NHI-PRIV-004 critical" in output
    assert git(project, "rev-parse", "--verify", "HEAD", env=hook_env).returncode != 0  # nothing committed

    (project / "infra" / "iam.tf").write_text(GOOD)
    git(project, "add", ".", env=hook_env)
    accepted = git(project, "commit", "-m", "add deployer role", env=hook_env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
