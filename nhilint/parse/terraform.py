"""Terraform: directories of `.tf` / `.tf.json` files -> module instances whose resources can be evaluated.

Each directory is one module. A directory that another scanned directory calls with a local `source` is
evaluated through that call (with its inputs, under `module.NAME.`), never on its own; every other
directory is a root (cycles: see nhilint.parse.tf_modules), fed by its `terraform.tfvars`, `*.auto.tfvars`
and `--var-file`s. Remote module sources are recorded as unresolved, never fetched. Files read by `file()`
are found as Terraform finds them (nhilint.parse.tf_files). Evaluation is lazy and memoised: only what an
extractor asks for is computed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.model import CURRENT_ACCOUNT, Annotation, Location, ParseError, Unknown, Unresolved
from nhilint.parse import hcl
from nhilint.parse.cache import ParseCache
from nhilint.parse.hcl import Block, Body, HclLimitError, HclSyntaxError
from nhilint.parse.hcl_eval import Budget, Evaluator, NameScope, Nesting
from nhilint.parse.tf_annotations import comment_annotations
from nhilint.parse.tf_files import FileReader, leaves_root, outside_root, path_value
from nhilint.parse.tf_modules import resolve_call, root_dirs
from nhilint.parse.tfjson import JsonSyntaxError, body_from_json
from nhilint.parse.tfvars import read_tfvars
from nhilint.secrets import register, variable_source
from nhilint.values import Encoded, IndexStep, LDict, Ref, get_path, stamp_path

PARALLEL_THRESHOLD = 200  # below this many files, starting worker processes costs more than it saves

# Data sources whose value does not matter for identity analysis, only what they stand for.
_KNOWN_DATA: dict[str, dict[str, Any]] = {
    "aws_caller_identity": {"account_id": CURRENT_ACCOUNT},
    "aws_partition": {"partition": "aws"},
}


@dataclass(slots=True)
class SourceFile:
    path: str  # relative to the scan root, POSIX
    body: Body
    text_lines: list[str]


@dataclass(slots=True)
class Module:
    """One directory's files, parsed."""

    dir: str  # relative POSIX path, "." for the root
    files: list[SourceFile] = field(default_factory=list)

    def blocks(self, type_: str) -> Iterator[tuple[SourceFile, Block]]:
        for source in self.files:
            for block in source.body.blocks:
                if block.type == type_:
                    yield source, block


@dataclass(slots=True)
class TfRecord:
    """A block (resource or nested block) of one module instance, with lazy evaluated attributes."""

    instance: ModuleInstance
    source: SourceFile
    block: Block
    _cache: dict[str, Any] = field(default_factory=dict)
    evaluator: Evaluator | None = None  # set for one instance of a count/for_each resource

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def location(self) -> Location:
        return Location(self.source.path, self.block.line, self.block.end_line)

    def has(self, key: str) -> bool:
        return key in self.block.body.attributes

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._cache:
            return self._cache[key]
        attribute = self.block.body.attributes.get(key)
        evaluator = self.evaluator or self.instance.evaluator
        with self.instance.project.evaluating(self.path):
            value = default if attribute is None else stamp_path(evaluator.eval(attribute.expr), self.path)
        self._cache[key] = value
        return value

    def expr(self, key: str) -> hcl.Expr | None:
        attribute = self.block.body.attributes.get(key)
        return attribute.expr if attribute else None

    def value_line(self, key: str) -> int:
        """The line a value's text starts on (a heredoc's first content line), for JSON inside it."""
        attribute = self.block.body.attributes.get(key)
        if attribute is None:
            return self.block.line
        expr = attribute.expr
        return getattr(expr, "line", attribute.line) or attribute.line

    def line(self, key: str) -> int:
        attribute = self.block.body.attributes.get(key)
        return attribute.line if attribute else self.block.line

    def at(self, key: str) -> Location:
        attribute = self.block.body.attributes.get(key)
        if attribute is None:
            return self.location
        return Location(self.source.path, attribute.line, attribute.end_line)

    def blocks(self, type_: str) -> list[TfRecord]:
        return [
            TfRecord(self.instance, self.source, b, evaluator=self.evaluator)
            for b in self.block.body.blocks
            if b.type == type_
        ]


