"""Module evaluation: one instance of a Terraform module (the root, or one `module` call) and the names it resolves.

An instance answers `var.*` (caller inputs, tfvars, defaults), `local.*`, `data.*` (policy documents are
rendered, a few data sources stand for known values, the rest are read from the cloud and stay unknown),
`module.*` outputs and `path.*`; anything else becomes a typed `Ref` to the resource it names. Every named
expression is evaluated once and cycles are refused. The instance reaches its project through the
`ProjectContext` protocol, so this module stays below nhilint.parse.terraform.project.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from nhilint.limits import Limits
from nhilint.model import CURRENT_ACCOUNT, Location, Unknown
from nhilint.parse import hcl
from nhilint.parse.hcl import Block
from nhilint.parse.hcl_eval import Budget, Evaluator, Nesting
from nhilint.parse.terraform import policy_documents, types
from nhilint.parse.terraform.files import path_value
from nhilint.parse.terraform.records import Module, SourceFile, TfRecord, instance_suffix
from nhilint.secrets import register, variable_source
from nhilint.values import CURRENT_REGION, DEFAULT_COMPUTE_EMAIL, IndexStep, Ref, get_path, stamp_path

# Data sources whose value does not matter for identity analysis, only what they stand for.
_KNOWN_DATA: dict[str, dict[str, Any]] = {
    "aws_caller_identity": {"account_id": CURRENT_ACCOUNT},
    "aws_partition": {"partition": "aws"},
    "aws_region": {"name": CURRENT_REGION, "region": CURRENT_REGION, "id": CURRENT_REGION},
    "google_compute_default_service_account": {
        "email": DEFAULT_COMPUTE_EMAIL,
        "member": f"serviceAccount:{DEFAULT_COMPUTE_EMAIL}",
    },
}


class ProjectContext(Protocol):
    """What a module instance asks of the project it belongs to (nhilint.parse.terraform.project.TerraformProject)."""

    @property
    def limits(self) -> Limits: ...

    @property
    def nesting(self) -> Nesting:
        """Evaluation depth, shared by every instance: references cross module instances."""
        ...

    @property
    def sensitive(self) -> dict[str, str]:
        """Sensitive values found while evaluating (value -> source), redacted in every report."""
        ...

    def problem(self, line: int, reason: str, fallback: str) -> None: ...

    def evaluating(self, path: str) -> AbstractContextManager[None]: ...

    def read_file(self, path: str, cwd: str = ".") -> str | Unknown: ...

    def var_values(self, instance: ModuleInstance) -> dict[str, Any]: ...

    def instantiate_call(self, parent: ModuleInstance, name: str) -> list[ModuleInstance] | Unknown: ...


class ModuleInstance:
    """One evaluation of a module: the root, or a `module` call (with its inputs) inside another instance."""

    def __init__(
        self,
        project: ProjectContext,
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
        self.inputs = inputs  # name -> value (already evaluated in the caller, lazily via ModuleInput)
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

    def evaluating(self, path: str) -> AbstractContextManager[None]:
        """Expressions evaluated inside come from `path`: a limit they hit is reported there."""
        return self.project.evaluating(path)

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
        """Relative paths from the root module's directory, where Terraform runs (see nhilint.parse.terraform.files)."""
        return self.project.read_file(path, self.root.module.dir)

    # -- names --------------------------------------------------------------------------------------

    def variable(self, name: str) -> Any:
        key = f"var.{name}"
        if key in self._memo:
            return self._memo[key]
        declared = self._variables.get(name)
        value = self._variable_value(name, declared)
        type_expr = declared.expr("type") if declared is not None else None
        if declared is not None and type_expr is not None:  # optional attributes the caller left out
            with self.project.evaluating(declared.path):
                value = types.convert(value, type_expr, self.evaluator.eval)
        self._memo[key] = value
        if why := variable_source(key, declared is not None and declared.get("sensitive") is True):
            register(self.project.sensitive, value, why)  # redacted in every report (nhilint/redact.py)
        return value

    def _variable_value(self, name: str, declared: TfRecord | None) -> Any:
        """The caller's input, else tfvars or -var, else the default (`default = null` is null, as in Terraform)."""
        value: Any = None
        if name in self.inputs:
            value = self.inputs[name]
            if isinstance(value, ModuleInput):
                value = value.evaluate()
            if value is not None or declared is None or declared.get("nullable") is not False:
                return value  # a null input to a `nullable = false` variable takes the default
        elif name in self.project.var_values(self):
            value = self.project.var_values(self)[name]
            if isinstance(value, types.CommandLineValue):
                return types.from_command_line(value, declared.expr("type") if declared else None, name)
            return value
        if declared is None:
            return Unknown(f"var.{name} is not declared")
        if declared.has("default"):
            return declared.get("default")
        if value is None and name in self.inputs:
            return Unknown(f"var.{name} is null but declared nullable = false")
        where = f"{declared.path}:{declared.block.line}"  # NHI-PARSE-008 reports each such variable once, there
        return Unknown(f"var.{name} has no default and no value in the scanned tfvars (declared at {where})")

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
                    self._memo[key] = policy_documents.render(record)
                finally:
                    self._resolving.discard(key)
        return policy_documents.select(self._memo[key], address, rest)

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
class ModuleInput:
    """A module input evaluated lazily in the caller's scope."""

    evaluator: Evaluator
    expr: hcl.Expr
    path: str
    project: ProjectContext
    _value: Any = None
    _done: bool = False

    def evaluate(self) -> Any:
        if not self._done:
            with self.project.evaluating(self.path):
                self._value = stamp_path(self.evaluator.eval(self.expr), self.path)
            self._done = True
        return self._value
