"""Organisation-wide figures over the repository records, gathered one record at a time (nothing but counts
and the few riskiest identities is kept): coverage of owner / expiry / retirement hook, findings by rule, by
repository and by OWASP NHI Top 10 item, ages, owners."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RISKIEST_SHOWN = 25
# Age buckets (upper bound in days, label): how long the organisation's identities have existed.
AGE_BUCKETS = ((30, "< 30 days"), (90, "30-90 days"), (180, "3-6 months"), (365, "6-12 months"),
               (730, "1-2 years"), (1095, "2-3 years"), (None, "> 3 years"))  # fmt: skip
NO_AGE = "unknown"
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


def identity_sort_key(identity: dict[str, Any]) -> tuple[str, str, int, str]:
    return (identity["repository"], identity["file"], identity["line"], identity["id"])


def risk_key(identity: dict[str, Any]) -> tuple[int, str, str, int, str]:
    return (-identity["risk"]["score"], *identity_sort_key(identity))


def age_bucket(age_days: int | None) -> str:
    if age_days is None:
        return NO_AGE
    return next(label for limit, label in AGE_BUCKETS if limit is None or age_days < limit)


@dataclass(slots=True)
class _Owner:
    identities: int = 0
    repositories: set[str] = field(default_factory=set)
    suggested_from: dict[str, int] = field(default_factory=dict)
    stale: int = 0
    findings: int = 0


@dataclass(slots=True)
class Aggregate:
    """Add each repository record once; `summary()` and `owners()` give the documents' sections."""

    repositories: int = 0
    failed: int = 0
    cached: int = 0
    identities: int = 0
    findings: int = 0
    owner_declared: int = 0
    owner_suggested: int = 0
    with_expiry: int = 0
    with_retirement: int = 0
    stale: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    by_repository: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    by_owasp: dict[str, int] = field(default_factory=dict)
    owasp_titles: dict[str, str] = field(default_factory=dict)
    by_age: dict[str, int] = field(default_factory=dict)
    by_suggested_from: dict[str, int] = field(default_factory=dict)
    _owners: dict[str, _Owner] = field(default_factory=dict)
    _riskiest: list[dict[str, Any]] = field(default_factory=list)

    def add(self, record: dict[str, Any]) -> None:
        repository = record["repository"]
        self.repositories += 1
        self.failed += repository["status"] == "failed"
        self.cached += bool(repository["cached"])
        self.findings += repository["findings"]
        if repository["findings"]:
            self.by_repository[repository["name"]] = repository["findings"]
        for rule, count in repository["findings_by_rule"].items():
            self.by_rule[rule] = self.by_rule.get(rule, 0) + count
        for item, entry in repository["findings_by_owasp"].items():  # from the worker: no rule import here
            self.by_owasp[item] = self.by_owasp.get(item, 0) + entry["count"]
            self.owasp_titles.setdefault(item, entry["title"])
        for severity, count in repository["findings_by_severity"].items():
            self.by_severity[severity] = self.by_severity.get(severity, 0) + count
        for identity in record["identities"]:
            self._add_identity(identity)

    def _add_identity(self, identity: dict[str, Any]) -> None:
        self.identities += 1
        owner = identity["owner"]
        self.owner_declared += bool(owner["declared"])
        self.owner_suggested += bool(owner["suggested"])
        self.with_expiry += identity["expires"] is not None
        self.with_retirement += identity["retire_on"] is not None
        self.stale += bool(identity["stale"])
        source = owner["suggested_from"] or "none"
        self.by_suggested_from[source] = self.by_suggested_from.get(source, 0) + 1
        bucket = age_bucket(identity["age_days"])
        self.by_age[bucket] = self.by_age.get(bucket, 0) + 1
        if owner["suggested"]:
            entry = self._owners.setdefault(owner["suggested"], _Owner())
            entry.identities += 1
            entry.repositories.add(identity["repository"])
            entry.suggested_from[owner["suggested_from"]] = entry.suggested_from.get(owner["suggested_from"], 0) + 1
            entry.stale += bool(identity["stale"])
            entry.findings += len(identity["findings"])
        self._riskiest.append(identity)  # the riskiest few: trimmed whenever the list doubles
        if len(self._riskiest) >= 2 * RISKIEST_SHOWN:
            self._riskiest = sorted(self._riskiest, key=risk_key)[:RISKIEST_SHOWN]

    def riskiest(self) -> list[dict[str, Any]]:
        return sorted(self._riskiest, key=risk_key)[:RISKIEST_SHOWN]

    def summary(self) -> dict[str, Any]:
        def share(count: int) -> dict[str, Any]:
            return {"count": count, "percent": round(100 * count / self.identities, 1) if self.identities else None}

        return {
            "repositories": self.repositories,
            "failed": self.failed,
            "cached": self.cached,
            "identities": self.identities,
            "findings": self.findings,
            "stale": self.stale,
            "coverage": {
                "owner_declared": share(self.owner_declared),
                "owner_suggested": share(self.owner_suggested),
                "expires": share(self.with_expiry),
                "retire_on": share(self.with_retirement),
            },
            "suggested_from": dict(sorted(self.by_suggested_from.items())),
            "findings_by_severity": {s: self.by_severity[s] for s in SEVERITY_ORDER if s in self.by_severity},
            "findings_by_rule": dict(sorted(self.by_rule.items(), key=lambda i: (-i[1], i[0]))),
            "findings_by_repository": dict(sorted(self.by_repository.items(), key=lambda i: (-i[1], i[0]))),
            "findings_by_owasp": {
                item: {"title": self.owasp_titles[item], "count": count}
                for item, count in sorted(self.by_owasp.items(), key=lambda i: int(i[0][3:]))
            },
            "age": {label: self.by_age.get(label, 0) for label in [*(b[1] for b in AGE_BUCKETS), NO_AGE]},
        }

    def owners(self) -> list[dict[str, Any]]:
        return [
            {
                "owner": name,
                "identities": entry.identities,
                "repositories": sorted(entry.repositories),
                "suggested_from": dict(sorted(entry.suggested_from.items())),
                "stale": entry.stale,
                "findings": entry.findings,
            }
            for name, entry in sorted(self._owners.items())
        ]
