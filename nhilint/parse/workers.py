"""Worker processes for the parsers of large scans: forked where the platform can, so a worker starts with
the parent's imports and memos instead of importing nhilint again. Imported cheaply: the process machinery
is loaded only when a pool is made."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


def cpus() -> int:
    """How many processes parsing may use (at most 8: beyond that, results arrive faster than they are used)."""
    return min(os.cpu_count() or 1, 8)


@contextmanager
def process_pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of `jobs` worker processes, shut down (and waited for) when the block ends."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    start = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(start)) as pool:
        yield pool
