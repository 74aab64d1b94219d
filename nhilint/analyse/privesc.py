"""AWS privilege-escalation paths, found on each identity's effective permissions (nhilint.analyse.effective).

Why on effective permissions: the dangerous combinations (`iam:PassRole` + `ec2:RunInstances`) are often
split over two policies, or over a group policy and an inline one; a check of one statement at a time
misses them, and a check that ignores Deny statements and boundaries reports what cannot happen.

The methods are data in nhilint.analyse.privesc_methods, the one place to add a method. A
method applies when every one of its needs is met by some allowed action (a need lists alternatives),
after dropping the supplying statements that cannot serve it:

- a statement whose resources are all of another type than the action needs (`iam:AttachUserPolicy` on a
  role ARN), judged from ARNs, references to resources in the code, and `*`;
- `iam:CreateAccessKey`/`CreateLoginProfile`/`UpdateLoginProfile` limited to the identity itself
  (`${aws:username}`, its own reference or name);
- a statement conditioned on `aws:SourceArn`/`aws:SourceAccount` (a direct call never carries them);
- for `iam:PassRole`, an `iam:PassedToService` condition naming no service the method passes the role to.

Other conditions (also a Deny with conditions, a conditional boundary) make the finding conditional.
`iam:PassRole` and `sts:AssumeRole` are followed into the roles of the scanned code (nhilint.analyse.role_graph
says which roles a resource names and whom a trust admits): a passed role must trust the method's service;
an assumed role's trust must admit the identity; chains of assumable roles are followed breadth-first
(cycle-safe). A reached role counts when it is more privileged: an administrator, or able to escalate by
itself. Identities holding an administrator grant (NHI-PRIV-004) are not analysed: every method is implied.
"""

from __future__ import annotations

import fnmatch
import re
from collections import deque
from dataclasses import dataclass

from nhilint.analyse.effective import AwsAnalysis, Effective, Supply
from nhilint.analyse.privesc_methods import (
    ASSUME,
    METHOD_SERVICES,
    METHODS,
    SELF_HARMLESS,
    TARGET_TYPES,
    TARGETS,
    Method,
)
from nhilint.analyse.privilege import admin_role
from nhilint.analyse.role_graph import ANY, RoleGraph
from nhilint.model import Condition, Identity, Inventory, Location, TargetRef

_SOURCE_KEYS = frozenset({"aws:sourcearn", "aws:sourceaccount"})
MAX_CHAIN_HOPS = 10  # roles in one assume-role chain
MAX_CHAIN_STEPS = 10_000  # roles visited by one breadth-first search
_SELF_RE = re.compile(r"[$&]\{aws:username\}", re.IGNORECASE)
Edge = tuple[Identity, bool]  # a role, and whether getting there is conditional


@dataclass(frozen=True, slots=True)
class Used:
    """One action of a method and the statements that supply it (after the precision filters)."""

    action: str
    supplies: tuple[Supply, ...]
    conditional: bool


@dataclass(frozen=True, slots=True)
class Reach:
    """A more privileged role reached by a path: hops (`PassRole`/`AssumeRole`, role) and why it matters."""

    hops: tuple[tuple[str, Identity], ...]
    privilege: str
    admin: bool
    conditional: bool


@dataclass(frozen=True, slots=True)
class Escalation:
    identity: Identity
    method: Method
    used: tuple[Used, ...]
    reaches: tuple[Reach, ...] = ()
    external: tuple[str, ...] = ()  # passed roles outside the scanned code: whether they matter is unknown
    unknown: bool = False
    at: Location | None = None  # no grant needed (a trust names the identity): the trust statement
    truncated: bool = False  # the assume-role search hit MAX_CHAIN_HOPS or MAX_CHAIN_STEPS

    @property
    def conditional(self) -> bool:
        return any(u.conditional for u in self.used)

    @property
    def first(self) -> Supply:
        """The supplying statement reported: the first by file and line."""
        return min((s for u in self.used for s in u.supplies), key=lambda s: s.grant.location)

    @property
    def location(self) -> Location:
        if not self.used and self.at is not None:
            return self.at
        return self.first.grant.location


