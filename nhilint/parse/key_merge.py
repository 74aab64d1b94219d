"""How a reader names the place of a key, and resolves a key written twice: shared by the YAML reader
(`yamlmarks`) and the merges of the formats (`policy_merge`, CloudFormation, Kubernetes), in a module of its
own so that a merge does not import the YAML reader (JSON policy text is read without it when it can be).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nhilint.values import LDict

KeyPath = tuple[str | int, ...]
Merge = Callable[[KeyPath, LDict, dict[str, list[Any]]], dict[str, str]]
"""Resolve the repeated keys of one mapping: (path of the mapping, the mapping holding each key's last
value, every value of each repeated key in order) -> how each key was resolved, for the report. The merge
sets the values it keeps in the mapping; `keep_both` adds the repeats under suffixed keys."""


def last_wins(path: KeyPath, mapping: LDict, repeated: dict[str, list[Any]]) -> dict[str, str]:
    """What PyYAML, json.loads and kubectl do: the last value stays (reported all the same)."""
    return {key: "the last value is used" for key in repeated}
