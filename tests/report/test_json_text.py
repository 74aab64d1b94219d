"""json_text.dumps writes exactly what `json.dumps(document, indent=2)` writes."""

from __future__ import annotations

import enum
import json
import random
from pathlib import Path
from typing import Any

from nhilint.report import json_text


class Level(enum.StrEnum):
    HIGH = "high"


class Count(enum.IntEnum):
    ONE = 1


class Name(str):
    pass


SCALARS: tuple[Any, ...] = (
    "",
    "plain",
    'quote " and \\ backslash',
    "line\nbreak\ttab\x00\x1f",
    "unicode é ✓ 😀 \ud800",
    Name("subclass"),
    Level.HIGH,
    0,
    -7,
    10**30,
    True,
    False,
    None,
    0.1,
    -0.0,
    1e16,
    2.5e-300,
    Count.ONE,
)


def _document(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.4:
        return rng.choice(SCALARS)
    size = rng.randint(0, 4)
    if roll < 0.6:
        return [_document(rng, depth + 1) for _ in range(size)]
    if roll < 0.7:
        return tuple(_document(rng, depth + 1) for _ in range(size))
    return {str(rng.choice(SCALARS)) + str(i): _document(rng, depth + 1) for i in range(size)}


def test_generated_documents() -> None:
    rng = random.Random(2026)
    for _ in range(3000):
        document = _document(rng, 0)
        assert json_text.dumps(document) == json.dumps(document, indent=2)


def test_what_it_does_not_write_itself_is_json_dumps() -> None:
    for document in (
        {"a": float("nan")},
        [float("inf"), 1],
        {1: "int key", "b": [None]},
        {True: 1},
        {None: 2.0},
        [{"x": -float("inf")}],
    ):
        assert json_text.dumps(document) == json.dumps(document, indent=2)


def test_a_report_of_the_example_tree() -> None:
    from nhilint.cli import main

    example = Path(__file__).resolve().parents[2] / "fixtures" / "example"
    for command in (
        ["scan", "--no-cache", "--format", "json", str(example)],
        ["inventory", "--format", "json", str(example)],
    ):
        document = _captured(main, command)
        assert json_text.dumps(document) == json.dumps(document, indent=2)


def _captured(main: Any, argv: list[str]) -> Any:
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.suppress(SystemExit):
        main(argv)
    text = buffer.getvalue()
    document = json.loads(text)
    assert json.dumps(document, indent=2) + "\n" == text  # the report is what json.dumps writes
    return document
