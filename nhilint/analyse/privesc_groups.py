"""One finding per problem: the escalation methods of one identity grouped by the fix they need.

`iam:*` on `*` enables a dozen catalogue methods from one statement; reporting each would bury the one
fix (narrow that statement) under a dozen findings on the same line. Two methods of an identity are one
problem when

- the statement reported for both (the first supplier, by file and line) is the same, or
- the actions of one are a subset of the other's (`codebuild:StartBuild` alone, and `iam:PassRole` +
  `codebuild:CreateProject` + `codebuild:StartBuild`): removing the smaller set's action removes both.

Methods supplied by distinct statements with no such overlap stay distinct findings: they need distinct
fixes. A group is admin-equivalent when one of its methods lets the holder grant itself any permission
(`admin_equivalent` in the catalogue) unconditionally on every resource.
"""

from __future__ import annotations

from dataclasses import dataclass

from nhilint.analyse.privesc import Escalation
from nhilint.model import Identity, Location


@dataclass(frozen=True, slots=True)
class EscalationGroup:
    """The methods of one identity that one fix removes, in the order they are reported."""

    members: tuple[Escalation, ...]

    @property
    def identity(self) -> Identity:
        return self.members[0].identity

    @property
    def location(self) -> Location:
        return min(m.location for m in self.members)

    @property
    def admin_equivalent(self) -> tuple[Escalation, ...]:
        """Members that alone make the identity an administrator (grant itself any policy, on `*`)."""
        return tuple(m for m in self.members if is_admin_equivalent(m))

    @property
    def method_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.method.name for m in self.members))


def is_admin_equivalent(escalation: Escalation) -> bool:
    return (
        escalation.method.admin_equivalent
        and not escalation.conditional
        and all(s.statement.all_resources for u in escalation.used for s in u.supplies)
    )


def group(escalations: tuple[Escalation, ...] | list[Escalation]) -> list[EscalationGroup]:
    """Escalations grouped per identity and problem (union of same-statement and action-subset links)."""
    by_identity: dict[str, list[Escalation]] = {}
    for escalation in escalations:
        by_identity.setdefault(escalation.identity.id, []).append(escalation)
    groups: list[EscalationGroup] = []
    for members in by_identity.values():
        groups.extend(_split(members))
    return groups


def _split(members: list[Escalation]) -> list[EscalationGroup]:
    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    actions = [frozenset(u.action.lower() for u in m.used) for m in members]
    for i, first in enumerate(members):
        for j in range(i + 1, len(members)):
            second = members[j]
            overlap = bool(actions[i] and actions[j]) and (actions[i] <= actions[j] or actions[j] <= actions[i])
            if overlap or first.location == second.location:
                parent[root(j)] = root(i)
    grouped: dict[int, list[Escalation]] = {}
    for index, member in enumerate(members):
        grouped.setdefault(root(index), []).append(member)
    return [
        EscalationGroup(tuple(sorted(g, key=lambda m: (not is_admin_equivalent(m), m.location))))
        for g in grouped.values()
    ]


def supplied_methods(
    escalations: tuple[Escalation, ...] | list[Escalation],
) -> dict[tuple[str, Location], tuple[str, ...]]:
    """(identity id, grant location) -> names of the methods that grant supplies to the identity: the
    inventory's per-grant `privesc` field. A membership-supplied (group) grant is listed under the member."""
    found: dict[tuple[str, Location], dict[str, None]] = {}
    for escalation in escalations:
        for used in escalation.used:
            for supply in used.supplies:
                found.setdefault((escalation.identity.id, supply.grant.location), {})[escalation.method.name] = None
    return {key: tuple(names) for key, names in found.items()}
