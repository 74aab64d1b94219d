"""The per-repository task: resolve, check out, scan, blame, and return one plain JSON record.

The same function runs in a local worker process and on a Dask worker: its input (`Job`) and output (a dict
of JSON values) are plain data. It never raises: a repository that cannot be cloned, is missing or makes the
scan crash is returned as `status: failed` with a one-line error, and the audit goes on.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nhilint.errors import InternalError, describe

if TYPE_CHECKING:
    import git

    from nhilint.config import Config

RECORD_FORMAT = "2"
# Fields of an identity record that hold text read from the code: what the redaction layer looks at.
_REDACTED = ("id", "address", "purpose", "expires", "retire_on")


@dataclass(frozen=True, slots=True)
class Job:
    """Everything a worker needs to audit one repository (plain values: it is pickled to the worker)."""

    name: str
    location: str
    public_location: str
    kind: str  # "git" or "directory"
    ref: str | None
    config_root: str  # where the auditor's own .nhilint.yaml is looked up, as `nhilint scan` does
    config_path: str | None
    policy: str | None
    today: str
    stale_days: int
    cache_dir: str | None  # where blobless clones are kept between runs (the worker's disk)
    target_ref: str | None = None  # resolved by the parent (git ls-remote); resolved here when None
    target_commit: str | None = None


def audit_repository(job: Job) -> dict[str, Any]:
    """One repository's record; never raises."""
    started = time.perf_counter()
    try:
        record = _audit(job)
    except Exception as exc:  # one repository never stops the audit
        from nhilint.audit.checkout import CheckoutError

        if isinstance(exc, CheckoutError):
            error = str(exc)
        elif isinstance(exc, InternalError):
            error = f"internal error while processing {exc.path}: {describe(exc.cause)}"
        else:
            error = f"internal error: {describe(exc)}"
        record = failed(job, error)
    record["repository"]["seconds"] = round(time.perf_counter() - started, 3)
    return record


def failed(job: Job, error: str, commit: str | None = None, ref: str | None = None) -> dict[str, Any]:
    repository = _repository(job, "failed", error=error, commit=commit, ref=ref)
    return {"format": RECORD_FORMAT, "repository": repository, "identities": []}


def _repository(job: Job, status: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": job.name,
        "source": job.public_location,
        "ref": None,
        "commit": None,
        "status": status,
        "error": None,
        "cached": False,
        "identities": 0,
        "findings": 0,
        "with_owner": 0,
        "with_expiry": 0,
        "with_retirement": 0,
        "findings_by_rule": {},
        "findings_by_severity": {},
        "findings_by_owasp": {},
        "files": 0,
        "parse_errors": 0,
        "codeowners": None,
        "warnings": [],
        "seconds": 0.0,
    }
    base.update(fields)
    return base


def _config(job: Job) -> Config:
    from nhilint.config import load_config

    loaded = load_config(Path(job.config_root), Path(job.config_path) if job.config_path else None, job.policy)
    return loaded.with_overrides(today=date.fromisoformat(job.today))


def _audit(job: Job) -> dict[str, Any]:
    if job.kind == "missing":
        from nhilint.audit.checkout import CheckoutError

        raise CheckoutError(f"{job.public_location}: no such directory, and not a git URL")
    config = _config(job)
    if job.kind == "directory":
        record = _scan(job, config, Path(job.location), None, None, None)
        if job.ref:
            record["repository"]["warnings"].append("--ref does not apply to a directory that is not a git repository")
        return record
    from nhilint.audit.checkout import Target, clone, resolve, worktree

    target = Target(job.target_ref, job.target_commit) if job.target_ref else resolve(job.location, job.ref)
    with tempfile.TemporaryDirectory(prefix="nhilint-audit-") as scratch:
        repo, commit = clone(job.location, target, Path(scratch), Path(job.cache_dir) if job.cache_dir else None)
        try:
            with worktree(repo, commit, Path(scratch)) as tree:
                return _scan(job, config, tree, repo, commit, target.ref)
        finally:
            repo.close()


def _scan(
    job: Job, config: Config, root: Path, repo: git.Repo | None, commit: str | None, ref: str | None
) -> dict[str, Any]:
    from nhilint.api import ScanOptions, scan
    from nhilint.audit.provenance import Blame, load_codeowners
    from nhilint.audit.records import blast_radius, findings_by_identity, identity_record
    from nhilint.redact import for_inventory
    from nhilint.result import parse_errors
    from nhilint.rules import BY_ID

    # A checkout holds only the commit's files, each tracked: .gitignore hides none of them.
    report = scan([root], config, root=root, options=ScanOptions(cache=False, all_tracked=repo is not None))
    inventory = report.inventory
    codeowners, codeowners_problem = load_codeowners(root)
    blame = Blame(repo, commit)
    blast = blast_radius(report)
    by_identity = findings_by_identity(inventory, report.findings)
    redactor = for_inventory(inventory)
    identities = []
    for identity in sorted(inventory.identities.values(), key=lambda i: (i.location, i.id)):
        record = identity_record(
            job.name,
            identity,
            inventory,
            by_identity.get(identity.id, []),
            blame,
            codeowners,
            blast,
            config.today,
            job.stale_days,
        )
        record.update(redactor.apply({key: record[key] for key in _REDACTED}))
        if record["owner"]["suggested_from"] == "declared":
            record["owner"]["suggested"] = redactor.apply(record["owner"]["suggested"])
        record["owner"]["declared"] = redactor.apply(record["owner"]["declared"])
        identities.append(record)
    by_rule: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    by_owasp: dict[str, dict[str, Any]] = {}
    for finding in report.findings:
        by_rule[finding.rule_id] = by_rule.get(finding.rule_id, 0) + 1
        by_severity[str(finding.severity)] = by_severity.get(str(finding.severity), 0) + 1
        rule = BY_ID.get(finding.rule_id)
        if rule is not None:
            entry = by_owasp.setdefault(rule.owasp, {"title": rule.owasp_title, "count": 0})
            entry["count"] += 1
    repository = _repository(
        job,
        "ok",
        ref=ref,
        commit=commit,
        identities=len(identities),
        findings=len(report.findings),
        with_owner=sum(1 for i in identities if i["owner"]["declared"]),
        with_expiry=sum(1 for i in identities if i["expires"] is not None),
        with_retirement=sum(1 for i in identities if i["retire_on"] is not None),
        findings_by_rule=dict(sorted(by_rule.items())),
        findings_by_severity=dict(sorted(by_severity.items())),
        findings_by_owasp=dict(sorted(by_owasp.items())),
        files=len(inventory.files),
        parse_errors=len(parse_errors(inventory)),
        codeowners=codeowners.path if codeowners else None,
        warnings=[*([codeowners_problem] if codeowners_problem else []), *blame.failures],
    )
    return {"format": RECORD_FORMAT, "repository": repository, "identities": identities}
