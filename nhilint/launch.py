"""The `nhilint` program's first lines: the cyclic garbage collector waits while the command is imported.

Importing the command creates about a hundred dataclasses and thousands of functions and code objects, all
kept for the life of the process; a collection triggered meanwhile rescans everything imported so far, again
and again (about 5% of a pre-commit run). Once imported they are frozen out of the collector's view
(`gc.freeze`), and collection resumes for the run itself. `nhilint.cli.main` stays the entry for tests and
embedding: it changes nothing about the collector.
"""

from __future__ import annotations

import gc


def entry() -> None:
    """The console script and `python -m nhilint`: import the command with the collector paused, then run it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        from nhilint.cli import entry as run
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    run()
