"""Per-inventory memoisation for analyses that rules share: computed on first use, once per scan."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Generic, TypeVar

from nhilint.model import Inventory

T = TypeVar("T")


class InventoryMemo(Generic[T]):
    """One value per inventory, computed on first use.

    Rules receive only the inventory, so per-run analysis is memoised here, keyed by the inventory object
    itself (identity, not equality: inventories are large and mutable). Only the last `size` are kept (rules
    run over one inventory at a time), so a long-lived process (tests, audits over many repositories) does
    not hold on to old scans.
    """

    def __init__(self, factory: Callable[[Inventory], T], size: int = 1) -> None:
        self._factory = factory
        self._size = size
        self._items: list[tuple[Inventory, T]] = []

    def __call__(self, inventory: Inventory) -> T:
        for known, value in self._items:
            if known is inventory:
                return value
        enabled = gc.isenabled()
        gc.disable()  # many small acyclic objects: the cyclic GC would rescan the whole inventory each time
        try:
            value = self._factory(inventory)
        finally:
            if enabled:
                gc.enable()
        self._items.insert(0, (inventory, value))
        del self._items[self._size :]
        return value
