"""Progress over repositories: a rich progress bar on a terminal (counts, the repository just done, ETA), one
plain line per repository elsewhere (CI logs), or nothing. rich is imported only here, only for the bar."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any, TextIO

from nhilint.report.escape import printable  # the one escaping layer (import-free)


def _describe(record: dict[str, Any]) -> str:
    repository = record["repository"]
    if repository["status"] == "failed":
        return f"{repository['name']}: failed: {repository['error']}"
    cached = ", cached" if repository["cached"] else ""
    return f"{repository['name']}: {repository['identities']} identities, {repository['findings']} findings{cached}"


class Progress:
    """`mode`: "bar", "lines" or "off". Use as a context manager; call `update` once per repository."""

    def __init__(self, mode: str, stream: TextIO | None = None) -> None:
        self.mode = mode
        self.stream = stream or sys.stderr
        self.done = 0
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.mode == "bar":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("auditing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                TextColumn("{task.description}"),
                console=Console(file=self.stream),
                transient=False,
            )
            self._bar.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)

    def update(self, record: dict[str, Any], total: int) -> None:
        self.done += 1
        if self.mode == "lines":
            print(f"nhilint audit: [{self.done}/{total}] {printable(_describe(record))}", file=self.stream, flush=True)
        elif self._bar is not None:
            if self._task is None:
                self._task = self._bar.add_task("", total=total)
            name = record["repository"]["name"]
            self._bar.update(self._task, completed=self.done, total=total, description=name)


def mode(requested: bool | None, stream: TextIO | None = None) -> str:
    """The bar on a terminal, plain lines elsewhere; `--no-progress` turns both off."""
    if requested is False:
        return "off"
    return "bar" if (stream or sys.stderr).isatty() else "lines"