@dataclass(slots=True)
class TfResource(TfRecord):
    type: str = ""
    name: str = ""
    key: str | int | None = None  # the instance key of a count/for_each resource, when known

    @property
    def address(self) -> str:
        return f"{self.instance.prefix}{self.type}.{self.name}{instance_suffix(self.key)}"

    @property
    def multiplicity(self) -> str | None:
        for key in ("count", "for_each"):
            attribute = self.block.body.attributes.get(key)
            if attribute is not None:
                value = self.get(key)
                shown = value if isinstance(value, int | str) else _describe(attribute.expr)
                return f"{key} = {shown}"
        return None

    @property
    def provider_tags(self) -> tuple[Any, Location] | None:
        """The aws provider's `default_tags` for this resource (value, where they are written)."""
        alias = self.expr("provider")
        return self.instance.default_tags_for(_describe(alias) if alias is not None else None)


def instance_suffix(key: str | int | None) -> str:
    if key is None:
        return ""
    return f"[{key}]" if isinstance(key, int) else f'["{key}"]'


def expansions(evaluator: Evaluator, block: Block) -> list[tuple[str | int | None, dict[str, Any]]]:
    """The instances of a block with `count` or `for_each`, with the names each one binds.

    An unknown collection gives one instance whose `each`/`count` values stay unknown.
    """
    attributes = block.body.attributes
    if "for_each" in attributes:
        collection = evaluator.eval(attributes["for_each"].expr)
        if isinstance(collection, dict):
            return [(str(k), {"each": {"key": str(k), "value": v}}) for k, v in collection.items()]
        if isinstance(collection, list) and all(isinstance(v, str) for v in collection):
            return [(v, {"each": {"key": v, "value": v}}) for v in dict.fromkeys(collection)]
    elif "count" in attributes:
        count = evaluator.eval(attributes["count"].expr)
        if isinstance(count, bool):
            count = int(count)
        if isinstance(count, int) and 0 <= count <= 1000:
            return [(i, {"count": {"index": i}}) for i in range(count)]
    return [(None, {})]


def _describe(expr: hcl.Expr) -> str:
    if isinstance(expr, hcl.GetAttr):
        return f"{_describe(expr.base)}.{expr.name}"
    if isinstance(expr, hcl.Name):
        return expr.name
    return "<expression>"


