"""checkov interop: merge by identity, folding, skips, reporters, the offline runner, and a real checkov run.

Most tests replay `checkov_fixture/checkov_output.json`, recorded from checkov 3.3.30 on
`checkov_fixture/project` with nhilint's check list (passed checks dropped, paths as `{project}`), so the
merge logic is tested without checkov. `test_real_checkov_*` runs the real thing when a checkov is found
(NHILINT_CHECKOV, PATH, or nhilint's managed environment) and, under CI, installs it apart from nhilint.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from nhilint.api import Report, scan
from nhilint.checkov_interop import CheckovError, merge, runner, with_checkov
from nhilint.checkov_interop.checks import BY_CHECK_ID, CHECKS
from nhilint.cli import main, render_scan_report
from nhilint.fingerprint import fingerprint
from nhilint.model import Finding, Location, Severity
from nhilint.rules import BY_ID
from tests.helpers import config_for, write_tree
from tests.test_cli import schema

FIXTURE = Path(__file__).resolve().parent / "checkov_fixture"
REAL_VENV = runner.managed_venv()  # read before the hermetic HOME of each test


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE / "project", tmp_path / "project"))


def recorded(project: Path) -> runner.CheckovRun:
    text = (FIXTURE / "checkov_output.json").read_text(encoding="utf-8").replace("{project}", str(project))
    return runner.CheckovRun(runner.parse_reports(text), seconds=0.01)


def merged(project: Path, **kwargs: Any) -> tuple[Report, Report]:
    plain = scan([project], config_for(project), project)
    return plain, with_checkov(plain, [project], runner=lambda *_: recorded(project), **kwargs)


def by_rule(report: Report, rule_id: str) -> list[Finding]:
    return [f for f in report.findings if f.rule_id == rule_id]


def test_admin_policy_is_one_folded_finding(project: Path) -> None:
    plain, report = merged(project)
    [admin] = by_rule(report, "NHI-PRIV-004")
    assert admin.identity == "aws:aws_iam_role.deployer"
    assert "also checkov" in admin.message and "CKV_AWS_62" in admin.message and "CKV_AWS_63" in admin.message
    assert not [f for f in report.findings if f.rule_id in ("CKV_AWS_62", "CKV_AWS_63", "CKV2_AWS_40", "CKV_AWS_286")]
    [before] = by_rule(plain, "NHI-PRIV-004")
    assert fingerprint(admin) == fingerprint(before) and admin.severity == before.severity


def test_checkov_only_finding_keeps_its_id_and_identity(project: Path) -> None:
    _, report = merged(project)
    [policy] = by_rule(report, "CKV_AWS_40")
    assert policy.identity == "aws:aws_iam_user.reporter" and policy.kind == "user"
    assert (policy.location.path, policy.location.start_line, policy.location.end_line) == ("main.tf", 41, 48)
    assert policy.severity == Severity.LOW and "aws_iam_user_policy.reporter_read" in policy.message
    assert [f.identity for f in by_rule(report, "CKV_AWS_273")] == ["aws:aws_iam_user.reporter"]


def test_checkov_skip_comment_is_respected(project: Path) -> None:
    _, report = merged(project)
    assert all(f.location.start_line != 50 for f in report.findings)  # reporter_legacy: skipped by checkov
    [skip] = [s for s in report.suppressed if s.finding.rule_id == "CKV_AWS_40"]
    assert skip.finding.location.start_line == 50 and "OPS-12" in skip.reason
    _, audit = merged(project, inline_suppressions=False)  # the auditor's view shows it
    assert sorted(f.location.start_line for f in by_rule(audit, "CKV_AWS_40")) == [41, 50]


def test_nhilint_ignore_all_covers_checkov_findings(project: Path) -> None:
    main_tf = project / "main.tf"
    note = "# A policy on a user, not a role: only checkov reports it (CKV_AWS_40)."
    main_tf.write_text(main_tf.read_text().replace(note, "# nhilint:ignore all -- read-only bot, see SEC-7"))
    _, report = merged(project)
    assert not by_rule(report, "CKV_AWS_40")
    assert [s.reason for s in report.suppressed if s.finding.location.start_line == 41] == ["read-only bot, see SEC-7"]


def test_module_and_root_directory_addresses(project: Path) -> None:
    _, report = merged(project)
    [anyone] = by_rule(report, "NHI-TRUST-001")
    assert anyone.identity == "aws:module.app.aws_iam_role.app" and "CKV_AWS_60" in anyone.message
    [account] = by_rule(report, "NHI-TRUST-002")
    assert account.identity == "aws:envs/prod/aws_iam_role.deploy" and "CKV_AWS_61" in account.message
    assert not [f for f in report.findings if f.rule_id in ("CKV_AWS_60", "CKV_AWS_61")]


def test_policy_rescores_and_disables_checkov_checks(project: Path) -> None:
    write_tree(project, {".nhilint.yaml": "rules:\n  CKV_AWS_40: {severity: high}\n  CKV_AWS_273: false\n"})
    seen: list[list[str]] = []
    plain = scan([project], config_for(project), project)
    report = with_checkov(plain, [project], runner=lambda _d, checks, _v: seen.append(checks) or recorded(project))
    assert "CKV_AWS_273" not in seen[0] and "CKV_AWS_40" in seen[0]
    assert not by_rule(report, "CKV_AWS_273") and by_rule(report, "CKV_AWS_40")[0].severity == Severity.HIGH


def test_reporters_describe_checkov_rules(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("nhilint.checkov_interop.run", lambda *_a, **_k: recorded(project))
    code = main(["scan", str(project), "--checkov", "--format", "json", "--today", "2026-11-22"])
    document = json.loads(capsys.readouterr().out)
    schema("scan.schema.json").validate(document)
    assert code == 1 and {"CKV_AWS_40", "NHI-PRIV-004"} <= {f["rule_id"] for f in document["findings"]}
    _, report = merged(project)
    sarif = json.loads(render_scan_report(report, "sarif"))
    official = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    Draft4Validator(official).validate(sarif)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    for result in sarif["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    [entry] = [r for r in rules if r["id"] == "CKV_AWS_40"]
    assert entry["name"].startswith("Ensure IAM policies are attached only to groups or roles")
    assert "checkov" in entry["help"]["text"]
    assert "CKV_AWS_40" in render_scan_report(report, "text") + render_scan_report(report, "github")
    assert "Ensure IAM policies are attached" in render_scan_report(report, "markdown")
    assert 'name="CKV_AWS_40 Ensure IAM' in render_scan_report(report, "junit")


def test_k8s_binding_and_cloudformation_results_find_their_identity(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "rbac.yaml": """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: api, namespace: payments}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: api-all}
        rules:
          - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: api-all}
        subjects: [{kind: ServiceAccount, name: api, namespace: payments}]
        roleRef: {kind: ClusterRole, name: api-all, apiGroup: rbac.authorization.k8s.io}
        """
        },
    )

    def item(check_id: str, resource: str, lines: list[int]) -> dict[str, Any]:
        return {
            "check_id": check_id,
            "check_name": check_id,
            "resource": resource,
            "file_path": "/rbac.yaml",
            "file_abs_path": str(tmp_path / "rbac.yaml"),
            "file_line_range": lines,
            "severity": None,
            "check_result": {"result": "FAILED"},
        }

    output = [
        {
            "check_type": "kubernetes",
            "results": {
                "failed_checks": [
                    item("CKV_K8S_49", "ClusterRole.default.api-all", [5, 9]),
                    item("CKV2_K8S_5", "ClusterRoleBinding.default.api-all", [10, 15]),
                    item("CKV_K8S_41", "ServiceAccount.payments.api", [1, 4]),
                ]
            },
        }
    ]
    plain = scan([tmp_path], config_for(tmp_path), tmp_path)
    report = with_checkov(plain, [tmp_path], runner=lambda *_: runner.CheckovRun(output))
    [admin] = by_rule(report, "NHI-PRIV-004")
    assert "CKV2_K8S_5" in admin.message and "CKV_K8S_49" in admin.message
    assert [f.identity for f in by_rule(report, "CKV_K8S_41")] == ["kubernetes:ServiceAccount/payments/api"]


def test_folding_needs_the_same_identity() -> None:
    ours = Finding(
        "NHI-PRIV-004",
        Severity.CRITICAL,
        "admin",
        Location("main.tf", 27, 27),
        identity="aws:a",
        evidence="managed policy aws_iam_policy.p attached by aws_iam_role_policy_attachment.a: *",
    )
    theirs = Finding("CKV_AWS_274", Severity.CRITICAL, "x", Location("other.tf", 3, 6), identity="aws:a")
    assert merge.duplicate_of(theirs, ["aws_iam_role_policy_attachment.a"], ("NHI-PRIV-004",), [ours]) is ours
    assert merge.duplicate_of(theirs, ["aws_iam_role_policy_attachment.ab"], ("NHI-PRIV-004",), [ours]) is None
    other = Finding("CKV_AWS_62", Severity.CRITICAL, "x", Location("main.tf", 20, 30), identity="aws:b")
    assert merge.duplicate_of(other, [], ("NHI-PRIV-004",), [ours]) is None


def test_check_table_is_consistent() -> None:
    assert len(BY_CHECK_ID) == len(CHECKS)
    assert all(rule in BY_ID for check in CHECKS for rule in check.folds)
    assert all(check.id.startswith(("CKV_", "CKV2_")) for check in CHECKS)


FAKE_CHECKOV = """
import json, os, socket, sys
class Checkov:
    def __init__(self, argv):
        self.argv = argv
    def run(self):
        attempts = []
        for target in (("pypi.org", 443), ("127.0.0.2", 9)):
            try:
                socket.create_connection(target, timeout=1).close()
            except OSError as exc:
                attempts.append(str(exc))
        left, right = socket.socketpair()  # local sockets still work
        names = ("BC_SKIP_MAPPING", "CKV_SKIP_PACKAGE_UPDATE_CHECK", "BC_API_KEY", "CKV_CHECK", "HOME")
        print(json.dumps({"check_type": "terraform", "results": {"failed_checks": []}, "argv": self.argv,
                          "env": {k: os.environ.get(k) for k in names}, "cwd": os.getcwd(), "attempts": attempts}))
        return 0
