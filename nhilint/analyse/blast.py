"""Blast radius: what each identity reaches directly, which identities it can become, and what those reach.

A credential leak is as bad as everything the identity can get to, and an identity that can assume,
pass or impersonate others gets to theirs too. Computed once per run from the model alone (any format):

- Direct reach, from the identity's Allow grants: AWS actions expanded with the IAM catalog into services
  and access levels (`*` and NotAction count as every service at every level; Deny statements and
  conditions are not subtracted, so this is an upper bound); AWS managed policies (whose content is not in
  the code), GCP, Azure and Kubernetes roles by name as written; scopes and resource ARNs as written. An
  AWS user also reaches what its groups' policies allow.
- Edges to other identities in the scan:
  AWS — a role whose trust names the identity (its ARN by reference, or `role/NAME` / `user/NAME` by name:
  two roles of the same name in different accounts are both matched); a role whose trust admits an
  account root when the identity is allowed `sts:AssumeRole` on that role by name or ARN; a role the
  identity may pass (`iam:PassRole` on its ARN or a name pattern).
  GCP — a service account the identity may impersonate (TokenCreator, ServiceAccountUser, KeyAdmin,
  WorkloadIdentityUser… see `analyse/cloud_roles.py`), on the account or on its whole project.
  Kubernetes — a ServiceAccount annotated with a cloud identity (the Usage edges of `extract/links.py`).
  AI agents — the identity an agent runs as, and the identity of each tool it calls (its Usages).
- `iam:PassRole` or `sts:AssumeRole` on `*` (or `role/*`), and GCP impersonation on a folder or
  organization, are recorded as one unbounded entry (`*`) instead of an edge to every role in the scan:
  such a grant reaches roles outside the code as well, and listing thousands of them says nothing more.

Routes are found breadth-first (the shortest path to each identity), cycle-safe; each is computed once
and cached, so the whole inventory costs one traversal per identity over a sparse graph.
"""

from __future__ import annotations

import fnmatch
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from nhilint.analyse.cloud_roles import gcp_can_become, gcp_permissions, gcp_role, gcp_role_label
from nhilint.analyse.k8s import WORKLOAD_IDENTITY_ANNOTATIONS
from nhilint.gc_pause import paused_gc
from nhilint.iam import catalog
from nhilint.model import Grant, Identity, Inventory, Location, TargetRef

ALL_LEVELS = frozenset(catalog.ACCESS_LEVELS)
LETTERS = {"List": "L", "Read": "R", "Write": "W", "Tagging": "T", "Permissions management": "P"}
UNBOUNDED = "*"
_ARN_RE = re.compile(r"^arn:[^:]*:iam::[^:]*:(role|user)/(?:.*/)?([^/]+)$")
_ROOT_RE = re.compile(r"(^\d{12}$)|(:root$)")


@dataclass(slots=True)
class Reach:
    """Services with access levels (AWS), roles as written (others), and resources or scopes as written."""

    services: dict[str, set[str]] = field(default_factory=dict)
    roles: set[str] = field(default_factory=set)
    resources: set[str] = field(default_factory=set)

    def merge(self, other: Reach) -> None:
        for service, levels in other.services.items():
            self.services.setdefault(service, set()).update(levels)
        self.roles.update(other.roles)
        self.resources.update(other.resources)

    def as_dict(self) -> dict[str, Any]:
        return {
            "services": {s: sorted(v, key=catalog.ACCESS_LEVELS.index) for s, v in sorted(self.services.items())},
            "roles": sorted(self.roles),
            "resources": sorted(self.resources),
        }

    def summary(self, limit: int = 4) -> str:
        """`s3:LRW iam:P roles/viewer +3` (List, Read, Write, Tagging, Permissions management): the text form."""
        parts = [
            f"{s}:{''.join(LETTERS[lv] for lv in catalog.ACCESS_LEVELS if lv in v)}"
            for s, v in sorted(self.services.items())
        ]
        parts += sorted(self.roles)
        shown = " ".join(parts[:limit])
        return (shown + (f" +{len(parts) - limit}" if len(parts) > limit else "")) or "-"


