"""`nhilint audit` over real git repositories reached through file:// URLs: owners and where they come from,
history from git blame, staleness, a repository that cannot be cloned, the cache, shards and Dask."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import pytest

from nhilint.audit.merge import schema
from nhilint.audit.sources import in_shard, load_sources
from nhilint.cli import main
from tests.audit.conftest import Audited, comparable, run_audit
from tests.audit.org import ALICE, BOB, BOT, CAROL

PAYMENTS, PLATFORM = "acme/payments", "acme/platform"


def _identities(audited: Audited) -> dict[tuple[str, str], dict]:  # type: ignore[type-arg]
    return {(i["repository"], i["id"]): i for i in audited.document()["identities"]}


def test_audit_completes_with_a_failed_repository(audited: Audited) -> None:
    assert audited.exit_code == 0
    for name in ("audit.json", "identities.csv", "repositories.csv", "owners.csv", "report.html"):
        assert (audited.out / name).is_file(), name
    assert not list(audited.out.glob(".audit-records*")), "the record log is removed after assembly"


def test_audit_json_is_valid_against_its_schema(audited: Audited) -> None:
    jsonschema.Draft202012Validator(schema()).validate(audited.document())


def test_suggested_owners_and_where_they_come_from(audited: Audited) -> None:
    owners = {key: i["owner"] for key, i in _identities(audited).items()}
    assert owners == {
        (PAYMENTS, "aws:iam/aws_iam_role.ledger"): {
            "declared": "team-ledger",
            "declared_source": "tag:owner",
            "suggested": "team-ledger",
            "suggested_from": "declared",
            "evidence": "tag:owner",
        },
        # CODEOWNERS: `/ci/ @acme/platform` is the last rule that matches ci/deployer.tf.
        (PAYMENTS, "aws:ci/aws_iam_role.deployer"): {
            "declared": None,
            "declared_source": None,
            "suggested": "@acme/platform",
            "suggested_from": "codeowners",
            "evidence": ".github/CODEOWNERS:3",
        },
        # The last CODEOWNERS rule for iam/roles.tf names nobody: the block's last author, Bob.
        (PAYMENTS, "aws:iam/aws_iam_role.batch"): {
            "declared": None,
            "declared_source": None,
            "suggested": f"{BOB[0]} <{BOB[1]}>",
            "suggested_from": "last_author",
            "evidence": audited.org.payments_commits[2],
        },
        # The last change is dependabot's: the creator, Carol, is suggested.
        (PLATFORM, "aws:cfn/exporter.yaml#ExporterRole"): {
            "declared": None,
            "declared_source": None,
            "suggested": f"{CAROL[0]} <{CAROL[1]}>",
            "suggested_from": "creator",
            "evidence": audited.org.platform_commits[1],
        },
        (PLATFORM, "kubernetes:ServiceAccount/data/ingest"): {
            "declared": None,
            "declared_source": None,
            "suggested": f"{CAROL[0]} <{CAROL[1]}>",
            "suggested_from": "last_author",
            "evidence": audited.org.platform_commits[0],
        },
    }


def _change(commit: str, date: str, author: tuple[str, str]) -> dict[str, object]:
    return {"commit": commit, "date": date, "author": {"name": author[0], "email": author[1]}}


def test_created_and_last_changed_come_from_blame_over_the_block(audited: Audited) -> None:
    pay, plat = audited.org.payments_commits, audited.org.platform_commits
    history = {key: (i["created"], i["last_changed"]) for key, i in _identities(audited).items()}
    assert history == {
        (PAYMENTS, "aws:iam/aws_iam_role.ledger"): (
            _change(pay[0], "2021-03-01T09:00:00Z", ALICE),
            _change(pay[0], "2021-03-01T09:00:00Z", ALICE),
        ),
        (PAYMENTS, "aws:iam/aws_iam_role.batch"): (
            _change(pay[0], "2021-03-01T09:00:00Z", ALICE),
            _change(pay[2], "2024-02-20T15:45:00Z", BOB),  # written at +01:00, reported in UTC
        ),
        (PAYMENTS, "aws:ci/aws_iam_role.deployer"): (
            _change(pay[1], "2022-01-15T12:30:00Z", CAROL),
            _change(pay[1], "2022-01-15T12:30:00Z", CAROL),
        ),
        (PLATFORM, "aws:cfn/exporter.yaml#ExporterRole"): (
            _change(plat[1], "2020-07-04T11:00:00Z", CAROL),
            _change(plat[2], "2024-05-20T03:00:00Z", BOT),
        ),
        (PLATFORM, "kubernetes:ServiceAccount/data/ingest"): (
            _change(plat[0], "2019-05-01T10:00:00Z", CAROL),
            _change(plat[0], "2019-05-01T10:00:00Z", CAROL),
        ),
    }


def test_age_and_stale_as_of_today(audited: Audited) -> None:
    facts = {key[1]: (i["age_days"], i["stale"]) for key, i in _identities(audited).items()}
    assert facts == {
        "aws:iam/aws_iam_role.ledger": (1188, True),
        "aws:iam/aws_iam_role.batch": (1188, False),  # changed 102 days before today
        "aws:ci/aws_iam_role.deployer": (868, True),
        "aws:cfn/exporter.yaml#ExporterRole": (1428, False),
        "kubernetes:ServiceAccount/data/ingest": (1858, True),
    }


def test_repositories_record_ref_commit_and_the_failed_clone(audited: Audited) -> None:
    repositories = {r["name"]: r for r in audited.document()["repositories"]}
    assert list(repositories) == ["acme/payments", "acme/platform", "acme/retired"]
    payments, platform, retired = repositories.values()
    assert (payments["status"], payments["ref"], payments["commit"]) == (
        "ok",
        "refs/heads/main",
        audited.org.payments_commits[-1],
    )
    assert (platform["ref"], platform["commit"]) == ("refs/heads/trunk", audited.org.platform_commits[-1])
    assert payments["codeowners"] == ".github/CODEOWNERS" and platform["codeowners"] is None
    assert (payments["identities"], platform["identities"]) == (3, 2)
    assert retired["status"] == "failed" and retired["identities"] == 0 and retired["commit"] is None
    assert retired["error"] == (
        f"git ls-remote failed: fatal: '{audited.org.missing}' does not appear to be a git repository"
    )
    summary = audited.document()["summary"]
    assert (summary["repositories"], summary["failed"], summary["identities"]) == (3, 1, 5)


def test_risk_puts_the_admin_role_first(audited: Audited) -> None:
    deployer = _identities(audited)[(PAYMENTS, "aws:ci/aws_iam_role.deployer")]
    assert deployer["findings"] == ["NHI-EXP-004", "NHI-OWN-001", "NHI-PRIV-004", "NHI-RET-001"]
    assert deployer["risk"]["reasons"] == ["admin", "escalation", "no_owner", "stale"]
    ranked = sorted(audited.document()["identities"], key=lambda i: -i["risk"]["score"])
    assert ranked[0]["id"] == "aws:ci/aws_iam_role.deployer"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_files_hold_one_row_per_identity_repository_and_owner(audited: Audited) -> None:
    document = audited.document()
    identities = _rows(audited.out / "identities.csv")
    assert len(identities) == len(document["identities"]) == 5
    assert len(_rows(audited.out / "repositories.csv")) == 3
    owners = _rows(audited.out / "owners.csv")
    assert [o["owner"] for o in owners] == sorted(
        {"team-ledger", "@acme/platform", f"{BOB[0]} <{BOB[1]}>", f"{CAROL[0]} <{CAROL[1]}>"}
    )
    carol = next(o for o in owners if o["owner"].startswith("Carol"))
    assert (carol["identities"], carol["repositories"]) == ("2", "acme/platform")
    batch = next(r for r in identities if r["id"] == "aws:iam/aws_iam_role.batch")
    assert (batch["owner_suggested_from"], batch["last_changed_author"], batch["stale"]) == (
        "last_author",
        BOB[0],
        "false",
    )


def test_a_rerun_answers_unchanged_repositories_from_the_cache(audited: Audited, tmp_path: Path) -> None:
    out = tmp_path / "again"
    assert run_audit(*audited.org.urls, "--out", str(out), "--cache-dir", str(audited.cache)) == 0
    again = json.loads((out / "audit.json").read_text())
    assert {r["name"]: r["cached"] for r in again["repositories"]} == {
        "acme/payments": True,
        "acme/platform": True,
        "acme/retired": False,
    }
    assert again["summary"]["cached"] == 2
    assert comparable(again) == comparable(audited.document())
    identities = (audited.out / "audit.json").read_text().split('"identities": [', 1)[1]
    assert (out / "audit.json").read_text().split('"identities": [', 1)[1] == identities, "same bytes, cached or not"
    assert (out / "identities.csv").read_bytes() == (audited.out / "identities.csv").read_bytes()


def test_fail_on_exits_1_when_a_finding_reaches_the_threshold(audited: Audited, tmp_path: Path) -> None:
    cache = ("--cache-dir", str(audited.cache))
    assert run_audit(*audited.org.urls, "--out", str(tmp_path / "a"), *cache, "--fail-on", "critical") == 1
    assert run_audit(audited.org.urls[1], "--out", str(tmp_path / "b"), *cache, "--fail-on", "high") == 0


def _shard_count(urls: list[str]) -> int:
    """The smallest N that splits these sources over at least two shards (the paths differ from run to run)."""
    sources = load_sources(urls, None)
    return next(
        n for n in range(2, 12) if len({k for k in range(1, n + 1) for s in sources if in_shard(s, (k, n))}) > 1
    )


def test_shards_merged_equal_the_unsharded_audit(audited: Audited, tmp_path: Path) -> None:
    n = _shard_count(audited.org.urls)
    parts = []
    for k in range(1, n + 1):
        part = tmp_path / f"shard-{k}"
        assert run_audit(*audited.org.urls, "--out", str(part), "--shard", f"{k}/{n}", "--workers", "1") == 0
        parts.append(part)
    sizes = [len(json.loads((p / "audit.json").read_text())["repositories"]) for p in parts]
    assert sum(sizes) == 3 and sum(1 for size in sizes if size) >= 2
    merged = tmp_path / "merged"
    assert main(["audit-merge", *map(str, parts), "--out", str(merged)]) == 0
    document = json.loads((merged / "audit.json").read_text())
    assert document["options"]["merged_shards"] == [f"{k}/{n}" for k in range(1, n + 1)]
    assert comparable(document) == comparable(audited.document())
    for name in ("identities.csv", "owners.csv"):
        assert (merged / name).read_text() == (audited.out / name).read_text()


def test_dask_local_cluster_equals_the_local_executor(audited: Audited, tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    out = tmp_path / "dask"
    assert run_audit(*audited.org.urls, "--out", str(out), "--executor", "dask", "--workers", "2") == 0
    document = json.loads((out / "audit.json").read_text())
    assert comparable(document) == comparable(audited.document())


def test_merge_refuses_shards_audited_differently(audited: Audited, tmp_path: Path) -> None:
    other = tmp_path / "other"
    assert run_audit(audited.org.urls[2], "--out", str(other), "--stale-days", "30") == 0
    assert main(["audit-merge", str(audited.out), str(other), "--out", str(tmp_path / "m")]) == 2


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["file:///x", "--shard", "3/2"],
        ["file:///x", "--scheduler", "tcp://127.0.0.1:1"],
        ["-upload-pack=evil"],
    ],
    ids=["no-source", "bad-shard", "scheduler-without-dask", "option-like"],
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    assert run_audit(*args, "--out", str(tmp_path / "out")) == 2


def test_merging_overlapping_outputs_keeps_each_repository_once(
    audited: Audited, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit-merge", str(audited.out), str(audited.out), "--out", str(tmp_path / "m")]) == 0
    assert "is in more than one shard; kept once" in capsys.readouterr().err
    merged = json.loads((tmp_path / "m" / "audit.json").read_text())
    assert comparable(merged) == comparable(audited.document())


def test_a_missing_local_path_is_a_failed_repository_and_the_audit_goes_on(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "main.tf").write_text('resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n', encoding="utf-8")
    gone = tmp_path / "gone"
    assert run_audit(str(plain), str(gone), "--out", str(tmp_path / "out"), "--no-progress") == 0
    document = json.loads((tmp_path / "out" / "audit.json").read_text())
    status = {r["name"]: (r["status"], r["error"]) for r in document["repositories"]}
    assert status == {"plain": ("ok", None), "gone": ("failed", f"{gone}: no such directory, and not a git URL")}
