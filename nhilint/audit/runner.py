"""One audit run: select the shard, resolve every repository's commit, reuse cached results, run the rest on
an executor, stream each record to disk, and assemble the outputs.

Resolution (`git ls-remote`, a few milliseconds per repository) runs in threads in this process, and the
result cache is read and written here: an unchanged repository is answered without starting a worker, and on
a remote Dask cluster the cache stays with the auditor, not on the workers.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from nhilint import __version__
from nhilint.audit import assemble
from nhilint.audit.sources import Source, in_shard
from nhilint.audit.store import ResultCache
from nhilint.audit.task import RECORD_FORMAT, Job, failed
from nhilint.config import Config

RESOLVE_THREADS = 8
_FULL_COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True, slots=True)
class AuditOptions:
    sources: tuple[Source, ...]
    out: Path
    today: date
    ref: str | None = None
    workers: int = 1
    executor: str = "local"
    scheduler: str | None = None
    shard: tuple[int, int] | None = None
    cache_dir: Path | None = None
    stale_days: int = 365
    config_root: Path = Path(".")
    config_path: Path | None = None
    policy: str | None = None


@dataclass(slots=True)
class Outcome:
    repositories: int = 0
    failed: int = 0
    cached: int = 0
    identities: int = 0
    worst_severity: str | None = None


def policy_hash(config: Config, stale_days: int) -> str:
    """What besides repository and commit shapes a record: policy and config as resolved (rules, settings,
    limits, sources), today, stale days, the record format and nhilint's version."""
    text = f"{__version__}\0{RECORD_FORMAT}\0{config!r}\0{stale_days}"
    return hashlib.sha256(text.encode()).hexdigest()


def _jobs(options: AuditOptions, sources: list[Source]) -> list[Job]:
    return [
        Job(
            name=source.name,
            location=source.location,
            public_location=_public(source.location),
            kind=source.kind,
            ref=options.ref,
            config_root=str(options.config_root.resolve()),
            config_path=str(options.config_path.resolve()) if options.config_path else None,
            policy=options.policy,
            today=options.today.isoformat(),
            stale_days=options.stale_days,
            cache_dir=str(options.cache_dir.resolve()) if options.cache_dir else None,
        )
        for source in sources
    ]


def _public(location: str) -> str:
    from nhilint.audit.checkout import public_location

    return public_location(location)


def _resolve(job: Job) -> Job | dict[str, Any]:
    """The job with its target ref and commit, or the failed record when the remote cannot say."""
    if job.kind != "git":
        return job
    from nhilint.audit.checkout import CheckoutError, resolve

    try:
        target = resolve(job.location, job.ref)
    except CheckoutError as exc:
        return failed(job, str(exc))
    commit = target.commit or (target.ref if _FULL_COMMIT_RE.match(target.ref) else None)
    return replace(job, target_ref=target.ref, target_commit=commit)


def run_audit(options: AuditOptions, config: Config, notify: Callable[[dict[str, Any], int], None]) -> Outcome:
    """Audit `options.sources` (this shard's), write every output into `options.out`, return the counts.

    `notify(record, total)` is called once per repository as it completes (progress display).
    """
    from nhilint.audit.executors import run_dask, run_local

    sources = [s for s in options.sources if options.shard is None or in_shard(s, options.shard)]
    cache = ResultCache(options.cache_dir, policy_hash(config, options.stale_days)) if options.cache_dir else None
    options.out.mkdir(parents=True, exist_ok=True)
    outcome = Outcome()
    with assemble.RecordLog(options.out) as log:

        def finished(record: dict[str, Any]) -> None:
            repository = record["repository"]
            if cache is not None and repository["status"] == "ok" and repository["commit"] and not repository["cached"]:
                cache.put(_location_of(record, by_name), repository["commit"], record)
            log.add(record)
            _count(outcome, record)
            notify(record, len(sources))

        by_name = {s.name: s.location for s in sources}
        pending: list[Job] = []
        with ThreadPoolExecutor(RESOLVE_THREADS) as threads:
            for resolved in threads.map(_resolve, _jobs(options, sources)):
                if isinstance(resolved, dict):
                    finished(resolved)
                    continue
                hit = cache.get(resolved.location, resolved.target_commit) if cache and resolved.target_commit else None
                if hit is not None:
                    hit["repository"]["cached"] = True
                    hit["repository"]["seconds"] = 0.0
                    finished(hit)
                else:
                    pending.append(resolved)
        if options.executor == "dask":
            run_dask(pending, options.workers, options.scheduler, finished)
        else:
            run_local(pending, options.workers, finished)
        meta = _meta(options, config)
        assemble.write_outputs(log, options.out, meta)
    return outcome


def _location_of(record: dict[str, Any], by_name: dict[str, str]) -> str:
    return by_name[record["repository"]["name"]]


def _count(outcome: Outcome, record: dict[str, Any]) -> None:
    from nhilint.model import Severity

    repository = record["repository"]
    outcome.repositories += 1
    outcome.failed += repository["status"] == "failed"
    outcome.cached += bool(repository["cached"])
    outcome.identities += repository["identities"]
    for severity in repository["findings_by_severity"]:
        if outcome.worst_severity is None or Severity.parse(severity) > Severity.parse(outcome.worst_severity):
            outcome.worst_severity = severity


def _meta(options: AuditOptions, config: Config) -> dict[str, Any]:
    return {
        "today": options.today.isoformat(),
        "ref": options.ref,
        "stale_days": options.stale_days,
        "policy": config.policy,
        "policy_hash": policy_hash(config, options.stale_days),
        "shard": f"{options.shard[0]}/{options.shard[1]}" if options.shard else None,
        "merged_shards": None,
    }


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
