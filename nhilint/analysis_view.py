"""What reporters read of a run's analysis: Protocols that nhilint.analyse.analysis.Analysis satisfies.

Why Protocols here, below analyse/: reporters and the CLI must not import analyse/ (they never compute
analysis, and they must not pull its dependencies in), yet they need the types of what they read. The
classes that compute blast radius and Kubernetes admissions stay with their logic in analyse/; these
Protocols name only the read-only surface the outputs use, and mypy checks the real classes against them
where a Report is built. The two records the Analysis builds only for outputs (`ActsAs`, `GrantPrivilege`)
are plain frozen dataclasses: there is no logic to keep elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Protocol

from nhilint.model import Grant, Identity, Location, Trust, Unknown, Usage


class ReachView(Protocol):
    """What an identity reaches: services with access levels, roles as written, resources or scopes."""

    @property
    def services(self) -> Mapping[str, AbstractSet[str]]: ...

    def as_dict(self) -> dict[str, Any]: ...

    def summary(self, limit: int = ...) -> str: ...


class EdgeView(Protocol):
    """`source` can become `target` because of `how`, written at `location`."""

    @property
    def source(self) -> str: ...

    @property
    def target(self) -> str: ...

    @property
    def how(self) -> str: ...

    @property
    def location(self) -> Location: ...


class RouteView(Protocol):
    """The shortest chain of edges to an identity it can become; `unbounded`: to any role (`*`)."""

    @property
    def target(self) -> str: ...

    @property
    def edges(self) -> Sequence[EdgeView]: ...

    @property
    def unbounded(self) -> bool: ...

    def as_dict(self) -> dict[str, Any]: ...


class BlastView(Protocol):
    """The blast radius of every identity (nhilint.analyse.blast)."""

    @property
    def direct(self) -> Mapping[str, ReachView]: ...

    def reach(self, identity_id: str) -> ReachView: ...

    def routes(self, identity_id: str) -> Sequence[RouteView]: ...


class Admitting(Protocol):
    """One subject a cloud identity's trust admits (nhilint.analyse.k8s.Admission)."""

    @property
    def trust(self) -> Trust: ...

    @property
    def written(self) -> str: ...

    @property
    def pattern(self) -> str: ...

    @property
    def wildcard(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class ActsAs:
    """A ServiceAccount annotated to act as a cloud identity, and whether that identity's trust admits it.

    `admitted` is true, false, None when the scan cannot say, or Unknown (with why); `admitted_by` lists
    the trust subjects that admit this ServiceAccount.
    """

    account: Identity
    target: Identity
    annotation: str
    usage: Usage
    admitted: bool | Unknown | None
    admitted_by: tuple[Admitting, ...]


@dataclass(frozen=True, slots=True)
class GrantPrivilege:
    """Facts about one grant for outputs: the admin policy or role it confers, and whether it is a wildcard."""

    admin: str | None
    wildcard: bool
    privesc: tuple[str, ...] = ()  # escalation methods (catalogue names) this grant supplies for its principal


class AnalysisView(Protocol):
    """The analysis a Report carries; each part is computed on first use and kept for the run."""

    @property
    def blast(self) -> BlastView:
        """Blast radius; routes and totals are worked out per identity when asked."""
        ...

    @property
    def blast_complete(self) -> BlastView:
        """The same blast radius with every identity's routes and total reach worked out at once."""
        ...

    @property
    def acts_as(self) -> Mapping[str, Sequence[ActsAs]]:
        """ServiceAccount identity id -> its workload-identity links."""
        ...

    def privilege(self, grant: Grant) -> GrantPrivilege: ...
