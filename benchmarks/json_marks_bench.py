"""json.loads against `nhilint.parse.json_marks.load` on every `.json` file under a directory.

    python benchmarks/json_marks_bench.py /work/corpus/aws-cloudformation-templates
    python benchmarks/json_marks_bench.py DIR --before /tmp/json_marks_old.py   # A/B against another copy

In-process, min of `--runs` passes over all files (each pass reads every file once); the texts are read
before timing. With `--before`, the two implementations alternate pass by pass (a shared machine's noise
falls on both) and their results are compared, value and line marks, file by file.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from nhilint.limits import DEFAULT_LIMITS
from nhilint.parse import json_marks
from nhilint.values import LDict


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("json_marks_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _marks(value: Any) -> Any:
    if isinstance(value, LDict):
        return ("LDict", value.line, value.end_line, value.key_lines, [(k, _marks(v)) for k, v in value.items()])
    if isinstance(value, list):
        return [_marks(v) for v in value]
    return (type(value).__name__, repr(value))


def _timed(read: Callable[[str], Any], texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        read(text)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", type=Path, help="another json_marks.py to compare with")
    args = parser.parse_args()
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(args.directory.rglob("*.json"))]
    readers: dict[str, Callable[[str], Any]] = {
        "json.loads": json.loads,
        "json_marks.load": lambda text: json_marks.load(text, 1, DEFAULT_LIMITS),
    }
    if args.before:
        before = _module(args.before)
        readers["before"] = lambda text: before.load(text, 1, DEFAULT_LIMITS)
        differ = [
            i
            for i, text in enumerate(texts)
            if _marks(readers["before"](text)) != _marks(json_marks.load(text, 1, DEFAULT_LIMITS))
        ]
        print(f"results differ on {len(differ)} of {len(texts)} files")
    read = sum(json_marks.load(text, 1, DEFAULT_LIMITS) is not None for text in texts)
    best = dict.fromkeys(readers, float("inf"))
    for _ in range(args.runs):
        for name, reader in readers.items():
            best[name] = min(best[name], _timed(reader, texts))
    size = sum(map(len, texts)) / 1e6
    print(f"{len(texts)} files, {size:.2f} M characters, {read} read by json_marks (the rest declined)")
    for name, seconds in best.items():
        print(f"  {name:16} {seconds * 1000:7.1f} ms  (min of {args.runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
