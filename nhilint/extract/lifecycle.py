"""Owner, purpose, expiry and retire-on: one resolver, one precedence, fed by every format.

Each format lists what it knows about a subject as fact sources (an inline comment, its own tags, labels or
Metadata, a module input, provider `default_tags`, its parent identity) and `resolve` picks, fact by fact,
the first source in `PRECEDENCE` that gives one. Sources of the same origin keep the order the format gives
(CloudFormation `Tags` before `Metadata.nhilint`, Entra `tags` before `owners`). The most specific wins: a
comment written on the block for nhilint, then what the resource itself carries, then what it receives from
around it. Tags that cannot be evaluated still count, as an unknown fact: nhilint says it could not read
the owner rather than fall through to a default the code may override.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from nhilint.model import Fact, Identity, Lifecycle, Location
from nhilint.model_inputs import Annotation
from nhilint.values import LDict, Ref, Unknown, to_text

FACT_NAMES: tuple[str, ...] = ("owner", "purpose", "expires", "retire_on")
_VERBS = {name.replace("_", "-"): name for name in FACT_NAMES}  # `# nhilint:retire-on …` -> retire_on
# What a credential takes from its identity: a key's expiry is its own (`Credential.expires`), not its user's.
CREDENTIAL_INHERITS: tuple[str, ...] = ("owner", "purpose", "retire_on")


class Origin(Enum):
    """Where a lifecycle fact can come from."""

    COMMENT = "inline `# nhilint:owner …` comment on or inside the block"
    OWN = "the subject's own tags, labels and annotations, CloudFormation Metadata.nhilint, Entra owners"
    MODULE_INPUT = "tags passed in through a module input"
    DEFAULT_TAGS = "provider default_tags"
    PARENT = "the parent identity (a key's user, a service principal's application)"


# The precedence, written once (and in the README, "Lifecycle facts"): the first origin that gives a fact wins.
PRECEDENCE: tuple[Origin, ...] = (
    Origin.COMMENT,
    Origin.OWN,
    Origin.MODULE_INPUT,
    Origin.DEFAULT_TAGS,
    Origin.PARENT,
)
_RANK = {origin: rank for rank, origin in enumerate(PRECEDENCE)}

# Where a fact found under `key` of `mapping` points: the key's line, the mapping's, the block's.
Where = Callable[[Any, str], Location]


@dataclass(frozen=True, slots=True)
class FactSource:
    """The facts one source gives (fact name -> Fact), and its origin."""

    origin: Origin
    facts: Mapping[str, Fact] = field(default_factory=dict)


def resolve(sources: Iterable[FactSource]) -> Lifecycle:
    """Each fact from the first source, in `PRECEDENCE` order, that gives it."""
    ranked = sorted(sources, key=lambda source: _RANK[source.origin])  # stable: one origin keeps its order
    return Lifecycle(**{name: next((s.facts[name] for s in ranked if name in s.facts), None) for name in FACT_NAMES})


def inherit(lifecycle: Lifecycle, parent: Identity, names: Sequence[str] = FACT_NAMES) -> Lifecycle:
    """Fill what a subject lacks from its parent identity, known only once every identity is linked.

    PARENT ranks below every other origin, so a lifecycle already resolved from the subject's own sources
    only gains the facts it does not have.
    """
    updates: dict[str, Fact] = {}
    for name in names:
        fact = parent.lifecycle.get(name)
        if fact is not None and lifecycle.get(name) is None:
            updates[name] = Fact(fact.value, f"parent:{parent.id}", fact.location)
    return replace(lifecycle, **updates) if updates else lifecycle


# -- sources ---------------------------------------------------------------------------------------


def comments(notes: Iterable[Annotation]) -> FactSource:
    """`# nhilint:owner team-x`, `# nhilint:retire-on …` on or inside the block (the first of each verb)."""
    facts: dict[str, Fact] = {}
    for note in notes:
        name = _VERBS.get(note.verb)
        if name is not None and name not in facts:
            facts[name] = Fact(note.text, "comment", note.location)
    return FactSource(Origin.COMMENT, facts)


def keyed(
    holders: Sequence[tuple[str, Any]],
    keys: Mapping[str, Sequence[str]],
    where: Where,
    origin: Origin = Origin.OWN,
) -> FactSource:
    """Facts from mappings (tags; annotations then labels), by each fact's keys in order, case-insensitively.

    `holders` are (label, mapping) pairs: for each key the first holder that has it wins, and the fact's
    source is `<label>:<key as written>`. Holders that are not mappings are skipped.
    """
    indexed = [(label, holder, _lowered(holder)) for label, holder in holders if isinstance(holder, Mapping)]
    facts: dict[str, Fact] = {}
    for name in FACT_NAMES:
        for key in keys.get(name, ()):
            found = next(((label, holder, index) for label, holder, index in indexed if key.lower() in index), None)
            if found is not None:
                label, holder, index = found
                original = index[key.lower()]
                facts[name] = Fact(to_text(holder[original]), f"{label}:{original}", where(holder, original))
                break
    return FactSource(origin, facts)


def unevaluated(value: Unknown | Ref, label: str, location: Location, origin: Origin = Origin.OWN) -> FactSource:
    """Tags (or labels) written but not evaluated: every fact is unknown, with the reason."""
    reason = value.reason if isinstance(value, Unknown) else f"{value} is known only after apply"
    unknown = Fact(Unknown(f"tags could not be evaluated: {reason}"), label, location)
    return FactSource(origin, dict.fromkeys(FACT_NAMES, unknown))


def tag_map(
    value: Any, keys: Mapping[str, Sequence[str]], label: str, location: Location, origin: Origin = Origin.OWN
) -> FactSource:
    """A tag map (Terraform `tags`, `default_tags`): each fact points at the map's line, else `location`."""
    if isinstance(value, Unknown | Ref):
        return unevaluated(value, label, location, origin)

    def where(mapping: Any, key: str) -> Location:
        line = mapping.line if isinstance(mapping, LDict) and mapping.line else location.start_line
        return Location(location.path, line, line) if line else location

    return keyed([(label, value)], keys, where, origin)


def given(origin: Origin, **facts: Fact | None) -> FactSource:
    """Facts a format reads itself (Entra `owners`)."""
    return FactSource(origin, {name: fact for name, fact in facts.items() if fact is not None})


def _lowered(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    """Lowercased key -> key as written (the last spelling wins, as it always has)."""
    return {str(key).lower(): key for key in mapping}
