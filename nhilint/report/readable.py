"""Inventory outputs as readers see them: the evaluator's symbols in words, ids untouched.

The inventory holds values as the evaluator wrote them (`arn:aws:iam::${current_account}:root`); findings
already show `<this account>` (nhilint.values.readable_symbols) and the inventory outputs show the same. Ids
are left as they are, so an identity is matched by the same id in a finding, a baseline and the inventory.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar

from nhilint.values import readable_symbols

# The keys of the inventory documents whose values are ids (of identities, credentials, documents).
ID_KEYS: Final = frozenset({"id", "identity", "principal", "credential", "document", "attached_to", "agent"})

T = TypeVar("T")


def readable(obj: T) -> T:
    """`obj` (a JSON-like document or table rows) with every string but the values of `ID_KEYS` readable."""
    result: T = _walk(obj)
    return result


def _walk(obj: Any) -> Any:
    if isinstance(obj, str):
        return readable_symbols(obj)
    if isinstance(obj, dict):
        return {key: value if key in ID_KEYS else _walk(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_walk(item) for item in obj]
    return obj
