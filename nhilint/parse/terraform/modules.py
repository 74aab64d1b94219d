"""Terraform module calls: local sources, cycle-aware root selection, and the checks made before a call is followed.

A directory that a scanned directory calls with a local `source` is evaluated through that call, never on its
own. A call that reaches a directory already on its own call stack (`source = "./"`, `./net` calling `../`, a
longer cycle) is a cycle: Terraform refuses it, so nhilint reports it (NHI-PARSE-003) at the `module` block and
does not follow it. Roots are chosen so that a cycle neither drops its directories (each is called by another,
so none would be a root) nor unrolls them (once per level until the nesting limit): one directory of each group
of directories that only call each other becomes a root, and every other directory is reached through calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from nhilint.model import Location, Unknown
from nhilint.model_inputs import LEAVES_ROOT, ParseError, is_outside_root
from nhilint.parse import hcl
from nhilint.parse.hcl import Block
from nhilint.parse.terraform.files import leaves_root, outside_root
from nhilint.parse.terraform.records import InstanceScope, Module, SourceFile

MAX_MODULE_DEPTH = 12


class ModuleLoader(Protocol):
    """What following a module call asks of the project (nhilint.parse.terraform.project.TerraformProject)."""

    @property
    def root(self) -> Path: ...

    @property
    def modules(self) -> Mapping[str, Module]:
        """The directories read so far, by path relative to the scan root."""
        ...

    @property
    def errors(self) -> list[ParseError]: ...

    def add_file(self, path: Path, context: bool = False) -> None: ...

    def note_unresolved(self, what: str, reason: str, location: Location) -> None: ...


@dataclass(frozen=True, slots=True)
class Call:
    """A `module` block whose local source was found, ready to be instantiated once per count/for_each key."""

    source: SourceFile
    block: Block
    location: Location
    module: Module


def local_source(module_dir: str, block: Block) -> str | Unknown | None:
    """The scanned directory a `module` block calls (relative to the scan root); None for a remote source."""
    attribute = block.body.attributes.get("source")
    if attribute is None or not isinstance(attribute.expr, hcl.Literal):
        return Unknown("module source is not a literal string")
    source = str(attribute.expr.value)
    if not source.startswith(("./", "../")):
        return None
    parts: list[str] = []
    for part in (Path(module_dir) / source).as_posix().split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return Unknown(f"module source {source} {LEAVES_ROOT}")
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) or "."


def root_dirs(modules: Mapping[str, Module]) -> list[str]:
    """The directories evaluated as roots, sorted: every directory is then reached exactly once from one of them.

    A directory nobody else calls is a root. Directories that call each other (a cycle, or a self-call) and are
    called from nowhere else form a group no root reaches: its first directory (sorted) becomes the root.
    """
    graph = {d: sorted({t for t in _targets(m) if t in modules}) for d, m in modules.items()}
    group_of: dict[str, int] = {}
    groups = _strongly_connected(graph)
    for number, group in enumerate(groups):
        group_of.update(dict.fromkeys(group, number))
    called_from_outside = {group_of[t] for d, targets in graph.items() for t in targets if group_of[t] != group_of[d]}
    return sorted(min(group) for number, group in enumerate(groups) if number not in called_from_outside)


def _targets(module: Module) -> list[str]:
    targets = []
    for _, block in module.blocks("module"):
        target = local_source(module.dir, block)
        if isinstance(target, str):
            targets.append(target)
    return targets


def _strongly_connected(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iterative so that a long chain of modules cannot exhaust the stack."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        work = [(start, iter(graph[start]))]
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(graph[successor])))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    caller = work[-1][0]
                    low[caller] = min(low[caller], low[node])
                if low[node] == index[node]:
                    group: list[str] = []
                    while not group or group[-1] != node:
                        group.append(stack.pop())
                        on_stack.discard(group[-1])
                    groups.append(group)
    return groups


def resolve_call(project: ModuleLoader, parent: InstanceScope, name: str) -> Call | Unknown:
    """The module `parent` calls as `module.NAME`, or why it is not followed (remote, missing, a cycle, too deep)."""
    found = next(((f, b) for f, b in parent.module.blocks("module") if b.labels and b.labels[0] == name), None)
    if found is None:
        return Unknown(f"module.{name} is not defined")
    source_file, block = found
    location = Location(source_file.path, block.line, block.end_line)
    target = local_source(parent.module.dir, block)
    source_attr = block.body.attributes.get("source")
    source_text = str(source_attr.expr.value) if source_attr and isinstance(source_attr.expr, hcl.Literal) else "?"
    if target is None:
        project.note_unresolved(f"module.{name}", f"remote module source {source_text} is not fetched", location)
        return Unknown(f"module.{name} comes from remote source {source_text}, which is not fetched")
    if isinstance(target, Unknown):
        if is_outside_root(target.reason):  # a safety event (NHI-PARSE-006), like a symlink out of the root
            _report(
                project,
                ParseError(location.path, location.start_line, f"module.{name}: {target.reason}", "outside-root"),
            )
        else:
            project.note_unresolved(f"module.{name}", target.reason, location)
        return target
    stack = _call_stack(parent)
    if target in stack:
        chain = " -> ".join([*stack[stack.index(target) :], target])
        reason = f"module.{name} (source {source_text}) calls a module already on its call stack: {chain}"
        _report(project, ParseError(location.path, location.start_line, reason, "module-cycle"))
        return Unknown(f"module.{name} is not evaluated: it forms a module cycle ({chain})")
    if len(stack) > MAX_MODULE_DEPTH:
        reason = f"module.{name} is nested deeper than the module nesting limit ({MAX_MODULE_DEPTH} levels)"
        _report(project, ParseError(location.path, location.start_line, reason, "limit"))
        return Unknown(f"module.{name} is not evaluated: nested deeper than {MAX_MODULE_DEPTH} levels")
    module = project.modules.get(target) or load_module_dir(project, target)
    if module is None:
        project.note_unresolved(f"module.{name}", f"local module {source_text} has no .tf files in the scan", location)
        return Unknown(f"module.{name} ({source_text}) was not found")
    return Call(source_file, block, location, module)


def _call_stack(instance: InstanceScope) -> list[str]:
    """The directories from the root down to `instance`."""
    dirs: list[str] = []
    current: InstanceScope | None = instance
    while current is not None:
        dirs.append(current.module.dir)
        current = current.parent
    return dirs[::-1]


def _report(project: ModuleLoader, error: ParseError) -> None:
    """Once per `module` block, however many instances or roots reach it."""
    if not any((e.path, e.line, e.kind) == (error.path, error.line, error.kind) for e in project.errors):
        project.errors.append(error)


def load_module_dir(project: ModuleLoader, target: str) -> Module | None:
    """Read a called directory that was not scanned itself (for context: its own findings are not reported)."""
    directory = project.root / target
    if not directory.is_dir():
        return None
    if leaves_root(project.root, directory):
        _report(project, outside_root(target, "."))
        return None
    for path in sorted(directory.iterdir()):
        if not path.name.endswith((".tf", ".tf.json")):
            continue
        if leaves_root(project.root, path):
            _report(project, outside_root(target, path.name))
        elif path.is_file():
            project.add_file(path, context=True)
    return project.modules.get(target)
