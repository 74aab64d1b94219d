"""A small organisation of git repositories with real histories, for the audit tests and the benchmark.

Each commit sets its author, committer and dates (GIT_AUTHOR_* / GIT_COMMITTER_*), so blame gives known
answers. The infrastructure code is written for these tests.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

ALICE = ("Alice Example", "alice@example.com")
BOB = ("Bob Builder", "bob@example.com")
CAROL = ("Carol Ops", "carol@example.com")
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")


@dataclass(frozen=True)
class Commit:
    author: tuple[str, str]
    date: str  # ISO 8601 with zone
    files: dict[str, str | None]  # path -> new text, or None to delete
    message: str = "change"


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent), **(env or {})}
    done = subprocess.run(["git", *args], cwd=repo, env=full, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def make_repo(path: Path, commits: list[Commit], branch: str = "main") -> list[str]:
    """A repository at `path` with these commits in order; returns their ids."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", branch)
    git(path, "config", "user.name", "nobody")
    git(path, "config", "user.email", "nobody@example.com")
    ids = []
    for commit in commits:
        for name, text in commit.files.items():
            target = path / name
            if text is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        git(path, "add", "-A")
        name, email = commit.author
        env = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": commit.date,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": commit.date,
        }
        git(path, "commit", "-q", "-m", commit.message, env=env)
        ids.append(git(path, "rev-parse", "HEAD"))
    return ids


TRUST_EC2 = """jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })"""

PAYMENTS_IAM_V1 = f"""resource "aws_iam_role" "ledger" {{
  name               = "ledger-writer"
  assume_role_policy = {TRUST_EC2}
  tags = {{
    owner   = "team-ledger"
    purpose = "writes settlement files"
  }}
}}

resource "aws_iam_role" "batch" {{
  name               = "payments-batch"
  assume_role_policy = {TRUST_EC2}
}}
"""

# Bob adds a policy line inside the batch role's block: its last change moves to him.
PAYMENTS_IAM_V2 = PAYMENTS_IAM_V1.replace(
    '  name               = "payments-batch"\n',
    '  name               = "payments-batch"\n  max_session_duration = 7200\n',
)

PAYMENTS_CI = f"""resource "aws_iam_role" "deployer" {{
  name               = "payments-deployer"
  assume_role_policy = {TRUST_EC2}
}}

resource "aws_iam_role_policy" "deployer_admin" {{
  role   = aws_iam_role.deployer.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "*", Resource = "*" }}]
  }})
}}
"""

PAYMENTS_CODEOWNERS = """# Payments owns its infrastructure; CI roles belong to the platform team.
*           @acme/payments
/ci/        @acme/platform
/iam/       @acme/ledger-team
/iam/roles.tf
"""

PLATFORM_SA = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: ingest
  namespace: data
"""

PLATFORM_CFN_V1 = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ExporterRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: metrics-exporter
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
"""

PLATFORM_CFN_V2 = PLATFORM_CFN_V1.replace("RoleName: metrics-exporter", "RoleName: metrics-exporter-v2")


@dataclass(frozen=True)
class Org:
    root: Path
    payments: Path
    platform: Path
    missing: Path
    payments_commits: list[str]
    platform_commits: list[str]

    @property
    def urls(self) -> list[str]:
        return [f"file://{self.payments}", f"file://{self.platform}", f"file://{self.missing}"]


def build_org(root: Path) -> Org:
    """payments (Terraform, CODEOWNERS), platform (Kubernetes, CloudFormation, a bot's last change), and a
    repository that does not exist."""
    payments = root / "acme" / "payments"
    payments_commits = make_repo(
        payments,
        [
            Commit(ALICE, "2021-03-01T09:00:00+00:00", {"iam/roles.tf": PAYMENTS_IAM_V1}, "ledger and batch roles"),
            Commit(CAROL, "2022-01-15T12:30:00+00:00", {"ci/deployer.tf": PAYMENTS_CI}, "deployer"),
            Commit(BOB, "2024-02-20T16:45:00+01:00", {"iam/roles.tf": PAYMENTS_IAM_V2}, "longer batch sessions"),
            Commit(ALICE, "2024-03-01T08:00:00+00:00", {".github/CODEOWNERS": PAYMENTS_CODEOWNERS}, "owners"),
        ],
    )
    platform = root / "acme" / "platform"
    platform_commits = make_repo(
        platform,
        [
            Commit(CAROL, "2019-05-01T10:00:00+00:00", {"k8s/ingest-sa.yaml": PLATFORM_SA}, "ingest SA"),
            Commit(CAROL, "2020-07-04T11:00:00+00:00", {"cfn/exporter.yaml": PLATFORM_CFN_V1}, "exporter"),
            Commit(BOT, "2024-05-20T03:00:00+00:00", {"cfn/exporter.yaml": PLATFORM_CFN_V2}, "bump"),
        ],
        branch="trunk",
    )
    return Org(root, payments, platform, root / "acme" / "retired", payments_commits, platform_commits)
