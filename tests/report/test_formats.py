"""GitHub annotations, Markdown summary and JUnit XML, and `--format auto` under GitHub Actions."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from nhilint.cli import main
from nhilint.model import Finding, Location, Severity
from nhilint.report.github import annotation
from tests.helpers import write_tree

ROLE = 'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = "{}"\n}\n'


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().out


def test_annotation_escapes_properties_and_data() -> None:
    finding = Finding("NHI-PRIV-001", Severity.HIGH, "50% of it\nis bad", Location("a,b:c.tf", 3, 5), "aws:x")
    assert annotation(finding) == (
        "::error file=a%2Cb%3Ac.tf,line=3,endLine=5,title=NHI-PRIV-001 (high)::50%25 of it%0Ais bad [aws:x]"
    )


def test_auto_is_github_under_actions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"main.tf": ROLE})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out = run(["scan", str(tmp_path), "--format", "auto", "--today", "2026-11-22"], capsys)
    assert code == 1
    assert out.splitlines()[0].startswith("::notice file=main.tf,line=1,endLine=4,title=NHI-EXP-004 (low)::")
    monkeypatch.delenv("GITHUB_ACTIONS")
    _, out = run(["scan", str(tmp_path), "--format", "auto", "--today", "2026-11-22"], capsys)
    assert out.startswith("aws:aws_iam_role.r (role, no owner)\n  main.tf:1: NHI-")


def test_markdown_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": ROLE})
    _, out = run(["scan", str(tmp_path), "--format", "markdown", "--today", "2026-11-22"], capsys)
    assert "**3 findings**" in out and "Owner coverage: 0/1 identity (0%)" in out
    assert "| `NHI-OWN-001` | 1 |" in out


def test_junit_is_xml_with_a_failure_per_failing_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": ROLE})
    _, out = run(["scan", str(tmp_path), "--format", "junit", "--today", "2026-11-22"], capsys)
    suite = ElementTree.fromstring(out.split("\n", 1)[1])
    failed = sorted(c.get("name", "").split()[0] for c in suite if c.find("failure") is not None)
    assert failed == ["NHI-EXP-004", "NHI-OWN-001", "NHI-RET-001"]
    assert suite.get("failures") == "3"


def test_text_groups_by_identity_and_quiet_is_flat(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": ROLE})
    _, grouped = run(["scan", str(tmp_path), "--today", "2026-11-22"], capsys)
    assert grouped.splitlines()[:4] == [
        "aws:aws_iam_role.r (role, no owner)",
        "  main.tf:1: NHI-EXP-004 low role aws_iam_role.r has no expiry or review-by date",
        "  main.tf:1: NHI-OWN-001 medium role aws_iam_role.r has no owner",
        "  main.tf:1: NHI-RET-001 medium role aws_iam_role.r has no retirement hook: no retire-on tag and no "
        "workload in the scanned code uses it",
    ]
    _, quiet = run(["scan", str(tmp_path), "--today", "2026-11-22", "-q"], capsys)
    own = "main.tf:1: NHI-OWN-001 medium role aws_iam_role.r has no owner [aws:aws_iam_role.r]"
    assert quiet.splitlines()[1] == own
    assert len(quiet.splitlines()) == 3  # no summary


def test_colour_only_on_a_terminal() -> None:
    from nhilint.report.text import line

    finding = Finding("NHI-PRIV-001", Severity.HIGH, "m", Location("a.tf", 1, 1), "aws:x")
    assert line(finding) == "a.tf:1: NHI-PRIV-001 high m"
    assert line(finding, colour=True) == "a.tf:1: NHI-PRIV-001 \033[31mhigh\033[0m m"


OWNED_AND_UNKNOWN = """
resource "aws_iam_role" "a" {
  name               = "a"
  assume_role_policy = "{}"
  tags               = { expires = "2027-01-01", retire-on = "app:a" }
}

variable "owner" {}