class ModuleInstance:
    """One evaluation of a module: the root, or a `module` call (with its inputs) inside another instance."""

    def __init__(
        self,
        project: TerraformProject,
        module: Module,
        prefix: str,
        inputs: dict[str, Any],
        parent: ModuleInstance | None,
        call_line: Location | None = None,
        provider_map: dict[str, str] | None = None,
        key: str | int | None = None,
    ) -> None:
        self.key = key
        self.project = project
        self.module = module
        self.prefix = prefix
        self.inputs = inputs  # name -> value (already evaluated in the caller, lazily via _Input)
        self.parent = parent
        self.call_location = call_line
        self.provider_map = provider_map or {}
        first = module.files[0].path if module.files else module.dir
        self.budget = Budget(project.limits, lambda line, why: project.problem(line, why, first), project.nesting)
        self.evaluator = Evaluator(self)
        self._locals: dict[str, tuple[hcl.Attribute, str]] = {}
        self._variables: dict[str, TfRecord] = {}
        self._data: dict[str, TfRecord] = {}
        self._outputs: dict[str, tuple[hcl.Attribute, str]] = {}
        self._children: dict[str, list[ModuleInstance] | Unknown] = {}
        self._memo: dict[str, Any] = {}
        self._resolving: set[str] = set()
        for source in module.files:
            for block in source.body.blocks:
                if block.type == "locals":
                    self._locals.update({k: (a, source.path) for k, a in block.body.attributes.items()})
                elif block.type == "variable" and block.labels:
                    self._variables[block.labels[0]] = TfRecord(self, source, block)
                elif block.type == "data" and len(block.labels) == 2:
                    self._data[f"{block.labels[0]}.{block.labels[1]}"] = TfRecord(self, source, block)
                elif block.type == "output" and block.labels and "value" in block.body.attributes:
                    self._outputs[block.labels[0]] = (block.body.attributes["value"], source.path)

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1

    @property
    def root(self) -> ModuleInstance:
        return self if self.parent is None else self.parent.root

    # -- Scope protocol -----------------------------------------------------------------------------

    def resolve(self, name: str, steps: list[Any], line: int) -> Any:
        if name == "var":
            return get_path(self.variable(steps[0]), steps[1:]) if steps else Unknown("bare var")
        if name == "local":
            return get_path(self.local(steps[0]), steps[1:]) if steps else Unknown("bare local")
        if name == "data":
            return self._data_value(steps)
        if name == "module":
            return self._module_output(steps)
        if name == "path":
            return path_value(str(steps[0]) if steps else "", self.module.dir, self.root.module.dir)
        if name in ("count", "each"):
            return Unknown(f"{name}.{steps[0] if steps else ''} differs per instance")
        if name in ("terraform", "self"):
            return Unknown(f"{name}.{steps[0] if steps else ''} is known only at plan time")
        if steps and isinstance(steps[0], str):
            suffix = ""
            index = 1
            if index < len(steps) and isinstance(steps[index], IndexStep):
                key = steps[index].key
                if isinstance(key, str | int) and not isinstance(key, bool):
                    suffix = instance_suffix(key)  # aws_iam_role.x["ci"].arn links to that instance
                index += 1
            while index < len(steps) and not isinstance(steps[index], str):
                index += 1
            attribute = ".".join(s for s in steps[index:] if isinstance(s, str)) or None
            return Ref(f"{self.prefix}{name}.{steps[0]}{suffix}", attribute)
        return Unknown(f"{name} on line {line} is not defined here")

    def read_file(self, path: str) -> str | Unknown:
        """Relative paths from the root module's directory, where Terraform runs (see nhilint.parse.tf_files)."""
        return self.project.read_file(path, self.root.module.dir)

    # -- names --------------------------------------------------------------------------------------

    def variable(self, name: str) -> Any:
        key = f"var.{name}"
        if key in self._memo:
            return self._memo[key]
        if name in self.inputs:
            value = self.inputs[name]
            if isinstance(value, _Input):
                value = value.evaluate()
        elif name in self.project.var_values(self):
            value = self.project.var_values(self)[name]
        elif name in self._variables and self._variables[name].has("default"):
            value = self._variables[name].get("default")
            if value is None:
                value = Unknown(f"var.{name} defaults to null")
        elif name in self._variables:
            value = Unknown(f"var.{name} has no default and no value in the scanned tfvars")
        else:
            value = Unknown(f"var.{name} is not declared")
        self._memo[key] = value
        declared = self._variables.get(name)
        if why := variable_source(key, declared is not None and declared.get("sensitive") is True):
            register(self.project.sensitive, value, why)  # redacted in every report (nhilint/redact.py)
        return value

    def local(self, name: str) -> Any:
        return self._memoised(f"local.{name}", self._locals.get(name), f"local.{name} is not defined")

    def _memoised(self, key: str, found: tuple[hcl.Attribute, str] | None, missing: str) -> Any:
        """Evaluate a named expression (a local, an output) once, refusing cycles."""
        if key in self._memo:
            return self._memo[key]
        if found is None:
            return Unknown(missing)
        if key in self._resolving:
            return Unknown(f"{key} refers to itself")
        attribute, path = found
        self._resolving.add(key)
        try:
            with self.project.evaluating(path):
                value = stamp_path(self.evaluator.eval(attribute.expr), path)
        finally:
            self._resolving.discard(key)
        self._memo[key] = value
        return value

    def data_record(self, address: str) -> TfRecord | None:
        return self._data.get(address)

    def _data_value(self, steps: list[Any]) -> Any:
        if len(steps) < 2 or not all(isinstance(s, str) for s in steps[:2]):
            return Unknown("incomplete data reference")
        address = f"{steps[0]}.{steps[1]}"
        rest = steps[2:]
        if steps[0] == "aws_iam_policy_document":
            return self._policy_document(address, rest)
        while rest and not isinstance(rest[0], str):
            rest = rest[1:]
        if steps[0] in _KNOWN_DATA and rest and rest[0] in _KNOWN_DATA[steps[0]]:
            return _KNOWN_DATA[steps[0]][rest[0]]
        return Unknown(f"data.{address} is read from the cloud at plan time")

    def _policy_document(self, address: str, rest: list[Any]) -> Any:
        """`data.aws_iam_policy_document.x.json`, also `x[0].json` and `x[*].json` under count/for_each."""
        key = f"data.{address}"
        if key not in self._memo:
            record = self._data.get(address)
            if record is None:
                self._memo[key] = Unknown(f"data.{address} is not defined")
            elif key in self._resolving:
                return Unknown(f"data.{address} refers to itself")
            else:
                self._resolving.add(key)
                try:
                    self._memo[key] = self._render_documents(record)
                finally:
                    self._resolving.discard(key)
        value = self._memo[key]
        if isinstance(value, list):  # instances of a count/for_each data source
            if rest and isinstance(rest[0], IndexStep):
                chosen = next((doc for k, doc in value if k == rest[0].key), None)
                if chosen is None:
                    return Unknown(f"data.{address}[{rest[0].key!r}] does not exist")
                return get_path(chosen, rest[1:])
            return [doc for _, doc in value] if not rest or rest[0] != "json" else get_path(value[0][1], rest)
        if rest and isinstance(rest[0], IndexStep):
            rest = rest[1:]  # count/for_each not known: the one representative instance stands for all
        return get_path(value, rest)

    def _render_documents(self, record: TfRecord) -> Any:
        from nhilint.iam.tf_document import policy_document

        def rendered(instance_record: TfRecord) -> LDict:
            document = Encoded(policy_document(instance_record), record.block.line)
            return LDict([("json", document), ("minified_json", document)], line=record.block.line)

        attributes = record.block.body.attributes
        if "count" not in attributes and "for_each" not in attributes:
            return rendered(record)
        expanded = expansions(self.evaluator, record.block)
        if expanded == [(None, {})]:
            return rendered(record)  # count/for_each unknown: one representative instance
        return [
            (key, rendered(TfRecord(self, record.source, record.block, evaluator=Evaluator(NameScope(self, names)))))
            for key, names in expanded
        ]

    def _module_output(self, steps: list[Any]) -> Any:
        if not steps or not isinstance(steps[0], str):
            return Unknown("incomplete module reference")
        instances = self.child(steps[0])
        if isinstance(instances, Unknown):
            return instances
        rest = steps[1:]
        chosen = instances[0] if len(instances) == 1 else None
        if rest and isinstance(rest[0], IndexStep):
            chosen = next((i for i in instances if i.key == rest[0].key), None)
            rest = rest[1:]
        if chosen is None:
            return Unknown(f"module.{steps[0]} has {len(instances)} instances; which one is not known")
        child = chosen
        if not rest:
            return Unknown(f"module.{steps[0]} as a whole is not evaluated")
        return get_path(child.output(rest[0]), rest[1:])

    def output(self, name: str) -> Any:
        return self._memoised(f"output.{name}", self._outputs.get(name), f"{self.prefix}output {name} is not defined")

    # -- children and providers ---------------------------------------------------------------------

    def module_calls(self) -> Iterator[tuple[SourceFile, Block]]:
        yield from self.module.blocks("module")

    def child(self, name: str) -> list[ModuleInstance] | Unknown:
        """The instances of `module.NAME` (several under count/for_each)."""
        if name not in self._children:
            self._children[name] = self.project.instantiate_call(self, name)
        return self._children[name]

    def children(self) -> Iterator[ModuleInstance]:
        for _, block in self.module_calls():
            if block.labels:
                child = self.child(block.labels[0])
                if not isinstance(child, Unknown):
                    yield from child

    def default_tags_for(self, alias: str | None) -> tuple[Any, Location] | None:
        """The provider `default_tags` that apply to a resource, following module `providers` maps."""
        key = alias.split(".", 1)[-1] if alias and "." in alias else None
        if self.parent is not None:
            mapped = self.provider_map.get(f"aws.{key}" if key else "aws")
            parent_alias = mapped if mapped else None
            return self.parent.default_tags_for(parent_alias)
        for source, block in self.module.blocks("provider"):
            if not block.labels or block.labels[0] != "aws":
                continue
            record = TfRecord(self, source, block)
            if (record.get("alias") if record.has("alias") else None) != key:
                continue
            tags_blocks = record.blocks("default_tags")
            if tags_blocks:
                return tags_blocks[0].get("tags", {}), tags_blocks[0].location
        return None


