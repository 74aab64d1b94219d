"""A `.gitignore` is compiled only when a path holds a literal of one of its patterns (nhilint.ignore._Layer):
its decisions must be pathspec's, for every path, with the file compiled or not."""

from __future__ import annotations

import random

import pytest
from pathspec import GitIgnoreSpec

from nhilint.ignore import Ignores, _decide, _Layer

PIECES = ["*", "**", "?", "/", ".", "-", "_", "a", "b", "tf", "state", "build", "logs", "x1"]
NAMES = ["a", "b", "ab", "a.tf", "b.tfstate", "build", "logs", "x1", ".a", "a-b", "tf", "state.tf", "bb_a"]


def _pattern(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 5)))


def _path(rng: random.Random) -> str:
    return "/".join(rng.choice(NAMES) for _ in range(rng.randint(1, 4)))


@pytest.mark.parametrize("seed", range(40))
def test_prefiltered_layer_decides_as_pathspec(seed: int) -> None:
    rng = random.Random(seed)
    lines = [_pattern(rng) for _ in range(rng.randint(1, 6))] + ["# a comment", ""]
    layer = _Layer(lines)
    spec = GitIgnoreSpec.from_lines(lines)
    for _ in range(300):
        path = _path(rng)
        for is_dir in (False, True):
            assert layer.decide(path, is_dir) == _decide(spec, path, is_dir), (lines, path, is_dir)


def test_plain_patterns_are_compiled_only_when_a_path_holds_their_text() -> None:
    layer = _Layer([".DS_Store", ".idea/", "*.tfstate", "build/**/out", "# comment"])
    assert layer.needles == (".DS_Store", ".idea", ".tfstate", "build")  # the longest literal of each
    assert layer.decide("main.tf", False) is None and layer._spec is None
    assert layer.decide("env/prod.tfstate", False) is True and layer._spec is not None


@pytest.mark.parametrize("line", ["!keep.tf", "[._]*.swp", "a\\ b", "*", "/", "  ", "name "])
def test_other_lines_compile_the_file_at_once(line: str) -> None:
    layer = _Layer(["plain.tf", line])
    assert layer.needles is None and layer._spec is not None


def test_a_file_of_comments_adds_no_layer() -> None:
    rules = Ignores()
    assert rules.with_gitignore("", "# nothing\n\n") is rules
    assert rules.with_gitignore("", "   \n") is rules  # blank to pathspec as to git
