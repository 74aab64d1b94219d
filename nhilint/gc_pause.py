"""One switch for the cyclic garbage collector, paused while a stage builds many acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic GC for the block, then restore it as it was (nested blocks are fine).

    Parse trees, inventories and analysis results are large and acyclic: collections triggered while they
    are built rescan everything built so far, over and over (a quarter of a big scan, and 15 times the work
    of the blast radius itself). Reference counting still frees what is dropped meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
