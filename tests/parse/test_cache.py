"""The parse cache: same results with and without it, keyed by content, data only, trusted only when it is ours,
and never a store of secret values."""

from __future__ import annotations

import json
import os
import pickle
import stat
from pathlib import Path

import pytest

from nhilint import cli
from nhilint.api import ScanOptions, scan
from nhilint.extract.terraform.project import resource_types
from nhilint.parse import cache_codec, hcl
from nhilint.parse.cache import ParseCache, holds_secret
from nhilint.parse.hcl import Body
from tests.helpers import config_for, write_tree

REPO = Path(__file__).resolve().parents[2]

FILES = {
    "main.tf": 'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = "{}"\n}\n',
    "policy.tf": 'resource "aws_iam_role_policy" "p" {\n  role = aws_iam_role.r.name\n'
    '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })\n}\n',
}
ADMIN = ("NHI-PRIV-001", "policy.tf", 3, "aws:aws_iam_role.r")
# A GitHub token shape (prefix + 36 characters) the detector recognises; made up for this test.
TOKEN = "ghp_" + "Zq7Xw2Lp9Rt4Vb8Nm3Kd6Hs1Jf5Gc0Ya2Ue"


Repo = tuple[Path, Path, list[tuple[str, str, int, str | None]]]


def findings(root: Path) -> list[tuple[str, str, int, str | None]]:
    report = scan([root], config_for(root), root, ScanOptions(cache=True))
    return [(f.rule_id, f.location.path, f.location.start_line, f.identity) for f in report.findings]


def cache_for(directory: Path) -> ParseCache:
    """The cache a scan uses (same salt), to reach its entries by file text."""
    return ParseCache(directory, resource_types().signature)


def entries(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("??/*") if p.is_file())


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """A two-file repository, its cold (uncached) findings, and a cache directory the scans use."""
    root = write_tree(tmp_path / "repo", FILES)
    cold = findings(root)
    assert ADMIN in cold
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("NHILINT_CACHE_DIR", str(cache_dir))
    return root, cache_dir, cold


def tamper(root: Path, cache_dir: Path) -> None:
    """Replace every entry by a well-formed one describing an empty file (what an attacker would plant)."""
    cache = cache_for(cache_dir)
    for name in FILES:
        cache.put((root / name).read_text(), Body({}, []))


def test_cached_scan_matches_uncached(repo: Repo) -> None:
    root, cache_dir, cold = repo
    assert findings(root) == cold
    assert len(entries(cache_dir)) == 2
    assert findings(root) == cold  # served from the cache

    (root / "policy.tf").write_text(FILES["policy.tf"].replace("s3:*", "s3:GetObject"))
    assert ADMIN not in findings(root)


def test_directory_and_entries_are_private(repo: Repo) -> None:
    root, cache_dir, _ = repo
    findings(root)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    for entry in entries(cache_dir):
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600
        assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700
        json.loads(entry.read_bytes())  # data only
    assert not [p for p in cache_dir.rglob(".tmp-*")]


