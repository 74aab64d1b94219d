"""No traceback escapes `nhilint`: an unexpected exception is exit 3 with one line naming the path being
processed; `--debug` (or NHILINT_DEBUG=1) shows the traceback. Report files go into new directories."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from nhilint.cli import main
from nhilint.errors import InternalError, describe, processing
from tests.helpers import write_tree

ROLE = 'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = "{}"\n}\n'
ACCOUNT = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: payments\n"
HINT = " (run with --debug for the traceback)\n"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _raiser(error: BaseException) -> object:
    def raise_it(*_args: object, **_kwargs: object) -> None:
        raise error

    return raise_it


@pytest.mark.parametrize(
    "error",
    [RuntimeError("boom"), RecursionError("maximum recursion depth exceeded"), MemoryError()],
    ids=["runtime", "recursion", "memory"],
)
def test_extractor_failure_is_exit_3_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    write_tree(tmp_path, {"main.tf": ROLE, "k8s/sa.yaml": ACCOUNT})
    monkeypatch.setattr("nhilint.extract.manifests.objects.extract", _raiser(error))
    code, out, err = run(["scan", str(tmp_path), "--today", "2026-11-22"], capsys)
    assert (code, out) == (3, "")
    assert err == f"nhilint: internal error while processing k8s/sa.yaml: {describe(error)}{HINT}"
    assert "Traceback" not in err


def test_terraform_failure_names_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"infra/main.tf": ROLE, "infra/iam.tf": ROLE.replace('"r"', '"s"')})
    monkeypatch.setattr("nhilint.extract.terraform.project.extract_terraform", _raiser(KeyError("type")))
    code, _, err = run(["scan", str(tmp_path)], capsys)
    assert code == 3
    assert err == f"nhilint: internal error while processing infra/ (2 Terraform files): KeyError: 'type'{HINT}"


def test_rule_failure_names_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from nhilint.rules import owner_missing

    write_tree(tmp_path, {"main.tf": ROLE})
    broken = dataclasses.replace(owner_missing.RULE, check=_raiser(ValueError("bad")))  # type: ignore[arg-type]
    monkeypatch.setattr(owner_missing, "RULE", broken)
    code, _, err = run(["scan", str(tmp_path)], capsys)
    assert (code, err) == (3, f"nhilint: internal error while processing rule NHI-OWN-001: ValueError: bad{HINT}")


def test_failure_outside_any_file_is_still_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"main.tf": ROLE})
    monkeypatch.setattr("nhilint.report.text.render", _raiser(TypeError("no")))
    code, out, err = run(["scan", str(tmp_path), "--format", "text"], capsys)
    assert (code, out, err) == (3, "", f"nhilint: internal error: TypeError: no{HINT}")


@pytest.mark.parametrize("how", ["flag", "env"])
def test_debug_shows_the_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    write_tree(tmp_path, {"k8s/sa.yaml": ACCOUNT})
    monkeypatch.setattr("nhilint.extract.manifests.objects.extract", _raiser(RuntimeError("boom")))
    if how == "env":
        monkeypatch.setenv("NHILINT_DEBUG", "1")
    args = ["--debug", "scan", str(tmp_path)] if how == "flag" else ["scan", str(tmp_path)]
    code, _, err = run(args, capsys)
    assert code == 3
    assert err.startswith("Traceback (most recent call last):\n")
    assert "RuntimeError: boom\n" in err and "The above exception was the direct cause" in err
    assert err.endswith("nhilint: internal error while processing k8s/sa.yaml: RuntimeError: boom\n")


def test_processing_keeps_the_innermost_path_and_bounds_the_message() -> None:
    with pytest.raises(InternalError) as raised, processing("outer"), processing(lambda: "inner.tf"):
        raise ValueError("x" * 500 + "\nsecond line")
    assert raised.value.path == "inner.tf"
    assert isinstance(raised.value.__cause__, ValueError)
    assert str(raised.value) == f"internal error while processing inner.tf: ValueError: {'x' * 199}…"


def test_internal_error_message_escapes_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"k8s/a\x1b[31m.yaml": ACCOUNT})
    monkeypatch.setattr("nhilint.extract.manifests.objects.extract", _raiser(RuntimeError("boom")))
    _, _, err = run(["scan", str(tmp_path)], capsys)
    assert err == f"nhilint: internal error while processing k8s/a\\x1b[31m.yaml: RuntimeError: boom{HINT}"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    write_tree(tmp_path, {"main.tf": ROLE})
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def test_output_and_reports_create_their_directory(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        [
            "scan",
            ".",
            "--today",
            "2026-11-22",
            "-o",
            "out/deep/report.txt",
            "--report",
            "sarif:reports/ci/nhilint.sarif",
            "--report",
            "json:reports/json/r.json",
        ],
        capsys,
    )
    assert (code, out, err) == (1, "", "")
    assert (project / "out/deep/report.txt").read_text().startswith("aws:aws_iam_role.r (role, no owner)\n")
    assert json.loads((project / "reports/ci/nhilint.sarif").read_text())["version"] == "2.1.0"
    assert json.loads((project / "reports/json/r.json").read_text())["summary"]["findings"] == 3
    assert run(["inventory", ".", "-o", "inv/table.txt"], capsys)[0] == 0
    assert "aws:aws_iam_role.r" in (project / "inv/table.txt").read_text()
    assert run(["baseline", "create", ".", "-o", "base/line.json"], capsys)[:2] == (0, "")
    assert json.loads((project / "base/line.json").read_text())


def test_output_under_a_file_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "blocker").write_text("a file, not a directory\n")
    code, out, err = run(["scan", ".", "-o", "blocker/report.txt"], capsys)
    assert (code, out) == (2, "")
    assert err == "Error: cannot write blocker/report.txt: blocker is a file, not a directory\n"
    code, _, err = run(["scan", ".", "--report", "sarif:blocker/sub/n.sarif"], capsys)
    assert (code, err) == (2, "Error: cannot write blocker/sub/n.sarif: blocker is a file, not a directory\n")