class Privesc:
    """Escalation analysis over one inventory; every answer is cached (identities are asked repeatedly)."""

    def __init__(self, inventory: Inventory, aws: AwsAnalysis | None = None) -> None:
        self.analysis = aws or AwsAnalysis(inventory)
        self.graph = RoleGraph(self.analysis.identities(), inventory.trusts)
        self._direct: dict[str, tuple[str, ...]] = {}
        self._privileged: dict[str, tuple[str, bool] | None] = {}
        self._edges: dict[str, tuple[list[Edge], bool, bool]] = {}
        self._truncated: set[str] = set()  # origins whose last search stopped at a bound

    def effective(self, identity: Identity) -> Effective:
        found = self.analysis.effective(identity.id)
        if found is None:
            raise KeyError(f"{identity.id} is not an AWS identity of this inventory")
        return found

    # -- one method on one identity -------------------------------------------------------------

    def combination(self, identity: Identity, method: Method) -> tuple[Used, ...] | None:
        """The actions (one per need, unconditional ones first) that together give the method, or None."""
        eff = self.effective(identity)
        chosen: list[Used] = []
        for need in method.needs:
            options = [u for a in need if (u := self._use(eff, method, a)) is not None]
            if not options:
                return None
            chosen.append(min(options, key=lambda u: u.conditional))
        return tuple(chosen)

    def _use(self, eff: Effective, method: Method, action: str) -> Used | None:
        allowed = eff.allowed(action)
        if allowed is None:
            return None
        key = action.lower()
        supplies = tuple(s for s in allowed.supplies if self._serves(eff.identity, s, key, method))
        if not supplies:
            return None
        conditional = allowed.boundary_conditional or all(_conditional(s, key) for s in supplies)
        return Used(allowed.action, supplies, conditional)

    def _serves(self, identity: Identity, supply: Supply, key: str, method: Method) -> bool:
        statement = supply.statement
        if any(_positive(c) and c.key.lower() in _SOURCE_KEYS for c in statement.conditions):
            return False
        if key == "iam:passrole" and not _passed_to(statement.conditions, method.passes_to):
            return False
        target = TARGETS.get(key)
        if target and not statement.all_resources and not any(self._fits(r, target) for r in statement.resources):
            return False
        if key in SELF_HARMLESS and not statement.all_resources:
            return not all(self._is_self(r, identity) for r in statement.resources)
        return True

    def _fits(self, resource: str, target: str) -> bool:
        """Whether a resource (pattern) can name a resource of the target type; True when it cannot be told."""
        if resource == "*":
            return True
        service, prefix = TARGET_TYPES[target]
        if isinstance(resource, TargetRef):
            identity = self.graph.by_ref(resource)
            if identity is not None:
                return identity.kind == target
            return resource.kind is None or resource.kind == target
        parts = resource.split(":", 5)
        if len(parts) < 6 or not parts[0].startswith("arn"):
            return True
        literal = re.split(r"[*?]", parts[5], maxsplit=1)[0].lower()
        return fnmatch.fnmatchcase(service, parts[2].lower()) and (
            literal.startswith(prefix) or prefix.startswith(literal)
        )

    def _is_self(self, resource: str, identity: Identity) -> bool:
        if _SELF_RE.search(resource):
            return True
        if isinstance(resource, TargetRef):
            return resource.identity == identity.id
        return isinstance(identity.name, str) and resource.rsplit("/", 1)[-1] == identity.name and ":user/" in resource

    # -- every method on one identity -----------------------------------------------------------

    def escalations(self, identity: Identity) -> list[Escalation]:
        """Every method the identity can use; none for administrators (NHI-PRIV-004 reports those)."""
        eff = self.effective(identity)
        services = eff.services()
        if eff.admin:
            return []
        if services is not None and not services & METHOD_SERVICES and not self.graph.naming(identity):
            return []  # no method's service, and no trust names it (which needs no grant): nothing to find
        if any(admin_role(g) for g in self.analysis.grants_with_groups(identity.id)):
            return []
        found: list[Escalation] = []
        for method in METHODS:
            used = self.combination(identity, method)
            if used is None and method.follow == "assume":
                used = ()  # a trust that names the identity needs no grant of its own
            if used is None:
                continue
            escalation = self._follow(identity, method, used) if method.follow else Escalation(identity, method, used)
            if escalation is not None:
                found.append(escalation)
        return found

    def direct(self, identity: Identity) -> tuple[str, ...]:
        """Methods an identity can use without following roles (pass methods only with PassRole on any role)."""
        if identity.id not in self._direct:
            names = []
            for method in METHODS:
                if method.follow == "assume":
                    continue
                used = self.combination(identity, method)
                if used is not None and (
                    method.follow != "pass"
                    or any(self.graph.roles_matching(r)[1] for r in _resources(_role_action(used)))
                ):
                    names.append(method.name)
            self._direct[identity.id] = tuple(names)
        return self._direct[identity.id]

    def _follow(self, identity: Identity, method: Method, used: tuple[Used, ...]) -> Escalation | None:
        if method.follow == "assume":
            start = self.assumable(identity)
            reaches = self._reach(identity, "AssumeRole", start, False)
            truncated = identity.id in self._truncated
            if not reaches and not (truncated and start):
                return None
            first = reaches[0].hops[0][1] if reaches else start[0][0]
            at = next((t.location for t in self.graph.trusts.get(first.id, [])), first.location)
            unknown = not reaches  # the bound stopped the search before it found (or ruled out) a role
            return Escalation(identity, method, used, tuple(reaches), at=at, unknown=unknown, truncated=truncated)
        passing = _role_action(used)
        open_, external, targets = False, list[str](), dict[str, Identity]()
        for resource in _resources(passing):
            roles, wide = self.graph.roles_matching(resource)
            open_ = open_ or wide
            targets.update((r.id, r) for r in roles)
            if not roles and not wide:
                external.append(resource)
        start = [
            (role, False)
            for role in targets.values()
            if role is not identity and self.graph.trusts_service(role, method.passes_to)
        ]
        reaches = self._reach(identity, "PassRole", start, passing.conditional)
        truncated = identity.id in self._truncated
        if reaches or open_ or truncated:
            unknown = not reaches and not open_
            return Escalation(identity, method, used, tuple(reaches), unknown=unknown, truncated=truncated)
        if external:
            return Escalation(identity, method, used, (), tuple(dict.fromkeys(external)), unknown=True)
        return None

    # -- assume-role chains ---------------------------------------------------------------------

    def assumable(self, source: Identity) -> list[Edge]:
        """Roles the identity may assume: its sts:AssumeRole names them and their trust admits it."""
        specific, everyone, cond = self._assume_edges(source)
        if not everyone:
            return specific
        return specific + [(r, c or cond) for r, c in self.graph.admitters.get(ANY, []) if r is not source]

    def _assume_edges(self, source: Identity) -> tuple[list[Edge], bool, bool]:
        """Roles admitting `source` by reference, name or a literal account root it names; and whether it
        may assume every role that admits the whole account (sts:AssumeRole on `*`), and how conditionally.
        """
        if source.id not in self._edges:
            named = [] if self._assume_blocked(source) else self.graph.naming(source)  # the trust alone admits it
            self._edges[source.id] = (named, False, False)
            used = self._use(self.effective(source), ASSUME, "sts:AssumeRole")
            if used is not None:
                matched: set[str] = set()
                everyone = False
                for resource in _resources(used):
                    roles, wide = self.graph.roles_matching(resource)
                    everyone = everyone or wide
                    matched.update(r.id for r in roles)
                edges = [(r, c or used.conditional) for r, c in self.graph.admitting(source, matched, everyone)]
                listed = {r.id for r, _ in edges}
                edges += [(r, c) for r, c in named if r.id not in listed]
                self._edges[source.id] = (edges, everyone, used.conditional)
        return self._edges[source.id]

    def _assume_blocked(self, source: Identity) -> bool:
        """Whether a trust naming `source` still cannot admit it: an unconditional Deny of sts:AssumeRole on
        every resource, or (for a role: AWS limits a role's sessions by its boundary even when a resource
        policy names the role) a permissions boundary that does not allow sts:AssumeRole."""
        eff = self.effective(source)
        key = "sts:assumerole"
        level = "Write"
        if any(d.covers(key, level) and not d.conditions and "*" in d.resources for d in eff.policies.denies):
            return True
        return source.kind == "role" and eff.boundary is not None and not eff.boundary.supplies(key, level)

    def _reach(self, origin: Identity, hop: str, start: list[Edge], conditional: bool) -> list[Reach]:
        """Breadth-first over assume-role chains from the first roles (cycle-safe): the more privileged ones."""
        seen = {origin.id} | {role.id for role, _ in start}
        queue: deque[tuple[tuple[Identity, ...], tuple[str, ...], bool]] = deque(
            ((role,), (hop,), conditional or c) for role, c in start
        )
        found: list[Reach] = []
        everyone_done = False
        steps = 0
        self._truncated.discard(origin.id)
        while queue:
            if steps >= MAX_CHAIN_STEPS:
                self._truncated.add(origin.id)
                break
            steps += 1
            roles, hops, cond = queue.popleft()
            privilege = self.more_privileged(roles[-1])
            if privilege is not None:
                found.append(Reach(tuple(zip(hops, roles, strict=True)), privilege[0], privilege[1], cond))
            edges, everyone, any_cond = self._assume_edges(roles[-1])
            if everyone and not everyone_done:  # the account-wide roles: the same for every source, once
                everyone_done = True
                edges = edges + [(r, c or any_cond) for r, c in self.graph.admitters.get(ANY, [])]
            if len(roles) >= MAX_CHAIN_HOPS:
                if any(nxt.id not in seen for nxt, _ in edges):
                    self._truncated.add(origin.id)
                continue
            for nxt, c in edges:
                if nxt.id not in seen:
                    seen.add(nxt.id)
                    queue.append(((*roles, nxt), (*hops, "AssumeRole"), cond or c))
        return found

    def more_privileged(self, role: Identity) -> tuple[str, bool] | None:
        """Why a reached role holds more than a non-administrator (label, is admin): it is an administrator,
        or can escalate by itself. (The analysed identity is never an administrator: those are skipped.)

        Broader but bounded permissions (a Lambda execution role that writes a table the deployer cannot) are
        not counted: passing such a role is the ordinary way to deploy, and reporting it would bury the paths
        to administrator.
        """
        if role.id not in self._privileged:
            target = self.effective(role)
            result: tuple[str, bool] | None = None
            if target.admin:
                result = (target.admin, True)
            elif self.direct(role):
                result = (f"can escalate by {self.direct(role)[0]}", False)
            self._privileged[role.id] = result
        return self._privileged[role.id]