@dataclass(frozen=True, slots=True)
class Edge:
    """`source` can become `target` (an identity id, or `*` for any role) because of `how`, written at `location`."""

    source: str
    target: str
    how: str
    location: Location

    def __str__(self) -> str:
        return f"{self.location}: {self.how}"


@dataclass(frozen=True, slots=True)
class Route:
    """The shortest chain of edges from an identity to one it can become."""

    target: str
    edges: tuple[Edge, ...]

    @property
    def path(self) -> list[str]:
        return [self.edges[0].source, *(e.target for e in self.edges)] if self.edges else [self.target]

    @property
    def unbounded(self) -> bool:
        """Whether it ends in `*`: any role, in the scan or not (an unbounded PassRole or AssumeRole)."""
        return self.target == UNBOUNDED

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.target, "path": self.path, "via": [str(e) for e in self.edges]}


@dataclass(slots=True)
class BlastRadius:
    direct: dict[str, Reach]
    edges: dict[str, list[Edge]]
    _routes: dict[str, list[Route]] = field(default_factory=dict)
    _reach: dict[str, Reach] = field(default_factory=dict)

    def routes(self, identity_id: str) -> list[Route]:
        """Every identity `identity_id` can become (and unbounded `*` entries), shortest route first found."""
        cached = self._routes.get(identity_id)
        if cached is not None:
            return cached
        found: list[Route] = []
        seen = {identity_id}
        queue: deque[tuple[str, tuple[Edge, ...]]] = deque([(identity_id, ())])
        while queue:
            node, chain = queue.popleft()
            for edge in self.edges.get(node, ()):
                if edge.target == UNBOUNDED:
                    found.append(Route(UNBOUNDED, (*chain, edge)))
                elif edge.target not in seen:
                    seen.add(edge.target)
                    route = Route(edge.target, (*chain, edge))
                    found.append(route)
                    queue.append((edge.target, route.edges))
        self._routes[identity_id] = found
        return found

    def reach(self, identity_id: str) -> Reach:
        """What the identity reaches directly and through every identity it can become."""
        cached = self._reach.get(identity_id)
        if cached is not None:
            return cached
        total = Reach()
        total.merge(self.direct.get(identity_id, Reach()))
        for route in self.routes(identity_id):
            if route.target != UNBOUNDED:
                total.merge(self.direct.get(route.target, Reach()))
        self._reach[identity_id] = total
        return total


def compute(inventory: Inventory, eager: bool = False) -> BlastRadius:
    """Direct reach and edges for every identity; with `eager`, every route and total reach too.

    The cyclic garbage collector is paused meanwhile: these are many small acyclic objects next to a large
    inventory, and collections triggered here would rescan the whole inventory (15x the work itself).
    """
    with paused_gc():
        blast = _compute(inventory)
        if eager:
            for identity_id in inventory.identities:
                blast.reach(identity_id)
        return blast


def _compute(inventory: Inventory) -> BlastRadius:
    identities = inventory.identities
    grants: dict[str, list[Grant]] = {}
    for grant in inventory.grants:
        if grant.principal in identities and grant.effect == "Allow":
            grants.setdefault(grant.principal, []).append(grant)
    levels: dict[str, tuple[str, frozenset[str]] | None] = {}
    direct = {i: _direct(g, levels) for i, g in grants.items()}
    for identity_id, held in grants.items():  # an AWS user reaches what its groups allow
        for grant in held:
            if grant.permission_type == "group" and grant.permissions[0] in direct:
                direct[identity_id].merge(direct[grant.permissions[0]])
    edges: dict[str, list[Edge]] = {}
    for edge in [
        *_aws_edges(inventory, grants),
        *_gcp_edges(inventory, grants),
        *_k8s_edges(inventory),
        *_agent_edges(inventory),
    ]:
        if edge.source != edge.target:
            edges.setdefault(edge.source, []).append(edge)
    return BlastRadius(direct, edges)


