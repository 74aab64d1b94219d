"""New-only mode on a real temporary git history: only what a pull request adds, and its access changes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import git
import pytest

from nhilint.api import Report
from nhilint.newonly import NewOnlyError, scan_new_only
from tests.helpers import config_for, write_tree
from tests.test_cli import run, schema

OIDC = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
DEPLOY = """
resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "OIDC" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "SUBJECT" }
      }
    }]
  })
  tags = { owner = "team-a", expires = "2027-01-31", retire-on = "app:deploy" }
}
""".replace("OIDC", OIDC)
PINNED = DEPLOY.replace("SUBJECT", "repo:acme/app:ref:refs/heads/main")
LEGACY = """
resource "aws_iam_role" "legacy" {
  name               = "legacy"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "legacy" {
  role   = aws_iam_role.legacy.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::ci-artifacts/*" }] })
}
"""
BOT = """
resource "aws_iam_user" "bot" {
  name = "bot"
  tags = { owner = "team-a", expires = "2027-01-31", retire-on = "app:bot" }
}
"""


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")


def commit(repo: git.Repo, files: dict[str, str | None], message: str) -> None:
    """Write (or, for None, delete) files, then commit everything."""
    root = Path(repo.working_tree_dir or "")
    write_tree(root, {name: text for name, text in files.items() if text is not None})
    for name, text in files.items():
        if text is None:
            (root / name).unlink()
    repo.git.add(A=True)
    repo.git.commit("-q", "-m", message)


def history(directory: Path, base: dict[str, str | None], change: dict[str, str | None]) -> git.Repo:
    """`main` with `base` committed, and a checked-out `feature` branch that commits `change` on top."""
    repo = git.Repo.init(directory, initial_branch="main")
    commit(repo, base, "base")
    repo.git.checkout("-q", "-b", "feature")
    commit(repo, change, "change")
    return repo


def new_only(directory: Path, ref: str = "main", target: Path | None = None) -> Report:
    return scan_new_only([target or directory], config_for(directory), target or directory, ref)


def rows(report: Report) -> list[tuple[str, str, int, str | None]]:
    return [(f.rule_id, f.location.path, f.location.start_line, f.identity) for f in report.findings]


def changes(report: Report) -> list[tuple[str, str]]:
    return [(c.kind, c.message) for c in report.changes or []]


def test_moving_a_bad_role_to_another_file_reports_nothing_new(tmp_path: Path) -> None:
    history(tmp_path, {"roles.tf": PINNED + LEGACY}, {"roles.tf": PINNED, "legacy.tf": "\n\n# moved here\n" + LEGACY})
    report = new_only(tmp_path)
    assert rows(report) == []
    assert changes(report) == []
    assert [(f.rule_id, f.location.path, f.location.start_line) for f in report.baselined or []] == [
        ("NHI-EXP-004", "legacy.tf", 3),
        ("NHI-OWN-001", "legacy.tf", 3),
        ("NHI-RET-001", "legacy.tf", 3),
        ("NHI-PRIV-001", "legacy.tf", 10),
    ]


def test_widening_a_trust_reports_exactly_that(tmp_path: Path) -> None:
    history(tmp_path, {"roles.tf": PINNED + LEGACY}, {"roles.tf": DEPLOY.replace("SUBJECT", "repo:acme/*") + LEGACY})
    report = new_only(tmp_path)
    assert rows(report) == [("NHI-TRUST-003", "roles.tf", 5, "aws:aws_iam_role.deploy")]
    assert changes(report) == [
        (
            "trust_widened",
            "widens the trust of aws:aws_iam_role.deploy to any repository of "
            "acme (token.actions.githubusercontent.com:sub: repo:acme/app:ref:refs/heads/main "
            "-> repo:acme/*)",
        )
    ]


def test_removing_the_subject_condition_widens_to_any_repository(tmp_path: Path) -> None:
    unpinned = PINNED.replace(
        '        StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/main" }\n',
        "",
    )
    history(tmp_path, {"roles.tf": PINNED}, {"roles.tf": unpinned})
    assert changes(new_only(tmp_path)) == [
        (
            "trust_widened",
            "widens the trust of aws:aws_iam_role.deploy to any repository (removes condition "
            "token.actions.githubusercontent.com:sub (repo:acme/app:ref:refs/heads/main))",
        ),
    ]


def test_access_changes_per_identity(tmp_path: Path) -> None:
    grant = """
resource "aws_iam_role_policy" "deploy_artifacts" {
  role   = aws_iam_role.deploy.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"],
                                       Resource = "arn:aws:s3:::acme-artifacts/*" }] })
}
"""
    key = 'resource "aws_iam_access_key" "bot" {\n  user = aws_iam_user.bot.name\n}\n'
    user = 'resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n'
    history(
        tmp_path,
        {"roles.tf": PINNED + LEGACY, "bot.tf": BOT},
        {"roles.tf": PINNED + grant, "bot.tf": BOT + key, "ci.tf": user},
    )
    assert changes(new_only(tmp_path)) == [
        (
            "grant_added",
            "adds grant s3:GetObject, s3:PutObject on arn:aws:s3:::acme-artifacts/* to aws:aws_iam_role"
            ".deploy (inline policy deploy_artifacts (aws_iam_role_policy.deploy_artifacts))",
        ),
        ("identity_removed", "removes identity aws:aws_iam_role.legacy"),
        ("credential_added", "adds a long-lived access key aws:aws_iam_access_key.bot to aws:aws_iam_user.bot"),
        ("identity_added", "adds identity aws:aws_iam_user.ci (no owner)"),
    ]


def test_the_merge_base_is_the_base_not_the_target_branch(tmp_path: Path) -> None:
    repo = history(tmp_path, {"roles.tf": PINNED}, {"bot.tf": BOT})
    repo.git.checkout("-q", "main")
    commit(repo, {"legacy.tf": LEGACY}, "landed on main after the fork")
    repo.git.checkout("-q", "feature")
    report = new_only(tmp_path)
    assert rows(report) == []
    assert changes(report) == [("identity_added", "adds identity aws:aws_iam_user.bot (owner team-a)")]


def test_a_subdirectory_root_and_a_new_directory(tmp_path: Path) -> None:
    history(
        tmp_path,
        {"infra/roles.tf": PINNED, "README.md": "x\n"},
        {"infra/roles.tf": PINNED + LEGACY, "infra/new/bot.tf": BOT},
    )
    report = new_only(tmp_path, target=tmp_path / "infra")
    assert [r[:3] for r in rows(report)] == [
        ("NHI-EXP-004", "roles.tf", 18),
        ("NHI-OWN-001", "roles.tf", 18),
        ("NHI-RET-001", "roles.tf", 18),
        ("NHI-PRIV-001", "roles.tf", 25),
    ]
    assert report.baselined == ()
    report = new_only(tmp_path / "infra" / "new", target=tmp_path / "infra" / "new")
    assert changes(report) == [("identity_added", "adds identity aws:aws_iam_user.bot (owner team-a)")]


def test_a_scan_root_above_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "checkout" / "repo"
    repo.mkdir(parents=True)
    history(repo, {"infra/roles.tf": PINNED}, {"infra/roles.tf": PINNED, "infra/bot.tf": BOT})
    report = scan_new_only([repo / "infra"], config_for(tmp_path), tmp_path / "checkout", "main")
    assert changes(report) == [("identity_added", "adds identity aws:repo/infra/aws_iam_user.bot (owner team-a)")]
    assert rows(report) == []


def test_cli_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history(tmp_path, {"roles.tf": PINNED + LEGACY}, {"roles.tf": DEPLOY.replace("SUBJECT", "repo:*") + LEGACY})
    args = ["scan", str(tmp_path), "--new-only", "--base", "main", "--today", "2026-11-22"]
    code, out, _ = run(args, capsys)
    assert code == 1
    assert out == (
        "aws:aws_iam_role.deploy (role, owner team-a)\n"
        "  roles.tf:5: NHI-TRUST-003 high role aws_iam_role.deploy may be assumed by any subject via "
        "token.actions.githubusercontent.com (sub 'repo:*')\n"
        "access changes:\n"
        "  roles.tf:5: widens the trust of aws:aws_iam_role.deploy to any repository "
        "(token.actions.githubusercontent.com:sub: repo:acme/app:ref:refs/heads/main -> repo:*)\n"
        "nhilint: 1 finding (1 high) in 1 file, 2 identities, 0 credentials, 1 grant; 4 baselined; "
        "1 access change\n"
    )
    code, out, _ = run([*args, "--format", "json"], capsys)
    document = json.loads(out)
    schema("scan.schema.json").validate(document)
    assert [f["rule_id"] for f in document["findings"]] == ["NHI-TRUST-003"]
    assert len(document["baselined"]) == 4 and document["summary"]["baselined"] == 4
    assert document["changes"] == [
        {
            "kind": "trust_widened",
            "identity": "aws:aws_iam_role.deploy",
            "file": "roles.tf",
            "line": 5,
            "message": "widens the trust of aws:aws_iam_role.deploy to any repository "
            "(token.actions.githubusercontent.com:sub: repo:acme/app:ref:refs/heads/main -> repo:*)",
        }
    ]
    assert "stale_baseline" not in document


def test_cli_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path / "plain", {"main.tf": BOT})
    code, _, err = run(["scan", str(tmp_path / "plain"), "--new-only", "--base", "main"], capsys)
    assert code == 2 and "is not inside a git repository" in err
    history(tmp_path / "repo", {"bot.tf": BOT}, {"bot.tf": BOT + "\n"})
    code, _, err = run(["scan", str(tmp_path / "repo"), "--new-only", "--base", "nope"], capsys)
    assert code == 2 and "--base nope: not a commit" in err
    assert run(["scan", str(tmp_path / "repo"), "--new-only"], capsys)[0] == 2
    assert run(["scan", str(tmp_path / "repo"), "--base", "main"], capsys)[0] == 2
    with pytest.raises(NewOnlyError):
        new_only(tmp_path / "repo", ref="feature~5")


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("main:../x", "Blob or Tree named '..' not found"),
        ("main:nope", "Blob or Tree named 'nope' not found"),
        ("main:infra", 'Cannot convert object <git.Tree "'),
        ("main:infra/bot.tf", 'Cannot convert object <git.Blob "'),
        ("main@{9}", "Invalid revlog index: 9"),
        ("main^3", "not enough parent commits to reach '^3'"),
    ],
)
def test_every_invalid_base_is_a_usage_error_naming_the_ref(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ref: str, reason: str
) -> None:
    history(tmp_path / "repo", {"infra/bot.tf": BOT}, {"infra/bot.tf": BOT + "\n"})
    code, _, err = run(["scan", str(tmp_path / "repo"), "--new-only", "--base", ref], capsys)
    assert code == 2
    assert f"Error: --base {ref}: not a commit in {tmp_path / 'repo'} (" in err and reason in err
    assert "internal error" not in err


def test_a_plain_scan_does_not_import_git(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.tf": BOT})
    probe = (
        "import sys\nfrom nhilint.cli import main\ncode = main(['scan', sys.argv[1], '-q'])\n"
        "print(code, sorted(m for m in sys.modules\n"
        "                   if m.split('.')[0] in ('git', 'gitdb') or m == 'nhilint.newonly'))"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "0 []"