"""


def test_runner_is_offline_and_hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path / "fake", {"checkov/__init__.py": "", "checkov/main.py": FAKE_CHECKOV})
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "fake"))
    monkeypatch.setenv("NHILINT_CHECKOV", sys.executable)
    monkeypatch.setenv("BC_API_KEY", "must-not-reach-checkov")
    monkeypatch.setenv("CKV_CHECK", "CKV_AWS_1")
    done = runner.run([tmp_path], ["CKV_AWS_40", "CKV_AWS_62"], [tmp_path / "prod.tfvars"])
    [report] = done.reports
    assert "pypi.org" in " ".join(done.refused) and "127.0.0.2" in " ".join(done.refused)
    assert all("offline" in attempt for attempt in report["attempts"])
    assert report["env"]["BC_SKIP_MAPPING"] == "TRUE" and report["env"]["CKV_SKIP_PACKAGE_UPDATE_CHECK"] == "true"
    assert report["env"]["BC_API_KEY"] is None and report["env"]["CKV_CHECK"] is None
    assert report["env"]["HOME"] == report["cwd"] != os.environ["HOME"]
    argv = report["argv"]
    assert {"--skip-download", "--skip-results-upload", "--soft-fail"} <= set(argv)
    assert argv[argv.index("--check") + 1] == "CKV_AWS_40,CKV_AWS_62"
    assert argv[argv.index("--framework") + 1 : argv.index("--framework") + 5] == list(runner.FRAMEWORKS)


def test_locate_prefers_configured_then_path_then_managed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bin_dir = tmp_path / "bin"
    write_tree(bin_dir, {"checkov": f"#!{sys.executable}\nprint('checkov')\n"})
    monkeypatch.delenv("NHILINT_CHECKOV", raising=False)
    monkeypatch.setenv("PATH", str(bin_dir))
    (bin_dir / "checkov").chmod(0o755)
    assert runner.locate(install=False) == [sys.executable, "-c", runner.BOOTSTRAP]
    (bin_dir / "checkov").write_text('#!/bin/sh\nexec docker run checkov "$@"\n')
    assert runner.locate(install=False) == [str(bin_dir / "checkov")]
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("NHILINT_CHECKOV_VENV", str(tmp_path / "venv"))
    with pytest.raises(CheckovError, match="checkov not found"):
        runner.locate(install=False)
    write_tree(tmp_path / "venv", {"nhilint-requirement.txt": runner.CHECKOV_REQUIREMENT + "\n"})
    assert runner.locate(install=False)[0] == str(runner.venv_python(tmp_path / "venv"))
    monkeypatch.setenv("NHILINT_CHECKOV_VENV", str(tmp_path / "none"))
    monkeypatch.setenv("NHILINT_CHECKOV_INSTALL", "0")
    write_tree(tmp_path / "tf", {"main.tf": 'resource "aws_iam_user" "u" {\n  name = "u"\n}\n'})
    assert main(["scan", str(tmp_path / "tf"), "--checkov"]) == 2
    assert "checkov not found" in capsys.readouterr().err


def test_plain_scan_imports_neither_checkov_nor_gitpython(project: Path) -> None:
    code = textwrap.dedent(f"""
        import json, sys
        from nhilint.cli import main
        main(["scan", "-q", "--no-cache", {str(project)!r}])
        heavy = [m for m in sys.modules if m.split(".")[0] in ("checkov", "git", "gitdb")]
        print(json.dumps(heavy + [m for m in sys.modules if m.startswith("nhilint.checkov_interop")]))
        """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def _real_checkov() -> str | None:
    """A Python that runs the real checkov, or None; under CI, nhilint's managed environment is created."""
    configured = os.environ.get("NHILINT_CHECKOV")
    if configured:
        return configured
    found = shutil.which("checkov")
    if found:
        return found
    if (REAL_VENV / "nhilint-requirement.txt").is_file() or os.environ.get("CI") == "true":
        return runner.locate(install=os.environ.get("CI") == "true")[0]  # the venv's python (installs once)
    return None


