"""The parsers' walls stay where they were moved: parse/ and iam/ import one way, and their modules stay small.

Imports under TYPE_CHECKING count: a type-only cycle is still two modules that cannot be read apart.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nhilint

PACKAGE = Path(nhilint.__file__).parent
MAX_LINES = 450


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in ("parse", "iam"):
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            name = ".".join(("nhilint", *path.relative_to(PACKAGE).with_suffix("").parts))
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The checked modules `name` imports (`from a.b import c` counts as a.b.c when that is a module)."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            targets.add(node.module)
            targets.update(f"{node.module}.{alias.name}" for alias in node.names)
    found = set()
    for target in targets:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name and not target.startswith(f"{name}."):  # a package's own children
            found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _cycle_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path of imports from `start` back to itself, if there is one."""
    stack = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for target in sorted(graph.get(node, ())):
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def test_parse_and_iam_modules_import_without_cycles() -> None:
    graph = _graph()
    assert "nhilint.parse.terraform.project" in graph  # the walk found the package
    cycles = [cycle for name in sorted(graph) if (cycle := _cycle_from(graph, name))]
    assert cycles == []


def test_parsers_do_not_import_the_policy_layer() -> None:
    """iam/ reads documents the parsers produce; the Terraform policy document evaluation lives in parse/."""
    graph = _graph()
    upward = {name: sorted(t for t in targets if t.startswith("nhilint.iam")) for name, targets in graph.items()}
    assert {name: targets for name, targets in upward.items() if name.startswith("nhilint.parse") and targets} == {}


def test_parse_and_iam_modules_are_small() -> None:
    lines = {name: path.read_text(encoding="utf-8").count("\n") for name, path in _modules().items()}
    assert {name: n for name, n in lines.items() if n > MAX_LINES} == {}
