"""A Terraform scan: every directory's files parsed, its root modules chosen, its module instances evaluated.

Each directory is one module. A directory that another scanned directory calls with a local `source` is
evaluated through that call (with its inputs, under `module.NAME.`), never on its own; every other
directory is a root (cycles: see nhilint.parse.terraform.modules), fed by its `terraform.tfvars`,
`*.auto.tfvars` and `--var-file`s. Remote module sources are recorded as unresolved, never fetched. Files
read by `file()` are found as Terraform finds them (nhilint.parse.terraform.files). Evaluation is lazy and
memoised: only what an extractor asks for is computed.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nhilint.errors import UsageProblem
from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.model import Location, Unknown
from nhilint.model_inputs import Annotation, ParseError, Unresolved
from nhilint.parse import hcl
from nhilint.parse.cache import ParseCache
from nhilint.parse.hcl_eval import Evaluator, NameScope, Nesting
from nhilint.parse.terraform.annotations import comment_annotations
from nhilint.parse.terraform.files import FileReader, leaves_root, outside_root
from nhilint.parse.terraform.instance import ModuleInput, ModuleInstance
from nhilint.parse.terraform.modules import resolve_call, root_dirs
from nhilint.parse.terraform.parsing import Parsed, ParseTask, parse_file, parse_files
from nhilint.parse.terraform.records import Expansion, Module, TfResource, describe, expansions, instance_suffix
from nhilint.parse.terraform.standalone import standalone_note, tfvars_files
from nhilint.parse.terraform.tfvars import read_tfvars
from nhilint.parse.terraform.types import CommandLineValue, command_line_problem
from nhilint.values import stamp_path


class TerraformProject:
    """All Terraform directories of one scan, parsed, with their module instances."""

    def __init__(
        self,
        root: Path,
        var_files: list[Path] | None = None,
        resource_types: Container[str] | None = None,
        cache_dir: Path | None = None,
        limits: Limits = DEFAULT_LIMITS,
        variables: Mapping[str, str] | None = None,
    ) -> None:
        """`resource_types`: the resource types anyone will read; other resource bodies are not kept.

        `cache_dir`: where parsed files are cached by content (None: no cache). `limits`: resource bounds.
        `variables`: `-var NAME=VALUE` values for every root module, applied after the var files.
        """
        self.limits = limits
        self.instance_count = 0  # module instances created, bounded by limits.max_module_instances
        self.resource_types = resource_types
        salt = getattr(resource_types, "signature", repr(resource_types))
        self.cache = ParseCache(cache_dir, salt) if cache_dir is not None else None
        self._roots: list[ModuleInstance] | None = None
        self.root = root
        self._real_root = root.resolve()  # resolved once: `relative` runs for every scanned file
        self.modules: dict[str, Module] = {}
        self.errors: list[ParseError] = []
        self.sensitive: dict[str, str] = {}  # value -> source, see nhilint/redact.py; never cached
        self.unresolved: list[Unresolved] = []
        self.annotations: list[Annotation] = []
        self.var_files = var_files or []
        self.variables = {name: CommandLineValue(text) for name, text in (variables or {}).items()}
        self._var_cache: dict[str, dict[str, Any]] = {}
        self._files = FileReader(root, limits, self.errors, self.relative)
        self.nesting = Nesting()  # evaluation depth, shared: references cross module instances
        self._evaluating: list[str] = []  # the files whose expressions are being evaluated, innermost last

    # -- loading ------------------------------------------------------------------------------------

    def add_files(self, paths: list[Path], context: bool = False) -> None:
        """Parse files; a large scan parses in worker processes (parsing is where the time goes).

        `context`: files read only for context (their own findings are not reported).
        """
        for parsed in parse_files([self._task(path, context) for path in paths]):
            self._add_parsed(parsed)

    def add_file(self, path: Path, context: bool = False) -> None:
        self._add_parsed(parse_file(self._task(path, context), lazy=True))

    def _task(self, path: Path, context: bool) -> ParseTask:
        return (path, self.relative(path), self.resource_types, self.cache, context, self.limits)

    def _add_parsed(self, parsed: Parsed) -> None:
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
            return path.resolve().relative_to(self._real_root).as_posix()
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
        directories = root_dirs(self.modules)
        given = bool(self.var_files or self.variables)
        for d in directories:  # a reusable module scanned on its own: said once (NHI-PARSE-009)
            if (note := standalone_note(self.modules[d], self.root / d, given)) is not None:
                self._report(note)
        return [ModuleInstance(self, self.modules[d], "" if d == "." else f"{d}/", {}, None) for d in directories]

    def instances(self) -> Iterator[ModuleInstance]:
        """Every module instance, depth first from each root."""
        stack = list(reversed(self.roots()))
        while stack:
            instance = stack.pop()
            yield instance
            stack.extend(reversed(list(instance.children())))

    def resources(self, types: Container[str] | None = None) -> Iterator[TfResource]:
        """Resources of every instance; those of `types` with a known count/for_each, once per instance.

        A block's count/for_each is evaluated once; past `max_scan_resource_instances` in all, each further
        multi-instance resource stands as one instance with unknown `each`/`count`, each reported where it is
        written (every such block is a place whose instances were not listed)."""
        total = 0
        for instance in self.instances():
            for source in instance.module.files:
                for block in source.body.blocks:
                    if block.type != "resource" or len(block.labels) != 2:
                        continue
                    type_, name = block.labels
                    if types is not None and type_ not in types:
                        continue
                    counted: dict[str, Any] = {}
                    with self.evaluating(source.path):
                        expanded = expansions(instance.evaluator, block, counted)
                    total += len(expanded)
                    if total > self.limits.max_scan_resource_instances and len(expanded) > 1:
                        expanded = self._over_scan_bound(source.path, block, expanded)
                    counted = {k: stamp_path(v, source.path) for k, v in counted.items()}
                    for key, names in expanded:
                        evaluator = Evaluator(NameScope(instance, names)) if names else None
                        resource = TfResource(instance, source, block, evaluator=evaluator, counted=counted)
                        resource.type, resource.name, resource.key = type_, name, key
                        yield resource

    def _over_scan_bound(self, path: str, block: hcl.Block, expanded: Expansion) -> Expansion:
        """One instance standing for `expanded`, its names unknown: the scan has listed too many instances."""
        reason = f"{self.limits.describe('max_scan_resource_instances')} reached at {'.'.join(block.labels)}"
        self._report(ParseError(path, block.line, reason, "limit"))
        return [(None, {name: Unknown(reason) for name in expanded[0][1]})]

    # -- module calls -------------------------------------------------------------------------------

    def instantiate_call(self, parent: ModuleInstance, name: str) -> list[ModuleInstance] | Unknown:
        call = resolve_call(self, parent, name)
        if isinstance(call, Unknown):
            return call
        provider_map: dict[str, str] = {}
        providers = call.block.body.attributes.get("providers")
        if providers is not None and isinstance(providers.expr, hcl.ObjectExpr):
            for key_expr, value_expr in providers.expr.items:
                key = key_expr.value if isinstance(key_expr, hcl.Literal) else describe(key_expr)
                provider_map[str(key)] = describe(value_expr)
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
                attr_name: ModuleInput(evaluator, attr.expr, call.source.path, self)
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
        """Values for a root instance: terraform.tfvars, *.auto.tfvars, --var-file, then -var; later wins."""
        if instance.parent is not None:
            return {}
        directory = instance.module.dir
        if directory not in self._var_cache:
            values: dict[str, Any] = {}
            found = tfvars_files(self.root / directory)
            for path in [*found, *self.var_files]:  # --var-file: named by the user, wherever it is
                if path in found and leaves_root(self.root, path):
                    self._report(outside_root(directory, path.name))
                elif path.is_file():
                    values.update(self._read_tfvars(path, instance))
            values.update(self.variables)  # read by the variable's type (ModuleInstance.variable)
            self._var_cache[directory] = values
        return self._var_cache[directory]

    def check_variables(self) -> None:
        """Every `-var` names a variable that a root module declares, with a value of its declared type; else
        UsageProblem listing each mistake (as `terraform plan` refuses them), never a silently unknown value."""
        declared: dict[str, list[tuple[str, hcl.Expr | None]]] = {}
        for instance in self.roots():
            for source, block in instance.module.blocks("variable"):
                if block.labels:
                    type_ = block.body.attributes.get("type")
                    where = f"{source.path}:{block.line}"
                    declared.setdefault(block.labels[0], []).append((where, type_.expr if type_ else None))
        problems: list[str] = []
        for name, text in self.variables.items():
            if name not in declared:
                problems.append(f"-var {name}: no root module declares a variable {name!r}")
            for where, type_expr in declared.get(name, []):
                if (problem := command_line_problem(text, type_expr, name)) is not None:
                    problems.append(f"{problem} (variable {name!r} declared at {where})")
        if problems:
            raise UsageProblem("\n".join(problems))

    def _read_tfvars(self, path: Path, instance: ModuleInstance) -> dict[str, Any]:
        bodies = [source.body for source in instance.module.files]
        return read_tfvars(path, self.relative(path), self.limits, self.errors, self.cache, bodies)

    def read_file(self, path: str, cwd: str = ".") -> str | Unknown:
        """`file()`: `path` from the directory `cwd` (relative to the scan root), only inside the scan root."""
        return self._files.read(path, cwd)