def _direct(grants: list[Grant], levels: dict[str, tuple[str, frozenset[str]] | None]) -> Reach:
    reach = Reach()
    for grant in grants:
        if grant.permission_type == "action":
            for pattern in ("*",) if grant.not_actions else grant.permissions:
                if pattern not in levels:
                    levels[pattern] = _levels(pattern)
                found = levels[pattern]
                if found is not None:
                    reach.services.setdefault(found[0], set()).update(found[1])
            reach.resources.update(grant.scope)
            if grant.not_resources:
                reach.resources.add("*")
        elif grant.permission_type == "managed_policy":
            reach.roles.update(p.rsplit("/", 1)[-1] for p in grant.permissions)
        elif grant.permission_type == "k8s_rule":  # `get,list pods` rules as written
            reach.roles.update(grant.permissions)
            reach.resources.update(grant.scope)
        elif grant.permission_type != "group" and grant.permissions:  # a custom role's own list follows its name
            reach.roles.add(grant.permissions[0])
            reach.resources.update(grant.scope)
    return reach


def _levels(pattern: str) -> tuple[str, frozenset[str]] | None:
    """(service, access levels) of an action pattern; `*` for every service; None when it matches nothing."""
    if pattern == "*" or ":" not in pattern:
        return (UNBOUNDED, ALL_LEVELS) if pattern == "*" else None
    service = pattern.split(":", 1)[0].lower()
    actions = catalog.expand(pattern)
    if actions is None:
        return service, ALL_LEVELS  # a service the catalog does not know, or a wildcard service
    found = frozenset(level for a in actions for level in a.levels)
    return (service, found) if found else None


# -- AWS -------------------------------------------------------------------------------------------


def _allows(grant: Grant, action: str) -> bool:
    if grant.permission_type != "action":
        return False
    matched = any(fnmatch.fnmatchcase(action, p.lower()) for p in grant.permissions)
    return not matched if grant.not_actions else matched


def _aws_edges(inventory: Inventory, grants: dict[str, list[Grant]]) -> list[Edge]:
    roles: dict[str, list[Identity]] = {}
    by_name: dict[tuple[str, str], list[str]] = {}
    for identity in inventory.identities.values():
        if identity.platform == "aws" and identity.kind in ("role", "user") and isinstance(identity.name, str):
            by_name.setdefault((identity.kind, identity.name), []).append(identity.id)
            if identity.kind == "role":
                roles.setdefault(identity.name, []).append(identity)
    edges: list[Edge] = []
    assumers: list[tuple[str, str, Grant]] = []  # (identity, resource pattern, grant) for sts:AssumeRole
    for source, held in grants.items():
        for grant in held:
            if _allows(grant, "iam:passrole"):
                edges.extend(_targets(source, grant, "iam:PassRole", roles))
            if _allows(grant, "sts:assumerole"):
                assumers.extend((source, r, grant) for r in grant.scope)
    for trust in inventory.trusts:
        if trust.effect != "Allow" or trust.identity not in inventory.identities:
            continue
        for principal in trust.principals:
            text = principal.identifier
            if principal.type != "AWS" or not isinstance(text, str):
                continue
            named = _named(text, by_name)
            edges.extend(Edge(s, trust.identity, "sts:AssumeRole (trusted)", trust.location) for s in named)
            if _ROOT_RE.search(text):
                role = inventory.identities[trust.identity]
                edges.extend(
                    Edge(s, role.id, "sts:AssumeRole (account trusted, allowed by policy)", g.location)
                    for s, pattern, g in assumers
                    if _names_role(pattern, role)
                )
    for source, pattern, grant in assumers:
        if _any_role(pattern):
            edges.append(Edge(source, UNBOUNDED, f"sts:AssumeRole on {pattern}", grant.location))
    return edges


def _named(text: str, by_name: dict[tuple[str, str], list[str]]) -> list[str]:
    """Identities a trust principal names: by reference, or by role/user ARN."""
    if isinstance(text, TargetRef):
        return [text.identity] if text.identity else []
    match = _ARN_RE.match(text)
    return by_name.get((match.group(1), match.group(2)), []) if match else []