@dataclass(slots=True)
class _Input:
    """A module input evaluated lazily in the caller's scope."""

    evaluator: Evaluator
    expr: hcl.Expr
    path: str
    project: TerraformProject
    _value: Any = None
    _done: bool = False

    def evaluate(self) -> Any:
        if not self._done:
            with self.project.evaluating(self.path):
                self._value = stamp_path(self.evaluator.eval(self.expr), self.path)
            self._done = True
        return self._value


class TerraformProject:
    """All Terraform directories of one scan, parsed, with their module instances."""

    def __init__(
        self,
        root: Path,
        var_files: list[Path] | None = None,
        resource_types: Container[str] | None = None,
        cache_dir: Path | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        """`resource_types`: the resource types anyone will read; other resource bodies are not kept.

        `cache_dir`: where parsed files are cached by content (None: no cache). `limits`: resource bounds.
        """
        self.limits = limits
        self.instance_count = 0  # module instances created, bounded by limits.max_module_instances
        self.resource_types = resource_types
        salt = getattr(resource_types, "signature", repr(resource_types))
        self.cache = ParseCache(cache_dir, salt) if cache_dir is not None else None
        self._roots: list[ModuleInstance] | None = None
        self.root = root
        self.modules: dict[str, Module] = {}
        self.errors: list[ParseError] = []
        self.sensitive: dict[str, str] = {}  # value -> source, see nhilint/redact.py; never cached
        self.unresolved: list[Unresolved] = []
        self.annotations: list[Annotation] = []
        self.var_files = var_files or []
        self._var_cache: dict[str, dict[str, Any]] = {}
        self._files = FileReader(root, limits, self.errors, self.relative)
        self.nesting = Nesting()  # evaluation depth, shared: references cross module instances
        self._evaluating: list[str] = []  # the files whose expressions are being evaluated, innermost last

    # -- loading ------------------------------------------------------------------------------------

    def add_files(self, paths: list[Path], context: bool = False) -> None:
        """Parse files; a large scan parses in worker processes (parsing is where the time goes).

        `context`: files read only for context (their own findings are not reported).
        """
        jobs = min(os.cpu_count() or 1, 8)
        if len(paths) < PARALLEL_THRESHOLD or jobs < 2:
            for path in paths:
                self.add_file(path, context)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        start = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        mp_context = multiprocessing.get_context(start)
        tasks: list[ParseTask] = [
            (path, self.relative(path), self.resource_types, self.cache, context, self.limits) for path in paths
        ]
        with ProcessPoolExecutor(jobs, mp_context=mp_context) as pool:
            for result in pool.map(_parse_file, tasks, chunksize=max(1, len(tasks) // (jobs * 8))):
                self._add_parsed(result)

    def add_file(self, path: Path, context: bool = False) -> None:
        task = (path, self.relative(path), self.resource_types, self.cache, context, self.limits)
        self._add_parsed(_parse_file(task, lazy=True))

    def _add_parsed(self, parsed: tuple[str, SourceFile | ParseError]) -> None:
        rel, result = parsed
        if isinstance(result, ParseError):
            self.errors.append(result)
            return
        for line, kind, reason in getattr(result.body, "problems", ()):  # repeated keys (parse.hcl_check)
            self._report(ParseError(rel, line, reason, kind))
        directory = str(Path(rel).parent.as_posix())
        self.modules.setdefault(directory, Module(directory)).files.append(result)
        if any("nhilint:" in line for line in result.text_lines):
            self.annotations.extend(comment_annotations(result.path, result.body, result.text_lines))

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def roots(self) -> list[ModuleInstance]:
        """Instances for every directory that no other scanned directory calls (computed once)."""
        if self._roots is None:
            self._roots = self._find_roots()
        return self._roots

    def _find_roots(self) -> list[ModuleInstance]:
        # Addresses of a root in a subdirectory carry its path (`envs/prod/aws_iam_role.app`): a monorepo has
        # many roots, and `aws_iam_role.app` in two of them are two identities.
        return [
            ModuleInstance(self, self.modules[d], "" if d == "." else f"{d}/", {}, None)
            for d in root_dirs(self.modules)
        ]

    def instances(self) -> Iterator[ModuleInstance]:
        """Every module instance, depth first from each root."""
        stack = list(reversed(self.roots()))
        while stack:
            instance = stack.pop()
            yield instance
            stack.extend(reversed(list(instance.children())))

    def resources(self, types: Container[str] | None = None) -> Iterator[TfResource]:
        """Resources of every instance; those of `types` with a known count/for_each, once per instance."""
        for instance in self.instances():
            for source in instance.module.files:
                for block in source.body.blocks:
                    if block.type != "resource" or len(block.labels) != 2:
                        continue
                    type_, name = block.labels
                    if types is not None and type_ not in types:
                        continue
                    with self.evaluating(source.path):
                        expanded = expansions(instance.evaluator, block)
                    for key, names in expanded:
                        evaluator = Evaluator(NameScope(instance, names)) if names else None
                        yield TfResource(instance, source, block, evaluator=evaluator, type=type_, name=name, key=key)

    # -- module calls -------------------------------------------------------------------------------

    def instantiate_call(self, parent: ModuleInstance, name: str) -> list[ModuleInstance] | Unknown:
        call = resolve_call(self, parent, name)
        if isinstance(call, Unknown):
            return call
        provider_map: dict[str, str] = {}
        providers = call.block.body.attributes.get("providers")
        if providers is not None and isinstance(providers.expr, hcl.ObjectExpr):
            for key_expr, value_expr in providers.expr.items:
                key = key_expr.value if isinstance(key_expr, hcl.Literal) else _describe(key_expr)
                provider_map[str(key)] = _describe(value_expr)
        with self.evaluating(call.source.path):
            expanded = expansions(parent.evaluator, call.block)
        self.instance_count += len(expanded)
        if self.instance_count > self.limits.max_module_instances:
            reason = f"module.{name} is not evaluated: the scan reached {self.limits.describe('max_module_instances')}"
            self._report(ParseError(call.location.path, call.location.start_line, reason, "limit"))
            return Unknown(reason)
        instances = []
        for key, names in expanded:
            evaluator = Evaluator(NameScope(parent, names)) if names else parent.evaluator
            inputs: dict[str, Any] = {
                attr_name: _Input(evaluator, attr.expr, call.source.path, self)
                for attr_name, attr in call.block.body.attributes.items()
                if attr_name not in ("source", "version", "count", "for_each", "providers", "depends_on")
            }
            prefix = f"{parent.prefix}module.{name}{instance_suffix(key)}."
            instance = ModuleInstance(self, call.module, prefix, inputs, parent, call.location, provider_map, key)
            instances.append(instance)
        return instances

    def _report(self, error: ParseError) -> None:
        if error not in self.errors:
            self.errors.append(error)

    @contextmanager
    def evaluating(self, path: str) -> Iterator[None]:
        """Expressions evaluated inside come from `path`: a limit they hit is reported there."""
        self._evaluating.append(path)
        try:
            yield
        finally:
            self._evaluating.pop()

    def problem(self, line: int, reason: str, fallback: str) -> None:
        """The evaluator's sink (Budget.report): a limit hit at `line` of the file being evaluated."""
        self._report(ParseError(self._evaluating[-1] if self._evaluating else fallback, line, reason, "limit"))

    def note_unresolved(self, what: str, reason: str, location: Location) -> None:
        item = Unresolved(what, reason, location)
        if item not in self.unresolved:
            self.unresolved.append(item)

    # -- variables and files ------------------------------------------------------------------------

    def var_values(self, instance: ModuleInstance) -> dict[str, Any]:
        """tfvars for a root instance: terraform.tfvars, *.auto.tfvars, then --var-file, later wins."""
        if instance.parent is not None:
            return {}
        directory = instance.module.dir
        if directory not in self._var_cache:
            values: dict[str, Any] = {}
            folder = self.root / directory
            found = [folder / "terraform.tfvars", folder / "terraform.tfvars.json"]
            found += sorted(folder.glob("*.auto.tfvars")) + sorted(folder.glob("*.auto.tfvars.json"))
            for path in [*found, *self.var_files]:  # --var-file: named by the user, wherever it is
                if path in found and leaves_root(self.root, path):
                    self._report(outside_root(directory, path.name))
                elif path.is_file():
                    values.update(self._read_tfvars(path))
            self._var_cache[directory] = values
        return self._var_cache[directory]

    def _read_tfvars(self, path: Path) -> dict[str, Any]:
        return read_tfvars(path, self.relative(path), self.limits, self.errors)

    def read_file(self, path: str, cwd: str = ".") -> str | Unknown:
        """`file()`: `path` from the directory `cwd` (relative to the scan root), only inside the scan root."""
        return self._files.read(path, cwd)


ParseTask = tuple[Path, str, Container[str] | None, ParseCache | None, bool, Limits]

_DECLARATION_RE = re.compile(
    r'^[ \t]*(?:variable|locals|provider|data|module|output)\b|^[ \t]*resource[ \t]+"([^"]+)"', re.M
)


def declares_anything_read(text: str, resource_types: Container[str] | None) -> bool:
    """Whether a file holds a block extraction can use: any declaration, or a resource of a read type."""
    for match in _DECLARATION_RE.finditer(text):
        if match.group(1) is None or resource_types is None or match.group(1) in resource_types:
            return True
    return False


def _parse_file(task: ParseTask, lazy: bool = False) -> tuple[str, SourceFile | ParseError]:
    """Read and parse one file (in this process, or in a worker that returns a fully converted tree).

    A context file (a sibling of a file named for pre-commit, a called module's file) that declares
    nothing extraction reads is not parsed at all: its findings are not reported, so nothing is lost.
    """
    path, rel, resource_types, cache, context, limits = task
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return rel, ParseError(rel, 1, f"cannot read file: {exc}")

    def keep(type_: str, labels: tuple[str, ...]) -> bool:
        return type_ != "resource" or resource_types is None or (bool(labels) and labels[0] in resource_types)

    if context and path.name.endswith(".tf") and not declares_anything_read(text, resource_types):
        return rel, SourceFile(rel, Body({}, []), text.splitlines())
    cached = cache.get(text) if cache is not None else None
    if cached is not None:
        return rel, SourceFile(rel, cached, text.splitlines())
    try:
        if path.name.endswith(".tf.json"):
            body = body_from_json(text, limits)
        else:
            body = hcl.parse_hcl(text, keep, lazy and cache is None, limits)
    except HclSyntaxError as exc:
        return rel, ParseError(rel, exc.line, exc.reason)
    except JsonSyntaxError as exc:
        return rel, ParseError(rel, exc.lineno, exc.reason)
    except HclLimitError as exc:
        return rel, ParseError(rel, exc.line, exc.reason, "limit")
    except RecursionError:  # a shape the depth check does not measure: still never a crash
        return rel, ParseError(rel, 1, f"{limits.describe('max_depth')} exceeded: nested too deeply", "limit")
    if cache is not None:
        cache.put(text, body)
    return rel, SourceFile(rel, body, text.splitlines())


def ldict_line(value: Any, default: int) -> int:
    return value.line if isinstance(value, LDict) and value.line else default
