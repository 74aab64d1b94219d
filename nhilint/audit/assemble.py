"""From repository records to the audit's outputs: audit.json, identities.csv, repositories.csv, owners.csv
and report.html, in one order whichever way the records arrived (completion order, shards, the cache).

Records are streamed: each is appended to a JSON-lines log in the output directory as it completes, and only
its position is kept. Assembly reads the log twice in sorted order (figures first, then the documents), so
memory holds one repository's record at a time plus counts, never the organisation's inventory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from nhilint import __version__
from nhilint.audit.summary import Aggregate
from nhilint.report.escape import csv_cell

SCHEMA_VERSION = "1"
LOG_NAME = ".audit-records.jsonl"
OUTPUTS = ("audit.json", "identities.csv", "repositories.csv", "owners.csv", "report.html")


class RecordLog:
    """Repository records appended to a JSON-lines file; read back sorted by repository name and source. The
    repository entries (a few hundred bytes each) also stay in memory; identities only on disk. A repository met
    twice (overlapping shards) is kept once: the first record."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOG_NAME
        self._index: dict[str, tuple[str, int, int]] = {}  # source -> (name, offset, length)
        self._repositories: dict[str, dict[str, Any]] = {}  # source -> repository entry
        self._file: IO[bytes] | None = None
        self.duplicates: list[str] = []

    def __enter__(self) -> RecordLog:
        self._file = open(self.path, "w+b")
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._file is not None:
            self._file.close()
        self.path.unlink(missing_ok=True)

    def add(self, record: dict[str, Any]) -> None:
        assert self._file is not None
        repository = record["repository"]
        if repository["source"] in self._index:
            self.duplicates.append(repository["source"])
            return
        data = json.dumps(record, ensure_ascii=False).encode() + b"\n"
        offset = self._file.seek(0, 2)
        self._file.write(data)
        self._index[repository["source"]] = (repository["name"], offset, len(data))
        self._repositories[repository["source"]] = repository

    def __len__(self) -> int:
        return len(self._index)

    def repositories(self) -> list[dict[str, Any]]:
        return [r for _, _, r in sorted((r["name"], s, r) for s, r in self._repositories.items())]

    def records(self) -> Iterator[dict[str, Any]]:
        assert self._file is not None
        self._file.flush()
        for _, _, offset, length in sorted((name, source, o, n) for source, (name, o, n) in self._index.items()):
            self._file.seek(offset)
            record: dict[str, Any] = json.loads(self._file.read(length))
            record["identities"].sort(key=lambda i: (i["file"], i["line"], i["id"]))
            yield record


def write_outputs(log: RecordLog, out: Path, options: dict[str, Any]) -> Aggregate:
    """Every output file in `out`; returns the figures."""
    figures = Aggregate()
    for record in log.records():
        figures.add(record)
    _write_json_and_identities(log, out, options, figures)
    _write_csvs(log, out, figures)
    from nhilint.audit.html import write_report

    write_report(out / "report.html", options, figures, log.repositories(), log.records)
    return figures


def _write_json_and_identities(log: RecordLog, out: Path, options: dict[str, Any], figures: Aggregate) -> None:
    """audit.json and identities.csv in one pass, piece by piece (the identities list is never in memory)."""
    head = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "nhilint", "version": __version__},
        "options": options,
        "summary": figures.summary(),
    }
    with (
        open(out / "audit.json", "w", encoding="utf-8") as handle,
        open(out / "identities.csv", "w", encoding="utf-8", newline="") as table,
    ):
        handle.write(json.dumps(head, indent=2)[:-2] + ",\n")
        _write_list(handle, "repositories", iter(log.repositories()))
        handle.write(",\n")
        writer = csv.writer(table, lineterminator="\n")
        writer.writerow(IDENTITY_COLUMNS)

        def identities() -> Iterator[dict[str, Any]]:
            for record in log.records():
                for identity in record["identities"]:
                    row = identity_row(identity)
                    writer.writerow([csv_cell(row.get(column)) for column in IDENTITY_COLUMNS])
                    yield identity

        _write_list(handle, "identities", identities())
        handle.write(",\n")
        _write_list(handle, "owners", iter(figures.owners()))
        handle.write("\n}\n")


def _write_list(handle: IO[str], key: str, items: Iterator[dict[str, Any]]) -> None:
    handle.write(f'  "{key}": [')
    first = True
    for item in items:
        handle.write("\n    " if first else ",\n    ")
        handle.write(json.dumps(item, ensure_ascii=False))  # keys in the order records are built, cached or not
        first = False
    handle.write("]" if first else "\n  ]")


IDENTITY_COLUMNS = (
    "repository", "id", "address", "kind", "platform", "file", "line", "owner_declared", "owner_suggested",
    "owner_suggested_from", "owner_evidence", "purpose", "expires", "retire_on", "created_date", "created_author",
    "created_email", "created_commit", "last_changed_date", "last_changed_author", "last_changed_email",
    "last_changed_commit", "age_days", "stale", "severity", "findings", "risk_score", "risk_reasons", "reaches",
    "can_become", "credentials", "long_lived_keys",
)  # fmt: skip
REPOSITORY_COLUMNS = (
    "name", "source", "ref", "commit", "status", "error", "cached", "identities", "findings", "files",
    "parse_errors", "codeowners", "seconds",
)  # fmt: skip
OWNER_COLUMNS = ("owner", "identities", "repositories", "suggested_from", "stale", "findings")


def identity_row(identity: dict[str, Any]) -> dict[str, Any]:
    owner, created, changed = identity["owner"], identity["created"] or {}, identity["last_changed"] or {}
    radius = identity["blast_radius"]
    return {
        **{key: identity[key] for key in ("repository", "id", "address", "kind", "platform", "file", "line")},
        "owner_declared": owner["declared"],
        "owner_suggested": owner["suggested"],
        "owner_suggested_from": owner["suggested_from"],
        "owner_evidence": owner["evidence"],
        **{key: identity[key] for key in ("purpose", "expires", "retire_on")},
        "created_date": created.get("date"),
        "created_author": created.get("author", {}).get("name"),
        "created_email": created.get("author", {}).get("email"),
        "created_commit": created.get("commit"),
        "last_changed_date": changed.get("date"),
        "last_changed_author": changed.get("author", {}).get("name"),
        "last_changed_email": changed.get("author", {}).get("email"),
        "last_changed_commit": changed.get("commit"),
        "age_days": identity["age_days"],
        "stale": identity["stale"],
        "severity": identity["severity"],
        "findings": " ".join(identity["findings"]),
        "risk_score": identity["risk"]["score"],
        "risk_reasons": " ".join(identity["risk"]["reasons"]),
        "reaches": radius["reaches"],
        "can_become": " ".join(radius["can_become"]) + (" *" if radius["can_become_any"] else ""),
        "credentials": len(identity["credentials"]),
        "long_lived_keys": sum(1 for c in identity["credentials"] if c["long_lived"]),
    }


def _csv(path: Path, columns: tuple[str, ...], rows: Iterator[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(row.get(column)) for column in columns])


def _write_csvs(log: RecordLog, out: Path, figures: Aggregate) -> None:
    _csv(out / "repositories.csv", REPOSITORY_COLUMNS, iter(log.repositories()))
    owners = (
        {
            **owner,
            "repositories": " ".join(owner["repositories"]),
            "suggested_from": " ".join(f"{k}:{v}" for k, v in owner["suggested_from"].items()),
        }
        for owner in figures.owners()
    )
    _csv(out / "owners.csv", OWNER_COLUMNS, owners)