def _any_role(pattern: str) -> bool:
    return pattern == "*" or pattern.endswith(":role/*") or pattern.endswith(":*")


def _names_role(pattern: str, role: Identity) -> bool:
    """Whether a resource pattern names this role (not merely every role)."""
    if _any_role(pattern):
        return False
    if isinstance(pattern, TargetRef):
        return pattern.identity == role.id
    name = pattern.split(":role/", 1)[1].rsplit("/", 1)[-1] if ":role/" in pattern else None
    return name is not None and isinstance(role.name, str) and fnmatch.fnmatchcase(role.name, name)


def _targets(source: str, grant: Grant, how: str, roles: dict[str, list[Identity]]) -> list[Edge]:
    found: list[Edge] = []
    for pattern in grant.scope or ("*",):
        if grant.not_resources or _any_role(pattern):
            found.append(Edge(source, UNBOUNDED, f"{how} on {pattern}", grant.location))
            continue
        if isinstance(pattern, TargetRef):
            target = pattern.identity
            found.extend([Edge(source, target, how, grant.location)] if target else [])
            continue
        if ":role/" not in pattern:
            continue
        name = pattern.split(":role/", 1)[1].rsplit("/", 1)[-1]
        candidates = (
            roles.get(name, [])
            if not any(c in name for c in "*?[")
            else [r for n, rs in roles.items() if fnmatch.fnmatchcase(n, name) for r in rs]
        )
        found.extend(Edge(source, r.id, how, grant.location) for r in candidates)
    return found


# -- GCP and Kubernetes ----------------------------------------------------------------------------


def _gcp_edges(inventory: Inventory, grants: dict[str, list[Grant]]) -> list[Edge]:
    accounts: dict[str, list[str]] = {}  # project -> in-code service accounts (by their email)
    for identity in inventory.identities.values():
        email = identity.attribute("email") if identity.platform == "gcp" else None
        if email and email.endswith(".iam.gserviceaccount.com"):
            accounts.setdefault(email.split("@", 1)[1].split(".", 1)[0], []).append(identity.id)
    on_account = {(t.via, t.block): t.identity for t in inventory.trusts if t.identity in inventory.identities}
    edges: list[Edge] = []
    for source, held in grants.items():
        for grant in held:
            role = gcp_role(grant)
            if role is None or not gcp_can_become(gcp_permissions(grant)):
                continue
            how = f"{gcp_role_label(role)} on "
            for scope in grant.scope:
                kind, _, where = scope.partition("/")
                if kind == "serviceAccount":
                    target = on_account.get((grant.via, grant.block))
                    if target:
                        edges.append(Edge(source, target, how + "it", grant.location))
                elif kind == "project" and where in accounts:
                    edges.extend(Edge(source, t, how + scope, grant.location) for t in accounts[where])
                elif kind in ("folder", "organization"):
                    edges.append(Edge(source, UNBOUNDED, how + scope, grant.location))
    return edges


def _k8s_edges(inventory: Inventory) -> list[Edge]:
    """ServiceAccount -> the cloud identity its annotation names (Pods running as it get that identity)."""
    by_address = {i.address: i.id for i in inventory.identities.values() if i.platform == "kubernetes"}
    edges = []
    for usage in inventory.usages:
        source = by_address.get(usage.workload)
        annotation = usage.link if usage.link in WORKLOAD_IDENTITY_ANNOTATIONS else None
        if source and annotation:
            edges.append(Edge(source, usage.identity, f"workload identity ({annotation})", usage.location))
    return edges


def _agent_edges(inventory: Inventory) -> list[Edge]:
    """AI agent -> the identity it runs as and the identities its tools run as (it acts with all of them)."""
    agents = {i.address: i.id for i in inventory.identities.values() if i.kind == "ai_agent"}
    edges = []
    for usage in inventory.usages:
        source = agents.get(usage.workload)
        if source:
            tool = usage.attribute("tool")
            how = f"through tool {tool}" if tool else "runs as"
            edges.append(Edge(source, usage.identity, how, usage.location))
    return edges