class Payload:
    """Unpickling this creates the marker file: what a planted cache entry would run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def test_planted_pickle_is_never_executed(repo: Repo, tmp_path: Path) -> None:
    root, cache_dir, cold = repo
    marker = tmp_path / "marker"
    payload = pickle.dumps(Payload(marker))
    cache = cache_for(cache_dir)
    for name in FILES:  # at the predictable path, before any scan
        path = cache._path((root / name).read_text())
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        path.write_bytes(payload)
    cache_dir.chmod(0o700)
    assert findings(root) == cold
    for entry in entries(cache_dir):  # and over entries a scan wrote
        entry.write_bytes(payload)
    assert findings(root) == cold
    assert not marker.exists()


def test_tampered_entry_is_used_only_when_trusted(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache_dir, cold = repo
    findings(root)
    tamper(root, cache_dir)
    assert ADMIN not in findings(root)  # the planted entries are read: the refusals below are what protects

    monkeypatch.setattr(os, "getuid", lambda: os.stat(cache_dir).st_uid + 4242)  # everything is someone else's
    assert findings(root) == cold


def test_entry_owned_by_another_user_is_refused(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache_dir, cold = repo
    findings(root)
    tamper(root, cache_dir)
    real_fstat = os.fstat

    def fstat(fd: int) -> os.stat_result:  # the directory is ours, each entry another user's
        st = real_fstat(fd)
        values = list(st)
        values[stat.ST_UID] = st.st_uid + 4242
        return os.stat_result(values)

    monkeypatch.setattr(os, "fstat", fstat)
    assert findings(root) == cold


@pytest.mark.parametrize("where", ["directory", "subdirectory", "entry"])
@pytest.mark.parametrize("mode", [0o020, 0o002])
def test_writable_by_others_is_refused(repo: Repo, where: str, mode: int) -> None:
    root, cache_dir, cold = repo
    findings(root)
    tamper(root, cache_dir)
    for entry in entries(cache_dir):
        target = {"directory": cache_dir, "subdirectory": entry.parent, "entry": entry}[where]
        target.chmod(stat.S_IMODE(target.stat().st_mode) | mode)
    assert findings(root) == cold


def test_symlinked_entry_is_refused(repo: Repo, tmp_path: Path) -> None:
    root, cache_dir, cold = repo
    findings(root)
    tamper(root, cache_dir)
    for entry in entries(cache_dir):
        planted = tmp_path / f"planted-{entry.name}"
        entry.rename(planted)
        entry.symlink_to(planted)
    assert findings(root) == cold


def test_refused_directory_gets_no_entries(repo: Repo) -> None:
    root, cache_dir, cold = repo
    cache_dir.mkdir(mode=0o700)
    cache_dir.chmod(0o777)
    assert findings(root) == cold
    assert entries(cache_dir) == []


def test_corrupt_truncated_and_foreign_entries_are_misses(tmp_path: Path) -> None:
    text = FILES["policy.tf"]
    body = hcl.parse_hcl(text, None, False)
    cache = cache_for(tmp_path / "cache")
    cache.put(text, body)
    (entry,) = entries(tmp_path / "cache")
    good = entry.read_bytes()
    assert cache.get(text) == body

    def miss(data: bytes) -> bool:
        entry.write_bytes(data)
        return cache.get(text) is None

    assert miss(b"")
    assert miss(good[: len(good) // 2])
    assert miss(b"\x80\x04not json")
    assert miss(b"[" * 100_000 + b"]" * 100_000)
    header = json.loads(good)
    for key, value in [("format", cache_codec.FORMAT + 1), ("salt", "nhilint=0.0.1"), ("sha256", "0" * 64)]:
        assert miss(json.dumps({**header, key: value}).encode())
    foreign = json.loads(cache_codec.encode(hcl.parse_hcl(FILES["main.tf"], None, False)))
    assert not miss(json.dumps({**header, "body": foreign}).encode())  # a valid tree is a valid entry...
    assert miss(json.dumps({**header, "body": ["Evil", {}, []]}).encode())  # ... an unknown class is not
    assert miss(json.dumps({**header, "body": ["Body", {}, [], "extra"]}).encode())  # nor an undeclared field
    attribute = ["Attribute", "role", ["Literal", "r", "3"], 2, 2]  # a line that is not an int
    assert miss(json.dumps({**header, "body": ["Body", {"role": attribute}, []]}).encode())
    assert miss(json.dumps({**header, "body": ["Body", {}, [["Block", "resource", [], 1, 2, "tree", None]]]}).encode())
    entry.write_bytes(good)
    assert cache.get(text) == body


def test_example_reports_identical_cached_and_uncached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = str(REPO / "fixtures" / "example")

    def reports(*extra: str) -> tuple[str, str]:
        out = []
        for command in ("scan", "inventory"):
            target = tmp_path / f"{command}.json"
            assert cli.main([command, example, "--format", "json", "-o", str(target), *extra]) in (0, 1)
            out.append(target.read_text())
        return out[0], out[1]

    monkeypatch.chdir(REPO)
    cold = reports("--no-cache")
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("NHILINT_CACHE_DIR", str(cache_dir))
    assert reports() == cold  # fills the cache
    assert len(entries(cache_dir)) >= 8
    hits: list[bool] = []
    real_get = ParseCache.get

    def get(self: ParseCache, text: str) -> Body | None:
        body = real_get(self, text)
        hits.append(body is not None)
        return body

    monkeypatch.setattr(ParseCache, "get", get)
    assert reports() == cold  # served from the cache
    assert hits.count(True) >= 2 * len(entries(cache_dir))  # both commands read every entry
    capsys.readouterr()


def test_file_holding_a_secret_is_never_written(repo: Repo) -> None:
    root, cache_dir, _ = repo
    (root / "ci.tf").write_text(f'resource "aws_ssm_parameter" "ci" {{\n  name  = "/ci/gh"\n  value = "{TOKEN}"\n}}\n')
    (root / "db.tf").write_text('variable "db" {\n  sensitive = true\n  default   = "hunter2-but-longer"\n}\n')
    findings(root)
    findings(root)
    assert len(entries(cache_dir)) == 2  # main.tf and policy.tf only
    for entry in cache_dir.rglob("*"):
        if entry.is_file():
            data = entry.read_bytes()
            assert TOKEN.encode() not in data and b"hunter2" not in data


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('resource "aws_db_instance" "d" {\n  password = "correct-horse-battery"\n}\n', True),
        ('resource "aws_db_instance" "d" {\n  password = random_password.db.result\n}\n', False),
        (
            'resource "aws_db_instance" "d" {\n  password_arn = "arn:aws:secretsmanager:eu-west-1:1:secret:x"\n}\n',
            False,
        ),
        (
            'resource "aws_lambda_function" "f" {\n  environment {\n'
            '    variables = { API_TOKEN = "plain-text" }\n  }\n}\n',
            True,
        ),
        ('variable "region" {\n  default = "eu-west-1"\n}\n', False),
        ('variable "region" {\n  sensitive = true\n  default   = "eu-west-1"\n}\n', True),
        ('variable "db_password" {\n  default = "changeme"\n}\n', True),
        ('variable "db_password" {\n  type = string\n}\n', False),
        ("locals {\n  key = <<EOF\n-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\nEOF\n}\n", True),
        (f'locals {{\n  note = "{TOKEN}"\n}}\n', True),
    ],
)
def test_holds_secret(text: str, secret: bool) -> None:
    assert holds_secret(text, hcl.parse_hcl(text, None, False)) is secret


def test_injected_predicate_decides(tmp_path: Path) -> None:
    text = FILES["main.tf"]
    body = hcl.parse_hcl(text, None, False)
    ParseCache(tmp_path / "never", "s", holds_secret=lambda text, body: True).put(text, body)
    assert entries(tmp_path / "never") == []
    always = ParseCache(tmp_path / "always", "s", holds_secret=lambda text, body: False)
    always.put(text, body)
    assert always.get(text) == body


def test_a_tf_file_with_the_text_of_a_cached_tf_json_file_is_still_parsed_as_hcl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`.tf.json` and `.tf` read the same text differently: one is never served the other's tree (a `.tf`
    file holding JSON text is a syntax error, whatever the cache holds)."""
    text = '{"resource": {"aws_iam_role": {"r": {"name": "ci", "assume_role_policy": "{}"}}}}\n'
    monkeypatch.setenv("NHILINT_CACHE_DIR", str(tmp_path / "cache"))
    first = write_tree(tmp_path / "a", {"main.tf.json": text})
    assert "aws:aws_iam_role.r" in scan([first], config_for(first), first, ScanOptions(cache=True)).inventory.identities
    second = write_tree(tmp_path / "b", {"main.tf": text})
    report = scan([second], config_for(second), second, ScanOptions(cache=True))
    assert [f.rule_id for f in report.findings] == ["NHI-PARSE-001"]
    assert report.inventory.identities == {}