@pytest.fixture(scope="session")
def real_checkov() -> str:
    found = _real_checkov()
    if found is None:
        pytest.skip("no checkov: set NHILINT_CHECKOV, put checkov on PATH, or run once with CI=true")
    return found


def test_real_checkov_runs_offline_and_merges(
    project: Path, real_checkov: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NHILINT_CHECKOV", real_checkov)
    locate = runner.locate
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False).returncode == 0:
        # No network at all in checkov's process, not just nhilint's guard.
        monkeypatch.setattr(runner, "locate", lambda **kw: ["unshare", "-rn", *locate(**kw)])
    done = runner.run([project], [c.id for c in CHECKS], [])
    assert done.refused == []
    found = {(r.check_id, r.resource, r.skipped) for r in merge.results(done.reports, project)}
    assert {
        ("CKV_AWS_62", "aws_iam_role_policy.deployer_admin", False),
        ("CKV_AWS_40", "aws_iam_user_policy.reporter_read", False),
        ("CKV_AWS_40", "aws_iam_user_policy.reporter_legacy", True),
        ("CKV_AWS_60", "module.app.aws_iam_role.app", False),
    } <= found
    plain = scan([project], config_for(project), project)
    report = with_checkov(plain, [project], runner=lambda *_: done)
    assert "CKV_AWS_62" in by_rule(report, "NHI-PRIV-004")[0].message
    assert [f.location.start_line for f in by_rule(report, "CKV_AWS_40")] == [41]
