"""Run a renderer (`kubectl kustomize`, `helm template`) with bounded time and output.

One runner for every external renderer: never more than `limits.max_file_bytes` of its output is held in
memory, stderr is drained and only its last line kept, and a process that runs past its time is killed
with everything it started (its own process group). Every renderer starts without network where the system
allows it (nhilint.parse.sandbox.offline); its environment is the caller's (nhilint.parse.sandbox).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from nhilint.limits import Limits
from nhilint.model_inputs import ParseError
from nhilint.parse.sandbox import offline

STDERR_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class OverLimit:
    """The renderer's output was larger than the limit: not read (an NHI-PARSE-004 finding)."""

    reason: str

    def error(self, path: str) -> ParseError:
        return ParseError(path, 1, self.reason, "limit")


@dataclass(frozen=True, slots=True)
class Output:
    text: str


def run_bounded(
    command: list[str], env: dict[str, str], cwd: Path, limits: Limits, timeout: float, tool: str
) -> Output | OverLimit | str:
    """`tool`'s output, or why there is none (`"{tool} took longer than …"`, `"{tool} failed: …"`)."""
    try:
        process = subprocess.Popen(
            offline(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            start_new_session=os.name != "nt",
        )
    except OSError as exc:
        return f"{tool.split()[0]} could not run: {exc.strerror or exc}"
    assert process.stdout is not None and process.stderr is not None
    out, err = _Reader(process.stdout, limits.max_file_bytes), _Reader(process.stderr, STDERR_BYTES, drain=True)
    out.start()
    err.start()
    out.join(timeout)
    late = out.is_alive()
    if late or out.over:
        _kill(process)
    out.join()
    err.join(timeout)
    process.wait()
    if late:
        return f"{tool} took longer than {timeout:g} s"
    if out.over:
        return OverLimit(f"{tool} output is larger than {limits.describe('max_file_bytes')}")
    if process.returncode != 0:
        lines = [line.strip() for line in err.text().splitlines() if line.strip()]
        return f"{tool} failed: {lines[-1] if lines else f'exit code {process.returncode}'}"
    return Output(out.text())


class _Reader(threading.Thread):
    """Read a pipe, keeping at most `limit` bytes. Past the limit it sets `over` and stops (the caller kills
    the process) or, with `drain`, reads on and drops the rest (stderr: only its last line is shown)."""

    def __init__(self, pipe: IO[bytes], limit: int, drain: bool = False) -> None:
        super().__init__(daemon=True)
        self.pipe, self.limit, self.drain, self.over = pipe, limit, drain, False
        self.chunks: list[bytes] = []
        self.size = 0

    def run(self) -> None:
        with self.pipe:
            while chunk := self.pipe.read(65536):
                if self.size + len(chunk) > self.limit:
                    self.over = True
                    if not self.drain:
                        return
                    continue
                self.chunks.append(chunk)
                self.size += len(chunk)

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", errors="replace")


def _kill(process: subprocess.Popen[bytes]) -> None:
    """The renderer and anything it started (its own process group)."""
    try:
        if os.name == "nt":
            process.kill()
        else:
            os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
