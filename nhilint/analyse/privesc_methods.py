"""The AWS privilege-escalation methods nhilint knows, loaded from the catalogue shipped as package data.

The methods are data in `nhilint/data/escalation/aws.yaml` (GCP and Azure beside it), the one place to add
or change a method: each names its actions, the conditions that defeat it and the published catalogue
entries it covers (Rhino Security Labs, Datadog's pathfinding.cloud, NCC Group's PMapper). Each file is
read once, when first asked for. `schema.json` beside it describes the files and the test suite validates
each against it (importing jsonschema costs a scan ~0.3 s); at run time a missing key is an internal error
at the first scan, never a silently shorter list.

Each method is a full combination of actions: every need must be met, and a need lists alternatives
(`lambda:InvokeFunction` or `lambda:CreateEventSourceMapping`). `passes_to` names the service principals a
passed role must trust for the method to work; `follow` says which role-valued action the analysis follows
into the roles of the scanned code (nhilint.analyse.privesc).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from nhilint import data_memo

_DATA_PACKAGE = "nhilint.data"


@dataclass(frozen=True, slots=True)
class Method:
    name: str
    summary: str
    needs: tuple[tuple[str, ...], ...]  # every need must be met; a need lists alternative actions
    passes_to: tuple[str, ...] = ()  # service principals the passed role must trust (iam:PassRole methods)
    follow: str | None = None  # "pass": follow iam:PassRole into roles; "assume": follow sts:AssumeRole chains
    id: str = ""
    admin_equivalent: bool = False  # on every resource, the holder can grant itself any permission
    sources: tuple[str, ...] = ()  # catalogue entries (`pathfinding:iam-001`) the method covers


@dataclass(frozen=True, slots=True)
class AwsCatalogue:
    methods: tuple[Method, ...]
    targets: dict[str, str]  # lower-case action -> the resource type it must reach
    self_harmless: frozenset[str]  # lower-case actions that gain nothing when limited to the identity itself

    @property
    def assume(self) -> Method:
        return next(m for m in self.methods if m.follow == "assume")

    @property
    def services(self) -> frozenset[str]:
        return frozenset(a.split(":")[0].lower() for m in self.methods for need in m.needs for a in need)


@cache
def catalogue_data(platform: str) -> dict[str, Any]:
    """The raw catalogue of one platform (`aws`, `gcp`, `azure`); tests validate it against `schema.json`."""
    from nhilint.package_data import read_text  # only when a catalogue is first read

    text = read_text(_DATA_PACKAGE, "escalation", f"{platform}.yaml")
    data = data_memo.yaml(text, data_memo.package_directory(), data_memo.safe_yaml)
    if not isinstance(data, dict) or not isinstance(data.get("methods"), list):
        raise TypeError(f"escalation catalogue {platform}.yaml has no list of methods")
    return data


@cache
def aws() -> AwsCatalogue:
    """The AWS methods that nhilint reports (those listed `detected: false` are documentation only)."""
    data = catalogue_data("aws")
    methods = tuple(
        Method(
            name=m["name"],
            summary=m["summary"],
            needs=tuple(tuple(need) for need in m["needs"]),
            passes_to=tuple(m.get("passes_to", ())),
            follow=m.get("follow"),
            id=m["id"],
            admin_equivalent=bool(m.get("admin_equivalent", False)),
            sources=tuple(m["sources"]),
        )
        for m in data["methods"]
        if m.get("detected", True) and m.get("static", True)
    )
    targets = {action.lower(): kind for action, kind in data.get("targets", {}).items()}
    harmless = frozenset(a.lower() for a in data.get("self_harmless", ()))
    return AwsCatalogue(methods, targets, harmless)


# Resource type -> (ARN service, resource prefix): how an ARN of that type is written. A reference names its
# kind itself (`TargetRef.kind`, from the table in nhilint.extract.references).
TARGET_TYPES: dict[str, tuple[str, str]] = {
    "role": ("iam", "role/"),
    "user": ("iam", "user/"),
    "group": ("iam", "group/"),
    "policy": ("iam", "policy/"),
    "function": ("lambda", "function:"),
}


_LAZY = frozenset({"METHODS", "TARGETS", "ASSUME", "SELF_HARMLESS", "METHOD_SERVICES"})
if TYPE_CHECKING:  # what __getattr__ answers
    METHODS: tuple[Method, ...]
    TARGETS: dict[str, str]
    ASSUME: Method
    SELF_HARMLESS: frozenset[str]
    METHOD_SERVICES: frozenset[str]


def __getattr__(name: str) -> Any:
    """`METHODS`, `TARGETS`, `ASSUME`, `SELF_HARMLESS`, `METHOD_SERVICES`: the catalogue, read on first use.

    Any other name fails before the catalogue is read: `from nhilint.analyse.privesc_methods import x` asks
    for `__path__`, and answering that must not parse the YAML (the importing scan may have no AWS grant)."""
    if name not in _LAZY:
        raise AttributeError(name)
    catalogue = aws()
    values = {
        "METHODS": catalogue.methods,
        "TARGETS": catalogue.targets,
        "ASSUME": catalogue.assume,
        "SELF_HARMLESS": catalogue.self_harmless,
        "METHOD_SERVICES": catalogue.services,
    }
    if name in values:
        return values[name]
    raise AttributeError(name)
