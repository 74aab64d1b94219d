"""One repository's scan turned into plain JSON records: an entry per identity with its provenance, owner
suggestion, findings, blast-radius summary, credentials and risk.

Records are data only (str, int, bool, None, lists, dicts): they cross process and Dask boundaries, go to
the cache and into audit.json as they are. Nothing here quotes a value read from the code besides the
lifecycle facts the inventory already reports (owner, purpose, expires, retire-on), redacted like every
other output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from nhilint.audit.provenance import Blame, Change, Codeowners, suggest_owner
from nhilint.model import Fact, Finding, Identity, Inventory, Severity
from nhilint.rules import BY_ID

if TYPE_CHECKING:
    from nhilint.api import Report

BlastSummary = Callable[[str], dict[str, Any]]

# Risk: what makes an identity worth looking at first, and how much (the report's "riskiest" ordering).
RISK_WEIGHTS = {
    "admin": 5,
    "escalation": 4,
    "secret_in_code": 4,
    "third_party_trust": 3,
    "long_lived_key": 3,
    "no_owner": 2,
    "stale": 1,
}
_RULE_FLAGS = {
    "NHI-PRIV-001": "admin",
    "NHI-PRIV-004": "admin",
    "NHI-PRIV-006": "escalation",
    "NHI-PRIV-007": "escalation",
    "NHI-K8S-004": "escalation",
    "NHI-CRED-001": "long_lived_key",
    "NHI-CRED-002": "secret_in_code",
    "NHI-TRUST-001": "third_party_trust",
    "NHI-TRUST-002": "third_party_trust",
    "NHI-TRUST-003": "third_party_trust",
}
CAN_BECOME_SHOWN = 20


def blast_radius(report: Report) -> BlastSummary:
    """The one place the audit reads blast-radius data: what each identity reaches and can become (from the
    scan's own Analysis, computed once per repository)."""
    from nhilint.analyse.blast import UNBOUNDED

    blast = report.analysis.blast

    def summary(identity_id: str) -> dict[str, Any]:
        reach = blast.reach(identity_id)
        targets = sorted({route.target for route in blast.routes(identity_id)})
        bounded = [t for t in targets if t != UNBOUNDED]
        return {
            "reaches": reach.summary(limit=6),
            "services": len(reach.services),
            "permissions_management": any("Permissions management" in levels for levels in reach.services.values()),
            "can_become": bounded[:CAN_BECOME_SHOWN],
            "can_become_count": len(bounded),
            "can_become_any": UNBOUNDED in targets,
        }

    return summary


def _text(fact: Fact | None) -> str | None:
    if fact is None:
        return None
    return fact.value if isinstance(fact.value, str) else f"<unknown: {fact.value.reason}>"


def findings_by_identity(inventory: Inventory, findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    """Findings per identity id; a credential's findings count for the identity it belongs to."""
    owner_of = {c.id: c.of for c in inventory.credentials if isinstance(c.of, str)}
    found: dict[str, list[Finding]] = {}
    for finding in findings:
        subject = finding.identity
        if subject is None:
            continue
        identity_id = subject if subject in inventory.identities else owner_of.get(subject)
        if identity_id is not None:
            found.setdefault(identity_id, []).append(finding)
    return found


def _provenance(change: Change | None) -> dict[str, Any] | None:
    return change.as_dict() if change is not None else None


def identity_record(
    repository: str,
    identity: Identity,
    inventory: Inventory,
    findings: list[Finding],
    blame: Blame,
    codeowners: Codeowners | None,
    blast: BlastSummary,
    today: date,
    stale_days: int,
) -> dict[str, Any]:
    """The audit's view of one identity (see the `identity` definition in schemas/audit.schema.json)."""
    where = identity.location
    created, last_changed = blame.block(where.path, where.start_line, where.end_line)
    lifecycle = identity.lifecycle
    declared_fact = lifecycle.owner
    declared = declared_fact.value if declared_fact is not None and isinstance(declared_fact.value, str) else None
    from_codeowners, codeowners_rule = codeowners.owners(where.path) if codeowners else (None, None)
    suggested, suggested_from = suggest_owner(declared, from_codeowners, last_changed, created)
    evidence = {
        "declared": declared_fact.source if declared_fact else None,
        "codeowners": codeowners_rule,
        "last_author": last_changed.commit if last_changed else None,
        "creator": created.commit if created else None,
    }
    age_days = (today - created.date.date()).days if created else None
    untouched = (today - last_changed.date.date()).days if last_changed else None
    stale = untouched is not None and untouched >= stale_days
    rule_ids = sorted({f.rule_id for f in findings})
    credentials = [
        {
            "kind": c.kind,
            "address": c.address,
            "file": c.location.path,
            "line": c.location.start_line,
            "long_lived": c.static and c.expires is None and c.rotation is None,
            "secret_in_code": c.secret_in_code is not None,
        }
        for c in inventory.credentials_of(identity.id)
    ]
    radius = blast(identity.id)
    record: dict[str, Any] = {
        "repository": repository,
        "id": identity.id,
        "address": identity.address,
        "kind": identity.kind,
        "platform": identity.platform,
        "file": where.path,
        "line": where.start_line,
        "end_line": where.end_line,
        "owner": {
            "declared": _text(declared_fact),
            "declared_source": declared_fact.source if declared_fact else None,
            "suggested": suggested,
            "suggested_from": suggested_from,
            "evidence": evidence[suggested_from] if suggested_from else None,
        },
        "purpose": _text(lifecycle.purpose),
        "expires": _text(lifecycle.expires),
        "retire_on": _text(lifecycle.retire_on),
        "created": _provenance(created),
        "last_changed": _provenance(last_changed),
        "age_days": age_days,
        "stale": stale,
        "findings": rule_ids,
        "severity": str(max(f.severity for f in findings)) if findings else None,
        "owasp": sorted({BY_ID[r].owasp for r in rule_ids if r in BY_ID}),
        "blast_radius": radius,
        "credentials": credentials,
    }
    record["risk"] = risk(record)
    return record


def risk(record: dict[str, Any]) -> dict[str, Any]:
    """Why an identity deserves attention, and a score to order the report by (higher first)."""
    reasons = {_RULE_FLAGS[r] for r in record["findings"] if r in _RULE_FLAGS}
    radius = record["blast_radius"]
    if radius["permissions_management"] or radius["can_become_count"] or radius["can_become_any"]:
        reasons.add("escalation")
    if any(c["long_lived"] for c in record["credentials"]):
        reasons.add("long_lived_key")
    if any(c["secret_in_code"] for c in record["credentials"]):
        reasons.add("secret_in_code")
    if not record["owner"]["declared"]:
        reasons.add("no_owner")
    if record["stale"]:
        reasons.add("stale")
    ordered = sorted(reasons, key=lambda r: (-RISK_WEIGHTS[r], r))
    severity = Severity.parse(record["severity"]) if record["severity"] else None
    score = sum(RISK_WEIGHTS[r] for r in reasons) + (int(severity) + 1 if severity is not None else 0)
    return {"score": score, "reasons": ordered}
