"""Internal errors carry the path being processed, so the CLI can say where it failed (exit 3) without a traceback.

A bug or an exhausted resource (RecursionError, MemoryError) in one stage must not surface as a Python
traceback in a CI log: `processing(path)` wraps a stage and re-raises any unexpected exception as
`InternalError(path)` from the original, and `nhilint.cli.main` turns that into one line and exit code 3
(`--debug` shows the traceback). The innermost `processing` names the path: an outer one passes an
InternalError through unchanged. No global state: the path travels with the exception.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

MAX_MESSAGE = 200


class UsageProblem(Exception):
    """What the user asked for cannot be done as asked (a `-var` no root module declares, a value not of its
    variable's type): exit 2 with the message, as a usage error of the command line."""


class InternalError(Exception):
    """An unexpected exception while processing `path` (a file, a directory or a rule); `cause` is the original."""

    def __init__(self, path: str, cause: BaseException) -> None:
        super().__init__(f"internal error while processing {path}: {describe(cause)}")
        self.path = path
        self.cause = cause


def describe(error: BaseException) -> str:
    """`ExcType: message`, on one line and bounded (the message of a parser error may hold file content)."""
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else ""
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 1] + "…"
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


@contextmanager
def processing(path: str | Path | Callable[[], str]) -> Iterator[None]:
    """Re-raise any exception of the block, other than an InternalError, as InternalError(path) from it.

    `path` may be a function, called only on failure (naming many files costs time on the good path).
    """
    try:
        yield
    except InternalError:
        raise
    except Exception as exc:  # RecursionError and MemoryError included: both are Exceptions
        raise InternalError(path() if callable(path) else str(path), exc) from exc
