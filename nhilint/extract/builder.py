"""The Builder every extractor writes into: collects model objects, then resolves links in `finish()`.

Extractors see resources one at a time and in no particular order, so a grant can name a role that has not
been seen yet, by reference (`aws_iam_role.ci.name`) or by its literal name (`"ci-deployer"`). Such links
are recorded as pending and resolved once every identity is known.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

from nhilint.config import Settings
from nhilint.extract.lifecycle import CREDENTIAL_INHERITS, FactSource, Origin, comments, inherit, resolve, tag_map
from nhilint.extract.pending import (
    LinkTarget,
    ManagedPolicy,
    OidcProvider,
    PendingAttachment,
    PendingMembership,
    PendingRotation,
    ProfileAlias,
    TimeRotation,
)
from nhilint.extract.references import target_ref
from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.model import (
    Credential,
    Grant,
    Identity,
    Inventory,
    Lifecycle,
    Location,
    Trust,
    TrustPrincipal,
    Unknown,
    Usage,
)
from nhilint.model_inputs import Annotation, Unresolved
from nhilint.values import Ref, ref_marker

__all__ = ["Builder", "LinkTarget", "Pending"]

T = TypeVar("T")
_OIDC_PROVIDER = "oidc-provider/"
_ARN_NAME_RE = re.compile(r"^arn:[^:]+:iam::[^:]*:(role|user|group|policy|instance-profile)/(?:.*/)?([^/]+)$")


@dataclass(slots=True)
class Pending:
    """A link to resolve later: which object, which field, the target and the resource types it may be."""

    collection: list[Any]
    index: int
    field: str
    target: LinkTarget
    types: tuple[str, ...]
    platform: str


@dataclass(slots=True)
class Builder:
    settings: Settings
    annotations: dict[Location, list[Annotation]] = field(default_factory=dict)
    inventory: Inventory = field(default_factory=Inventory)
    by_name: dict[tuple[str, str], str] = field(default_factory=dict)  # (resource type, name) -> id
    by_address: dict[str, str] = field(default_factory=dict)  # address -> id
    instances: dict[str, list[str]] = field(default_factory=dict)  # base address -> ids of its instances
    pending: list[Pending] = field(default_factory=list)
    # AWS links resolved by nhilint.extract.aws_links when a format finishes (each list is consumed there)
    policies: dict[str, ManagedPolicy] = field(default_factory=dict)  # managed policy id -> policy
    unsettled_policies: list[str] = field(default_factory=list)  # ids whose attachments are not resolved yet
    attachments: list[PendingAttachment] = field(default_factory=list)
    memberships: list[PendingMembership] = field(default_factory=list)
    rotations: list[PendingRotation] = field(default_factory=list)
    aliases: list[ProfileAlias] = field(default_factory=list)
    oidc_providers: list[OidcProvider] = field(default_factory=list)
    time_rotations: dict[str, TimeRotation] = field(default_factory=dict)  # time_rotating address -> period
    sides: dict[type[Any], Any] = field(default_factory=dict)  # see side()
    limits: Limits = DEFAULT_LIMITS  # the bounds format parsers read files within

    # -- adding -------------------------------------------------------------------------------------

    def add_identity(self, identity: Identity, resource_type: str) -> Identity:
        self.inventory.identities[identity.id] = identity
        self._index_address(identity.address, identity.id)
        if isinstance(identity.name, str):
            self.by_name[(resource_type, identity.name)] = identity.id
        return identity

    def add_policy(self, policy: ManagedPolicy, resource_type: str) -> None:
        """A managed policy, turned into grants when the format's attachments are resolved."""
        self.policies[policy.id] = policy
        self.unsettled_policies.append(policy.id)
        self.register(policy.address, policy.id, resource_type, policy.name)

    def side(self, kind: type[T]) -> T:
        """A platform's own pending records (a dataclass of typed lists), created empty on first use.

        Platforms whose links are their own (Azure applications, GCP pools, Kubernetes bindings) keep them
        here until their `finish`; the class is the key, so each platform reads back exactly what it wrote.
        """
        found = self.sides.get(kind)
        if found is None:
            found = self.sides[kind] = kind()
        return cast(T, found)

    def register(self, address: str, object_id: str, resource_type: str, name: Any = None) -> None:
        """Make a non-identity object (a policy, a credential) findable by address and name."""
        self._index_address(address, object_id)
        if isinstance(name, str):
            self.by_name[(resource_type, name)] = object_id

    def _index_address(self, address: str, object_id: str) -> None:
        self.by_address[address] = object_id
        if address.endswith("]"):  # aws_iam_role.x["ci"]: also findable as one of aws_iam_role.x
            self.instances.setdefault(address[: address.rindex("[")], []).append(object_id)

    def add_credential(self, credential: Credential, of: LinkTarget, types: tuple[str, ...]) -> None:
        self._append(self.inventory.credentials, credential, "of", of, types, credential.platform)

    def add_grant(self, grant: Grant, principal: LinkTarget, types: tuple[str, ...]) -> None:
        self._append(self.inventory.grants, grant, "principal", principal, types, grant.platform)

    def add_trust(self, trust: Trust, identity: LinkTarget = None, types: tuple[str, ...] = ()) -> None:
        # Resolved strictly (as AWS names are), whatever `trust.platform`: a literal that names no identity of
        # the code is Unknown, and the trust of something outside the code is dropped in `finish`.
        self._append(self.inventory.trusts, trust, "identity", identity, types, "aws")

    def add_usage(self, usage: Usage, identity: LinkTarget, types: tuple[str, ...], platform: str) -> None:
        self._append(self.inventory.usages, usage, "identity", identity, types, platform)

    def _append(
        self, collection: list[Any], item: Any, name: str, target: LinkTarget, types: tuple[str, ...], platform: str
    ) -> None:
        collection.append(item)
        if target is not None:
            self.pending.append(Pending(collection, len(collection) - 1, name, target, types, platform))

    def unresolved(self, what: str, reason: str, location: Location) -> None:
        self.inventory.unresolved.append(Unresolved(what, reason, location))

    # -- lifecycle ----------------------------------------------------------------------------------

    def lifecycle(
        self,
        block: Location,
        tags: Any = None,
        tag_source: str = "tag",
        default_tags: tuple[Any, Location] | None = None,
        tags_at: Location | None = None,
        tag_origin: Origin = Origin.OWN,
    ) -> Lifecycle:
        """Owner, purpose, expiry and retire-on of a block, by the one precedence (`extract.lifecycle`)."""
        return resolve(self.fact_sources(block, tags, tag_source, default_tags, tags_at, tag_origin))

    def fact_sources(
        self,
        block: Location,
        tags: Any = None,
        tag_source: str = "tag",
        default_tags: tuple[Any, Location] | None = None,
        tags_at: Location | None = None,
        tag_origin: Origin = Origin.OWN,
    ) -> list[FactSource]:
        """The block's `# nhilint:` comments, its tags (own or from a module input), provider default_tags."""
        keys = self.settings.lifecycle_keys
        sources = [
            comments(self.annotations.get(block, ())),
            tag_map(tags, keys, tag_source, tags_at or block, tag_origin),
        ]
        if default_tags is not None:
            sources.append(tag_map(default_tags[0], keys, "default_tags", default_tags[1], Origin.DEFAULT_TAGS))
        return sources

    # -- resolving ----------------------------------------------------------------------------------

    def lookup_address(self, address: str) -> str | Unknown | None:
        """The id registered for an address, or its only instance; Unknown when several instances match."""
        found = self.by_address.get(address)
        if found is not None:
            return found
        several = self.instances.get(address, [])
        if len(several) > 1:
            return Unknown(f"{address} has {len(several)} instances; which one is not known")
        return several[0] if several else None

    def resolve(self, target: LinkTarget, types: tuple[str, ...], platform: str) -> str | Unknown | None:
        """An identity/object id for a Ref, a literal name or ARN; Unknown when it is not in the code."""
        if target is None:
            return None
        if isinstance(target, Unknown):
            return target
        if isinstance(target, str):
            target = ref_marker(target) or target
        if isinstance(target, Ref):
            found = self.lookup_address(target.address)
            return found if found is not None else Unknown(f"{target.address} is not in the scanned code")
        name = target
        match = _ARN_NAME_RE.match(target)
        if match:
            name = match.group(2)
        for type_ in types:
            found = self.by_name.get((type_, name))
            if found:
                return found
        return (
            target
            if platform != "aws" or target.startswith("arn:")
            else Unknown(f"{target!r} is not created in the scanned code")
        )

    def finish(self) -> Inventory:
        dropped: dict[int, set[int]] = defaultdict(set)
        for item in self.pending:
            resolved = self.resolve(item.target, item.types, item.platform)
            current = item.collection[item.index]
            if isinstance(resolved, Unknown):
                if item.field == "of":
                    updated = replace(current, of=resolved)
                elif item.field == "principal":
                    updated = replace(current, principal=None, unknown=current.unknown or resolved.reason)
                else:  # a usage or trust of something outside the scanned code says nothing about ours
                    dropped[id(item.collection)].add(item.index)
                    continue
            else:
                updated = replace(current, **{item.field: resolved})
            item.collection[item.index] = updated
        for collection in (self.inventory.usages, self.inventory.trusts):
            gone = dropped.get(id(collection))
            if gone:
                kept: list[Any] = [x for i, x in enumerate(collection) if i not in gone]
                collection[:] = kept
        self._type_references()
        self._inherit_lifecycle()
        return self.inventory

    def _type_references(self) -> None:
        """Grant resources and trust principals that are references become TargetRefs naming their identity."""
        identities = {i.address: i.id for i in self.inventory.identities.values()}

        def typed(text: str) -> str:
            found = target_ref(text) if text.startswith("${") else None
            return found.resolved(identities.get(found.address)) if found is not None else text

        grants = self.inventory.grants
        for index, grant in enumerate(grants):
            if any(s.startswith("${") for s in grant.scope):
                grants[index] = replace(grant, scope=tuple(typed(s) for s in grant.scope))
        trusts = self.inventory.trusts
        for index, trust in enumerate(trusts):
            principals = tuple(_typed_principal(p, typed) for p in trust.principals)
            if any(new is not old for new, old in zip(principals, trust.principals, strict=True)):  # TargetRef == text
                trusts[index] = replace(trust, principals=principals)

    def _inherit_lifecycle(self) -> None:
        """A credential takes what it lacks of its identity's owner, purpose and retire-on (the last source)."""
        identities = self.inventory.identities
        for index, credential in enumerate(self.inventory.credentials):
            parent = identities.get(credential.of) if isinstance(credential.of, str) else None
            if parent is None:
                continue
            lifecycle = inherit(credential.lifecycle, parent, CREDENTIAL_INHERITS)
            if lifecycle is not credential.lifecycle:
                self.inventory.credentials[index] = replace(credential, lifecycle=lifecycle)


def _typed_principal(principal: TrustPrincipal, typed: Callable[[str], str]) -> TrustPrincipal:
    """A reference becomes a TargetRef; an OIDC provider ARN (`…:oidc-provider/<issuer>`) names its issuer."""
    identifier = principal.identifier
    if not isinstance(identifier, str):
        return principal
    if identifier.startswith("${"):
        principal = replace(principal, identifier=typed(identifier))
    if principal.type == "Federated" and principal.provider is None and _OIDC_PROVIDER in identifier:
        principal = replace(principal, provider=identifier.split(_OIDC_PROVIDER, 1)[1])
    return principal