def _negated(condition: Condition) -> bool:
    return "not" in condition.operator.lower()


def _positive(condition: Condition) -> bool:
    """A condition that holds only when its key is present with one of its values (no `Not`, no `IfExists`)."""
    return not _negated(condition) and not condition.operator.lower().endswith("ifexists")


def _passed_to(conditions: tuple[Condition, ...], services: tuple[str, ...]) -> bool:
    """False when `iam:PassedToService` lets the role be passed to none of the services the method needs."""
    for condition in conditions:
        if condition.key.lower() != "iam:passedtoservice":
            continue
        values = [v.lower() for v in condition.values if isinstance(v, str)]
        if len(values) < len(condition.values):
            continue  # a value nhilint could not evaluate: assume it allows
        named = [any(fnmatch.fnmatchcase(s, v) for v in values) for s in services]
        if (not any(named)) if not _negated(condition) else all(named):
            return False
    return True


def _conditional(supply: Supply, key: str) -> bool:
    """Conditions left once the ones the method is known to meet (`iam:PassedToService`, already checked)."""
    settled = "iam:passedtoservice" if key == "iam:passrole" else None
    return bool(supply.limited_by) or any(c.key.lower() != settled for c in supply.statement.conditions)


def _role_action(used: tuple[Used, ...]) -> Used:
    """The iam:PassRole (or sts:AssumeRole) part of a combination."""
    return next(u for u in used if u.action.lower() in ("iam:passrole", "sts:assumerole"))


def _resources(used: Used) -> list[str]:
    return [r for s in used.supplies for r in (("*",) if s.statement.all_resources else s.statement.resources)]


def all_escalations(inventory: Inventory, aws: AwsAnalysis | None = None) -> list[Escalation]:
    """Every escalation of every AWS role and user (the run's Analysis calls this once and keeps the result)."""
    engine = Privesc(inventory, aws)
    subjects = [i for i in engine.analysis.identities() if i.kind in ("role", "user")]
    return [e for identity in subjects for e in engine.escalations(identity)]