resource "aws_iam_role" "b" {
  name               = "b"
  assume_role_policy = "{}"
  tags               = { owner = var.owner, expires = "2027-01-01", retire-on = "app:b" }
}
"""


def test_junit_lists_every_finding_with_its_severity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": OWNED_AND_UNKNOWN})  # NHI-OWN-001: one medium (fails), one info (does not)
    _, out = run(["scan", str(tmp_path), "--format", "junit", "--today", "2026-11-22"], capsys)
    suite = ElementTree.fromstring(out.split("\n", 1)[1])
    (case,) = [c for c in suite if c.get("name") == "NHI-OWN-001 owner-missing"]
    failure = case.find("failure")
    assert failure is not None
    assert (failure.get("type"), failure.get("message")) == ("medium", "1 finding at or above low")
    assert failure.text == "main.tf:1: medium role aws_iam_role.a has no owner [aws:aws_iam_role.a]"
    assert case.findtext("system-out") == (
        "main.tf:12: info could not evaluate the owner of role aws_iam_role.b: var.owner has no default and no value "
        "in the scanned tfvars (declared at main.tf:7) [aws:aws_iam_role.b]"
    )
    assert suite.get("failures") == "1"


def test_summaries_use_singular_and_plural(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.tf": OWNED_AND_UNKNOWN.split("\nvariable")[0] + "\n"})
    _, out = run(["scan", str(tmp_path), "--today", "2026-11-22"], capsys)
    assert out.splitlines()[-1] == "nhilint: 1 finding (1 medium) in 1 file, 1 identity, 0 credentials, 0 grants"
    _, out = run(["scan", str(tmp_path), "--format", "markdown", "--today", "2026-11-22"], capsys)
    assert "**1 finding** (1 at or above `low`) in 1 file: 1 identity, 0 credentials, 0 grants." in out
    assert "- Owner coverage: 0/1 identity (0%)" in out
    write_tree(tmp_path, {"b.tf": ROLE})
    _, out = run(["scan", str(tmp_path), "--today", "2026-11-22"], capsys)
    assert out.splitlines()[-1] == (
        "nhilint: 4 findings (3 medium, 1 low) in 2 files, 2 identities, 0 credentials, 0 grants"
    )


def test_default_format_is_auto(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"main.tf": ROLE})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _, out = run(["scan", str(tmp_path), "--today", "2026-11-22"], capsys)
    assert out.splitlines()[0] == (
        "::notice file=main.tf,line=1,endLine=4,title=NHI-EXP-004 (low)::role "
        "aws_iam_role.r has no expiry or review-by date [aws:aws_iam_role.r]"
    )
    _, quiet = run(["scan", str(tmp_path), "--today", "2026-11-22", "-q"], capsys)
    assert len(quiet.splitlines()) == 3 and all(line.startswith("::") for line in quiet.splitlines())
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    _, out = run(["scan", str(tmp_path), "--today", "2026-11-22"], capsys)
    assert out.startswith("aws:aws_iam_role.r (role, no owner)\n")


FORGED = "x.tf\n\x1b[32mforged.tf:1: NHI-OWN-001 info fine.tf"


def test_text_output_escapes_control_characters_in_file_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {FORGED: ROLE})
    escaped = "x.tf\\n\\x1b[32mforged.tf:1: NHI-OWN-001 info fine.tf"
    _, quiet = run(["scan", str(tmp_path), "--today", "2026-11-22", "-q"], capsys)
    assert quiet.splitlines() == [
        f"{escaped}:1: NHI-EXP-004 low role aws_iam_role.r has no expiry or review-by date [aws:aws_iam_role.r]",
        f"{escaped}:1: NHI-OWN-001 medium role aws_iam_role.r has no owner [aws:aws_iam_role.r]",
        f"{escaped}:1: NHI-RET-001 medium role aws_iam_role.r has no retirement hook: no retire-on tag and no "
        "workload in the scanned code uses it [aws:aws_iam_role.r]",
    ]
    _, grouped = run(["scan", str(tmp_path), "--today", "2026-11-22"], capsys)
    assert "\x1b" not in grouped and len(grouped.splitlines()) == 5
    _, markdown = run(["scan", str(tmp_path), "--format", "markdown", "--today", "2026-11-22"], capsys)
    assert "\x1b" not in markdown and f"| `{escaped}:1` | NHI-OWN-001 | medium |" in markdown


def test_annotation_escapes_control_characters() -> None:
    finding = Finding("NHI-PRIV-001", Severity.HIGH, "bad\x1b[0m\r\nname", Location("a\x1b[31m,\n.tf", 3, 3), None)
    assert annotation(finding) == (
        "::error file=a\\x1b[31m%2C%0A.tf,line=3,endLine=3,title=NHI-PRIV-001 (high)::bad\\x1b[0m%0D%0Aname"
    )


def test_printable_escapes() -> None:
    from nhilint.report.escape import printable

    assert printable("infra/main.tf") == "infra/main.tf"
    assert printable("a\tb\rc\nd\x00\x7f\x9b\u202e\u2028ü😀") == "a\\tb\\rc\\nd\\x00\\x7f\\x9b\\u202e\\u2028ü😀"
