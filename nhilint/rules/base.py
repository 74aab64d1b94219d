"""What a rule is: an id, metadata, a docstring that is its documentation, and a pure check function."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from nhilint.config import Settings
from nhilint.model import Credential, Fact, Finding, Identity, Inventory, Location, Severity, Unknown, Usage
from nhilint.values import readable_references

if TYPE_CHECKING:
    from nhilint.analyse.analysis import Analysis

OWASP = {
    "NHI1": "NHI1:2025 Improper Offboarding",
    "NHI2": "NHI2:2025 Secret Leakage",
    "NHI3": "NHI3:2025 Vulnerable Third-Party NHI",
    "NHI4": "NHI4:2025 Insecure Authentication",
    "NHI5": "NHI5:2025 Overprivileged NHI",
    "NHI6": "NHI6:2025 Insecure Cloud Deployment Configurations",
    "NHI7": "NHI7:2025 Long-Lived Secrets",
    "NHI8": "NHI8:2025 Environment Isolation",
    "NHI9": "NHI9:2025 NHI Reuse",
    "NHI10": "NHI10:2025 Human Use of NHI",
}


@dataclass(frozen=True, slots=True)
class Context:
    """What every rule reads: the inventory, its analysis, the options, and a frozen "today" for expiry checks."""

    inventory: Inventory
    settings: Settings
    today: date
    # The registry's rule ids, for rules that check references to rules (NHI-SUPP-001); None: not checked.
    rule_ids: frozenset[str] | None = None
    # The run's analysis of `inventory` (shared with the Report); left out, a fresh one (a rule run alone).
    analysis: Analysis = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.analysis is None:
            from nhilint.analyse.analysis import Analysis

            object.__setattr__(self, "analysis", Analysis(self.inventory))


Subject = Identity | Credential
Check = Callable[["Rule", Context], Iterator[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    severity: Severity
    owasp: str  # key into OWASP
    summary: str
    check: Check

    @property
    def doc(self) -> str:
        module = inspect.getmodule(self.check)
        return inspect.cleandoc(module.__doc__ or "") if module else ""

    @property
    def owasp_title(self) -> str:
        return OWASP[self.owasp]

    def finding(
        self,
        message: str,
        location: Location,
        subject: Subject | None = None,
        evidence: str = "",
        block: Location | None = None,
        unknown: bool = False,
        ctx: Context | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule; an `unknown` one takes the policy's unknown severity."""
        chosen = severity or self.severity
        if unknown and ctx is not None:
            chosen = ctx.settings.unknown_severity
        return Finding(
            rule_id=self.id,
            severity=chosen,
            message=readable_references(message),  # `module.x.id (not known before apply)`, never `${module.x.id}`
            location=location,
            identity=subject.id if subject else None,
            address=subject.address if subject else None,
            kind=subject.kind if subject else None,
            platform=subject.platform if subject else None,
            evidence=evidence,
            block=block or (subject.location if subject else location),
            unknown=unknown,
        )


def subjects(inventory: Inventory) -> Iterator[Subject]:
    """Every identity, then every credential: the things that need an owner and a lifecycle."""
    yield from inventory.identities.values()
    yield from inventory.credentials


_SCOPE_RE = re.compile(r"^(?:[A-Za-z0-9_.-]+/)+(?=module\.|[A-Za-z][A-Za-z0-9_-]*\.)")


def short_address(address: str) -> str:
    """The address without its root module's directory (the finding's file already says where)."""
    return _SCOPE_RE.sub("", address)


def workload_name(usage: Usage) -> str:
    """A workload as a message names it: a Terraform resource (its kind a resource type, `kubernetes_pod`) without
    its root module's directory; a manifest's `Deployment/default/web` as it is (its name may hold dots)."""
    return short_address(usage.workload) if "_" in usage.kind else usage.workload


def label(subject: Subject) -> str:
    return f"{subject.kind.replace('_', ' ')} {short_address(subject.address)}"


def kept_in(inventory: Inventory, credential: Credential) -> Credential | None:
    """The credential of the scan this one's secret is kept in (an AgentCore provider's Secrets Manager
    secret): the provider's expiry and retirement are that secret's, reported once, on the secret."""
    held = credential.kept_in
    return next((c for c in inventory.credentials if c.id == held), None) if held else None


def read_by(inventory: Inventory, credential: Credential) -> str:
    """` (read by agent oauth client x)`: the credentials whose secret is kept in this one, for its message."""
    readers = [label(c) for c in inventory.credentials_kept_in(credential.id)]
    return f" (read by {', '.join(readers)})" if readers else ""


def fact_where(fact: Fact, fallback: Location) -> Location:
    return fact.location or fallback


def unknown_reason(fact: Fact) -> str:
    return fact.value.reason if isinstance(fact.value, Unknown) else ""


STATIC_KEY_KINDS = frozenset({"access_key", "service_account_key", "client_secret", "sp_password"})


def parse_date(text: str) -> date | None:
    """`2027-03-31`, `2027-03-31T00:00:00Z` and friends -> a date; None if it is not one."""
    from datetime import datetime

    candidate = text.strip()
    try:
        return date.fromisoformat(candidate[:10])
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(candidate.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def expiry_of(subject: Subject) -> Fact | None:
    """A credential's own expiry (end_date, validity) or an expires tag/comment."""
    if isinstance(subject, Credential) and subject.expires is not None:
        return subject.expires
    return subject.lifecycle.expires
