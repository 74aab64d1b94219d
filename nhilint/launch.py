"""The `nhilint` program's first and last lines: the command is imported with the cyclic garbage collector
paused, and the process ends without tearing the interpreter down.

Importing the command creates about a hundred dataclasses and thousands of functions and code objects, all
kept for the life of the process; a collection triggered meanwhile rescans everything imported so far, again
and again (about 5% of a pre-commit run). Once imported they are frozen out of the collector's view
(`gc.freeze`), and collection resumes for the run itself. At the end, freeing every module and object one by
one costs a run 10-20 ms that nobody waits for: the output is flushed, the exit handlers run (temporary
directories, pools), and the process exits with the command's code. `nhilint.cli.main` stays the entry for
tests and embedding: it changes neither the collector nor how the process ends.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

_FLUSH_FAILED = 120  # what Python itself exits with when flushing the standard streams fails at exit


def entry() -> None:
    """The console script and `python -m nhilint`."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        from nhilint.cli import main
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    leave(main())


def leave(code: int) -> None:
    """End the process with `code` once the exit handlers have run and the output is written."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`nhilint scan | head`), a closed stream
            code = code or _FLUSH_FAILED
    os._exit(code)
