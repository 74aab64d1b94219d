"""The audit's parts on their own: sources, shards, masking, CSV cells, the result cache's safety rules,
CODEOWNERS, owner suggestion, a plain directory, and a re-run after a new commit."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nhilint.audit.checkout import public_location
from nhilint.audit.provenance import Change, load_codeowners, suggest_owner
from nhilint.audit.sources import SourceError, base_name, in_shard, load_sources, parse_shard
from nhilint.audit.store import ResultCache
from nhilint.audit.task import Job, audit_repository
from nhilint.report.escape import csv_cell as safe_cell
from tests.audit.conftest import run_audit
from tests.audit.org import ALICE, BOB, BOT, PAYMENTS_IAM_V1, Commit, git, make_repo


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("https://x-access-token:ghs_abcdef123456@github.com/acme/a.git", "https://***@github.com/acme/a.git"),
        ("https://ghp_abcdef123456@github.com/acme/a.git", "https://***@github.com/acme/a.git"),
        ("ssh://git@github.com/acme/a.git", "ssh://git@github.com/acme/a.git"),
        ("ssh://deploy:hunter22@git.example.com/a.git", "ssh://deploy:***@git.example.com/a.git"),
        ("git@github.com:acme/a.git", "git@github.com:acme/a.git"),
        ("file:///srv/git/a.git", "file:///srv/git/a.git"),
    ],
)
def test_credentials_in_urls_are_masked(location: str, shown: str) -> None:
    assert public_location(location) == shown


@pytest.mark.parametrize(
    ("location", "name"),
    [
        ("https://github.com/acme/payments.git", "acme/payments"),
        ("git@github.com:acme/platform.git", "acme/platform"),
        ("ssh://git@host:2222/team/sub/ledger", "sub/ledger"),
        ("file:///srv/git/acme/ledger.git/", "acme/ledger"),
        ("/home/me/src/checkout", "checkout"),
    ],
)
def test_repository_names(location: str, name: str) -> None:
    assert base_name(location) == name


def test_sources_are_deduplicated_and_colliding_names_disambiguated(tmp_path: Path) -> None:
    listed = tmp_path / "repos.txt"
    listed.write_text("# the organisation\nhttps://a.example/acme/app.git\n\nhttps://b.example/acme/app.git\n")
    sources = load_sources(["https://a.example/acme/app.git"], listed)
    assert [s.location for s in sources] == ["https://a.example/acme/app.git", "https://b.example/acme/app.git"]
    assert len({s.name for s in sources}) == 2 and all(s.name.startswith("acme/app@") for s in sources)
    plain = tmp_path / "plain"
    plain.mkdir()
    assert load_sources([str(plain)], None)[0].kind == "directory"
    assert load_sources([str(tmp_path / "missing")], None)[0].kind == "missing"  # recorded as failed, not fatal


def test_shards_partition_the_sources() -> None:
    sources = load_sources([f"https://git.example/acme/repo-{i}.git" for i in range(40)], None)
    shards = [[s for s in sources if in_shard(s, (k, 3))] for k in (1, 2, 3)]
    assert sorted(s.location for part in shards for s in part) == sorted(s.location for s in sources)
    assert all(shards), "forty sources land in every one of three shards"
    assert parse_shard(" 2/3 ") == (2, 3)
    for bad in ("0/2", "3/2", "1", "a/b"):
        with pytest.raises(SourceError):
            parse_shard(bad)


def test_csv_cells_never_start_a_formula() -> None:
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+1") == "'+1" and safe_cell("-2+3") == "'-2+3"
    assert safe_cell("@acme/platform @alice") == "@acme/platform @alice"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert (safe_cell(None), safe_cell(True), safe_cell(3), safe_cell("-")) == ("", "true", "3", "-")


def _record(commit: str) -> dict[str, object]:
    return {"repository": {"name": "r", "commit": commit}, "identities": []}


def test_the_result_cache_reads_only_its_own_private_entries(tmp_path: Path) -> None:
    commit = "a" * 40
    cache = ResultCache(tmp_path / "cache", "salt")
    cache.put("file:///r", commit, _record(commit))
    assert cache.get("file:///r", commit) == _record(commit)
    assert cache.get("file:///r", "b" * 40) is None
    assert ResultCache(tmp_path / "cache", "other policy").get("file:///r", commit) is None
    (entry,) = (tmp_path / "cache" / "results").glob("*/*.json")
    assert entry.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "cache").stat().st_mode & 0o777 == 0o700
    os.chmod(entry, 0o620)  # writable by the group: someone else may have planted it
    assert cache.get("file:///r", commit) is None
    os.chmod(entry, 0o600)
    data = json.loads(entry.read_text())
    data["record"]["repository"]["commit"] = "c" * 40  # an entry that does not match its key
    entry.write_text(json.dumps(data))
    assert cache.get("file:///r", commit) is None
    entry.unlink()
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps({"format": "x"}))
    entry.symlink_to(target)
    assert cache.get("file:///r", commit) is None


def test_codeowners_files_are_looked_up_in_githubs_order(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / "CODEOWNERS").write_text("* @acme/root-owners\n")
    (tmp_path / ".github" / "CODEOWNERS").write_text("*.tf @acme/terraform\n/k8s/ @acme/k8s\n")
    found, problem = load_codeowners(tmp_path)
    assert problem is None and found is not None and found.path == ".github/CODEOWNERS"
    assert found.owners("infra/main.tf") == ("@acme/terraform", ".github/CODEOWNERS:1")
    assert found.owners("k8s/sa.yaml") == ("@acme/k8s", ".github/CODEOWNERS:2")
    assert found.owners("README.md") == (None, None)
    (tmp_path / ".github" / "CODEOWNERS").write_text("[unterminated @acme/x\n")
    assert load_codeowners(tmp_path) == (None, ".github/CODEOWNERS is not valid (ValueError)")


def _change(who: tuple[str, str]) -> Change:
    return Change("0" * 40, datetime(2024, 1, 1, tzinfo=UTC), *who)


def test_owner_suggestion_order_and_bots() -> None:
    assert suggest_owner("team-a", "@acme/x", _change(BOB), _change(ALICE)) == ("team-a", "declared")
    assert suggest_owner(None, "@acme/x", _change(BOB), _change(ALICE)) == ("@acme/x", "codeowners")
    assert suggest_owner(None, None, _change(BOB), _change(ALICE)) == (f"{BOB[0]} <{BOB[1]}>", "last_author")
    assert suggest_owner(None, None, _change(BOT), _change(ALICE)) == (f"{ALICE[0]} <{ALICE[1]}>", "creator")
    assert suggest_owner(None, None, _change(BOT), _change(BOT)) == (None, None)
    assert suggest_owner(None, None, None, None) == (None, None)


def _job(location: Path | str, kind: str, **fields: object) -> Job:
    base: dict[str, object] = {
        "name": "r",
        "location": str(location),
        "public_location": str(location),
        "kind": kind,
        "ref": None,
        "config_root": str(location),
        "config_path": None,
        "policy": None,
        "today": "2024-06-01",
        "stale_days": 365,
        "cache_dir": None,
    }
    return Job(**{**base, **fields})  # type: ignore[arg-type]


def test_a_plain_directory_is_scanned_in_place_without_history(tmp_path: Path) -> None:
    (tmp_path / "iam").mkdir()
    (tmp_path / "iam" / "roles.tf").write_text(PAYMENTS_IAM_V1)
    (tmp_path / "CODEOWNERS").write_text("/iam/ @acme/ledger-team\n")
    record = audit_repository(_job(tmp_path, "directory"))
    assert record["repository"]["status"] == "ok" and record["repository"]["commit"] is None
    batch = next(i for i in record["identities"] if i["id"].endswith("batch"))
    assert (batch["created"], batch["last_changed"], batch["stale"]) == (None, None, False)
    assert (batch["owner"]["suggested"], batch["owner"]["suggested_from"]) == ("@acme/ledger-team", "codeowners")


def test_a_crash_inside_the_scan_is_a_failed_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("parser exploded")

    monkeypatch.setattr("nhilint.api.scan", boom)
    record = audit_repository(_job(tmp_path, "directory"))
    assert record["repository"]["status"] == "failed"
    assert record["repository"]["error"] == "internal error: RuntimeError: parser exploded"


def test_a_ref_that_does_not_exist_fails_the_repository(tmp_path: Path) -> None:
    make_repo(tmp_path / "repo", [Commit(ALICE, "2024-01-01T00:00:00+00:00", {"main.tf": PAYMENTS_IAM_V1})])
    record = audit_repository(_job(f"file://{tmp_path / 'repo'}", "git", ref="release"))
    assert record["repository"]["error"] == "--ref release: no such branch or tag"


def test_only_a_changed_repository_is_scanned_again(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for repo in (one, two):
        make_repo(repo, [Commit(ALICE, "2023-01-01T00:00:00+00:00", {"iam/roles.tf": PAYMENTS_IAM_V1})])
    urls = [f"file://{one}", f"file://{two}"]
    cache = str(tmp_path / "cache")
    assert run_audit(*urls, "--out", str(tmp_path / "first"), "--cache-dir", cache, "--workers", "1") == 0
    (one / "iam" / "roles.tf").write_text(PAYMENTS_IAM_V1.replace("team-ledger", "team-treasury"))
    git(one, "commit", "-qam", "new owner")
    assert run_audit(*urls, "--out", str(tmp_path / "second"), "--cache-dir", cache, "--workers", "1") == 0
    document = json.loads((tmp_path / "second" / "audit.json").read_text())
    assert {r["source"]: r["cached"] for r in document["repositories"]} == {urls[0]: False, urls[1]: True}
    owners = {
        (i["repository"].rsplit("/", 1)[-1], i["owner"]["declared"])
        for i in document["identities"]
        if i["id"].endswith("ledger")
    }
    assert owners == {("one", "team-treasury"), ("two", "team-ledger")}


def test_chart_labels_from_the_code_are_escaped() -> None:
    from nhilint.audit.html import bar_chart

    chart = str(bar_chart("findings", [('<script>alert("x")</script>', 1.0, "<b>1</b>")]))
    assert "<script>" not in chart and "&lt;script&gt;" in chart and "&lt;b&gt;1&lt;/b&gt;" in chart


def test_progress_is_one_plain_line_per_repository_off_a_terminal() -> None:
    import io

    from nhilint.audit.progress import Progress, mode

    stream = io.StringIO()
    assert mode(None, stream) == "lines" and mode(False, stream) == "off"
    record = {"repository": {"name": "acme/a\x1b[31m", "status": "failed", "error": "git clone failed: fatal: x"}}
    with Progress("lines", stream) as shown:
        shown.update(record, 3)
    assert stream.getvalue() == "nhilint audit: [1/3] acme/a\\x1b[31m: failed: git clone failed: fatal: x\n"
