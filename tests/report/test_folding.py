"""Repeats across identities are folded in text, GitHub and Markdown output, and only there.

A module called from three roots yields three findings per rule at one line; the human-facing outputs show
each once, naming the roots, while JSON (and the counts, the exit code) keep all three.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint.cli import main
from nhilint.model import Finding, Location, Severity
from nhilint.report.grouping import brief_names, fold
from nhilint.report.text import line
from tests.helpers import write_tree

MODULE = 'resource "aws_iam_role" "deploy" {\n  name               = "deploy"\n  assume_role_policy = "{}"\n}\n'
ROOT = 'module "ci" {\n  source = "../../modules/deploy-role"\n}\n'
ROOTS = ("dev", "production", "staging")
TODAY = "2026-11-22"


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    files = {"modules/deploy-role/main.tf": MODULE}
    files.update({f"envs/{name}/main.tf": ROOT for name in ROOTS})
    write_tree(tmp_path, files)
    return tmp_path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main([*args, "--today", TODAY, "--no-cache"])
    return code, capsys.readouterr().out


FOLDED = " (3 identities: dev, production and staging)"


def test_text_folds_three_instances(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["scan", str(estate)], capsys)
    assert code == 1
    assert out == (
        "aws:envs/dev/module.ci.aws_iam_role.deploy (role, no owner)\n"
        "  modules/deploy-role/main.tf:1: NHI-EXP-004 low role module.ci.aws_iam_role.deploy has no expiry or "
        f"review-by date{FOLDED}\n"
        f"  modules/deploy-role/main.tf:1: NHI-OWN-001 medium role module.ci.aws_iam_role.deploy has no owner{FOLDED}\n"
        "  modules/deploy-role/main.tf:1: NHI-RET-001 medium role module.ci.aws_iam_role.deploy has no retirement "
        f"hook: no retire-on tag and no workload in the scanned code uses it{FOLDED}\n"
        "nhilint: 9 findings (6 medium, 3 low) in 4 files, 3 identities, 0 credentials, 0 grants; "
        "3 shown (repeats across identities folded)\n"
    )


def test_quiet_keeps_one_line_per_finding(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(["scan", str(estate), "--quiet"], capsys)
    assert len(out.splitlines()) == 9


def test_github_annotations_fold(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(["scan", str(estate), "--format", "github"], capsys)
    where = "file=modules/deploy-role/main.tf,line=1,endLine=4"
    assert out.splitlines() == [
        f"::notice {where},title=NHI-EXP-004 (low)::role module.ci.aws_iam_role.deploy has no expiry or "
        f"review-by date{FOLDED}",
        f"::warning {where},title=NHI-OWN-001 (medium)::role module.ci.aws_iam_role.deploy has no owner{FOLDED}",
        f"::warning {where},title=NHI-RET-001 (medium)::role module.ci.aws_iam_role.deploy has no retirement "
        f"hook: no retire-on tag and no workload in the scanned code uses it{FOLDED}",
        "nhilint: 9 findings (6 medium, 3 low) in 4 files, 3 identities, 0 credentials, 0 grants; "
        "3 shown (repeats across identities folded)",
    ]


def test_markdown_folds_rows_but_counts_every_finding(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(["scan", str(estate), "--format", "markdown"], capsys)
    assert "**9 findings**" in out and "| `NHI-OWN-001` | 3 |" in out
    rows = [row for row in out.splitlines() if row.startswith("| `modules/")]
    assert rows == [
        "| `modules/deploy-role/main.tf:1` | NHI-EXP-004 | low | role module.ci.aws_iam_role.deploy has no expiry "
        f"or review-by date{FOLDED} |",
        f"| `modules/deploy-role/main.tf:1` | NHI-OWN-001 | medium | role module.ci.aws_iam_role.deploy has no "
        f"owner{FOLDED} |",
        "| `modules/deploy-role/main.tf:1` | NHI-RET-001 | medium | role module.ci.aws_iam_role.deploy has no "
        f"retirement hook: no retire-on tag and no workload in the scanned code uses it{FOLDED} |",
    ]


def test_json_keeps_every_finding(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["scan", str(estate), "--format", "json"], capsys)
    findings = json.loads(out)["findings"]
    assert code == 1 and len(findings) == 9
    owners = [f["identity"] for f in findings if f["rule_id"] == "NHI-OWN-001"]
    assert owners == [f"aws:envs/{name}/module.ci.aws_iam_role.deploy" for name in ROOTS]


def _finding(identity: str, message: str, line_no: int = 7) -> Finding:
    address = identity.split(":", 1)[1]
    return Finding(
        "NHI-PRIV-002", Severity.HIGH, message, Location("modules/ci/iam.tf", line_no, line_no), identity, address
    )


def _lines(findings: list[Finding]) -> list[str]:
    return [line(e.first) + e.suffix for e in fold(findings)]


def test_different_messages_do_not_fold() -> None:
    findings = [
        _finding("aws:envs/dev/module.ci.aws_iam_role.ci", "role module.ci.aws_iam_role.ci may s3:* on *"),
        _finding("aws:envs/prod/module.ci.aws_iam_role.ci", "role module.ci.aws_iam_role.ci may iam:* on *"),
    ]
    assert _lines(findings) == [
        "modules/ci/iam.tf:7: NHI-PRIV-002 high role module.ci.aws_iam_role.ci may s3:* on *",
        "modules/ci/iam.tf:7: NHI-PRIV-002 high role module.ci.aws_iam_role.ci may iam:* on *",
    ]


def test_different_lines_do_not_fold() -> None:
    message = "role module.ci.aws_iam_role.ci may s3:* on *"
    findings = [
        _finding("aws:envs/dev/module.ci.aws_iam_role.ci", message, 7),
        _finding("aws:envs/prod/module.ci.aws_iam_role.ci", message, 9),
    ]
    assert _lines(findings) == [
        "modules/ci/iam.tf:7: NHI-PRIV-002 high role module.ci.aws_iam_role.ci may s3:* on *",
        "modules/ci/iam.tf:9: NHI-PRIV-002 high role module.ci.aws_iam_role.ci may s3:* on *",
    ]


def test_messages_naming_different_instances_fold_and_long_lists_are_cut() -> None:
    names = ["deploy", "lint", "publish", "release", "test"]
    findings = [
        _finding(f"aws:envs/prod/module.{n}.aws_iam_role.ci", f"role module.{n}.aws_iam_role.ci may s3:* on *")
        for n in names
    ]
    assert _lines(findings) == [
        "modules/ci/iam.tf:7: NHI-PRIV-002 high role module.deploy.aws_iam_role.ci may s3:* on * "
        "(5 identities: deploy, lint, publish and 2 more)"
    ]


def test_same_identity_twice_and_no_identity_never_fold() -> None:
    twice = _finding("aws:envs/dev/module.ci.aws_iam_role.ci", "role module.ci.aws_iam_role.ci may s3:* on *")
    loose = Finding("NHI-PARSE-002", Severity.INFO, "module.vpc was not scanned", Location("main.tf", 3, 3))
    assert [len(e.findings) for e in fold([twice, twice, loose, loose])] == [1, 1, 1, 1]


def test_brief_names_cut_at_boundaries() -> None:
    ids = [
        "aws:examples/eks-auto-mode/module.eks.aws_iam_role.this[0]",
        "aws:tests/karpenter/module.eks.aws_iam_role.this[0]",
    ]
    assert brief_names(ids) == ["examples/eks-auto-mode", "tests/karpenter"]
