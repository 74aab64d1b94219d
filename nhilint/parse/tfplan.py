"""Terraform plan JSON (`terraform show -json plan.out`) -> records the Terraform extractor tables read.

A plan knows what the source often cannot: variable values set in CI, `for_each` keys, the names of
resources that already exist, what remote modules create. Rather than a second set of extractors, each
planned resource instance is a `TfResource` whose values come from the plan, so every platform table
reads it unchanged and each control is still written once.

What a plan record answers:
- `get`/`has`: the planned value (`change.after`) of what the configuration writes. A value known only
  after apply is `Unknown("known after apply")`, unless the paired source evaluates it (`--source`), or
  the configuration shows it refers to one resource (`role = aws_iam_role.ci.name`): then it is
  `Ref(address, attribute)`, so the Builder links it. What the configuration does not write is read only
  as a known scalar (a generated name, a default status): computed collections such as a role's
  `managed_policy_arns` mirror other resources and would count their grants twice. Sensitive values are
  never read, so none reaches a message.
- `expr`: None. A plan holds values, not code: it cannot tell a literal secret from a variable (the
  source scan reports those).
- `location`, `at`, `value_line`: the `.tf` block that declares the resource when the plan is paired
  with its source directory (the `module` call for resources of a remote module), else the plan file,
  line 1 (`terraform show -json` writes one line).
- `provider_tags`: the keys of `tags_all` the resource's own `tags` do not set: the provider's
  `default_tags`, told apart from own tags as in the source.
Instances the plan deletes (or forgets) are not in the planned state and give no record; they still count
as described, so an identity the plan removes is not kept from the source either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.model import Unknown
from nhilint.model_inputs import ParseError
from nhilint.parse.hcl import Block, Body
from nhilint.parse.terraform import Module, ModuleInstance, SourceFile, TerraformProject, TfResource
from nhilint.parse.tfplan_document import ProviderIndex, Shape, config_index, line_of, resource_instances
from nhilint.parse.tfplan_records import KEY, KEY_RE, PlanResource, PlanValues, skeleton
from nhilint.parse.yamlmarks import LimitError, load_document

_MODULE_RE = re.compile(rf"module\.([A-Za-z0-9_-]+)(?:{KEY})?\.")
_SHOWN_PROBLEMS = 10  # shape problems reported one by one; the rest are counted


def base_address(address: str) -> str:
    """An address without instance keys (`module.a["x"].aws_iam_role.r[0]` -> `module.a.aws_iam_role.r`).

    A source whose `for_each` is unknown has one un-keyed instance where the plan has several: both are
    the same resource.
    """
    return KEY_RE.sub("", address)


def read_plan(
    path: Path, rel: str, limits: Limits = DEFAULT_LIMITS, errors: list[ParseError] | None = None
) -> dict[str, Any] | ParseError:
    """The plan document, or a ParseError with a line; reasons never quote the file (plans hold secrets).

    Keys written twice (Terraform never writes them; a hand-edited plan can) are added to `errors` and the
    last value is read, as Terraform's own JSON reader does. Nesting is bounded by `max_depth`.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return ParseError(rel, 1, "cannot read file: not UTF-8 text", "unreadable")
    except OSError as exc:
        return ParseError(rel, 1, f"cannot read file: {exc.strerror or type(exc).__name__}", "unreadable")
    repeated: list[bool] = []
    try:
        document = json.loads(text, object_pairs_hook=lambda pairs: _object(pairs, repeated))
    except json.JSONDecodeError as exc:
        return ParseError(rel, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        return ParseError(rel, 1, f"nested deeper than {limits.describe('max_depth')}", "limit")
    if _depth(document, limits.max_depth) > limits.max_depth:
        return ParseError(rel, 1, f"nested deeper than {limits.describe('max_depth')}", "limit")
    if repeated and errors is not None:
        errors.extend(_duplicates(text, rel, limits))
    if (
        not isinstance(document, dict)
        or "format_version" not in document
        or not ("planned_values" in document or "resource_changes" in document)
    ):
        return ParseError(rel, 1, "not a Terraform plan: expected the output of `terraform show -json PLANFILE`")
    return document


def _object(pairs: list[tuple[str, Any]], repeated: list[bool]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        repeated.append(True)
    return result


def _depth(document: Any, limit: int) -> int:
    """How deeply objects and arrays nest (up to limit + 1), level by level, without recursion."""
    level: list[Any] = [document] if type(document) in (dict, list) else []
    depth = 0
    while level and depth <= limit:
        depth += 1
        deeper: list[Any] = []
        for value in level:  # exact types: json.loads makes only these, and the check is half the cost
            deeper += [v for v in (value.values() if type(value) is dict else value) if type(v) in (dict, list)]
        level = deeper
    return depth


def _duplicates(text: str, rel: str, limits: Limits) -> list[ParseError]:
    """Where the keys written twice are: the YAML loader (JSON is YAML) keeps the key nodes json drops."""
    try:
        loaded = load_document(text, 1, limits)
    except (yaml.YAMLError, LimitError):
        return [ParseError(rel, 1, "a key is written twice in one object; the last value is used", "duplicate-key")]
    return [ParseError(rel, d.line, d.reason, "duplicate-key") for d in loaded.duplicates]


class SourceIndex:
    """The `.tf` directory a plan was made from, parsed as usual: where each resource is declared, and what
    the source evaluates for values the plan knows only after apply."""

    def __init__(
        self, directory: Path, root: Path, var_files: list[Path] | None = None, types: Container[str] | None = None
    ) -> None:
        self.project = TerraformProject(root, var_files, types)
        self.project.add_files(
            sorted(p for p in directory.iterdir() if p.is_file() and p.name.endswith((".tf", ".tf.json")))
        )
        self.dir = self.project.relative(directory)
        self.prefix = "" if self.dir == "." else f"{self.dir}/"  # how the source names this root's addresses
        self._exact: dict[str, TfResource] = {}
        self._base: dict[str, TfResource] = {}
        for resource in self.project.resources(types):
            self._exact.setdefault(resource.address, resource)
            self._base.setdefault(base_address(resource.address), resource)

    @property
    def files(self) -> set[str]:
        return {source.path for module in self.project.modules.values() for source in module.files}

    def resource(self, address: str) -> TfResource | None:
        """The source instance of a (prefixed) plan address: the same key, else the un-keyed representative."""
        return self._exact.get(address) or self._base.get(base_address(address))

    def module_call(self, names: tuple[str, ...]) -> tuple[SourceFile, Block] | None:
        """The innermost `module` block of a module path the source declares (a remote module's resources)."""
        instance = next((i for i in self.project.roots() if i.module.dir == self.dir), None)
        found: tuple[SourceFile, Block] | None = None
        for name in names:
            if instance is None:
                break
            call = next(((f, b) for f, b in instance.module_calls() if b.labels[:1] == (name,)), None)
            if call is None:
                break
            found = call
            children = instance.child(name)
            instance = children[0] if isinstance(children, list) and children else None
        return found


@dataclass(slots=True)
class Plan:
    """One plan file read: its records, and every address it names (for the plan-wins rule)."""

    path: str  # the plan file, relative to the scan root
    resources: list[PlanResource]  # planned instances of the types asked for
    described: set[str]  # base addresses (with the root prefix) of every managed resource the plan names
    errors: list[ParseError]  # keys written twice in the plan file


def load_plan(
    path: Path,
    root: Path,
    source: SourceIndex | None = None,
    types: Container[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Plan | ParseError:
    """Read a plan into records for `types`, attributed to `source` when given."""
    rel = _relative(path, root)
    errors: list[ParseError] = []
    document = read_plan(path, rel, limits, errors)
    if isinstance(document, ParseError):
        return document
    prefix = source.prefix if source is not None else ""
    shape = Shape()
    configs, providers = config_index(document, shape)
    plan_file = SourceFile(rel, Body({}, []), [])
    project = TerraformProject(root)  # holds the stand-in module instances; never reads a file
    instances: dict[str, ModuleInstance] = {}
    plan = Plan(rel, [], set(), errors)
    for entry in resource_instances(document, shape):
        address = prefix + entry.address
        plan.described.add(base_address(address))
        if entry.values is None or (types is not None and entry.type not in types):
            continue
        module_address, names = _module_path(entry.address)
        module_prefix = f"{prefix}{module_address}." if module_address else prefix
        config = configs.get((names, entry.type, entry.name))
        expressions = config.get("expressions") if config else None
        origin = source.resource(address) if source is not None else None
        if origin is not None:
            file, block = origin.source, origin.block
        else:
            call = source.module_call(names) if source is not None else None
            file, line, end = (call[0], call[1].line, call[1].end_line) if call else (plan_file, 1, 1)
            block = skeleton("resource", (entry.type, entry.name), expressions, line, end)
        if module_prefix not in instances:
            instances[module_prefix] = ModuleInstance(project, Module(module_address or "."), module_prefix, {}, None)
        values = PlanValues(entry.values, expressions if isinstance(expressions, dict) else None, origin, module_prefix)
        plan.resources.append(
            PlanResource(
                instances[module_prefix],
                file,
                block,
                entry.type,
                entry.name,
                entry.key,
                values,
                address,
                config or {},
                _provider_defaults(providers, (config or {}).get("provider_config_key")),
            )
        )
    plan.errors.extend(_shape_errors(path, rel, shape.problems, limits))
    return plan


def _shape_errors(path: Path, rel: str, problems: list[tuple[str, str]], limits: Limits) -> list[ParseError]:
    """One finding per place the plan departs from the shape Terraform writes (the first few, then a count),
    on the line it is written on when the plan is laid out on several (`terraform show -json` writes one)."""
    if not problems:
        return []
    marked: Any = None
    text = path.read_text(encoding="utf-8-sig")  # read a moment ago; only a plan with problems is read twice
    if "\n" in text.strip():
        try:
            marked = load_document(text, 1, limits).value
        except (yaml.YAMLError, LimitError):
            marked = None
    errors = [
        ParseError(rel, line_of(marked, where), f"not the shape of a Terraform plan at {problem}; that part is skipped")
        for where, problem in problems
    ]
    if len(errors) > _SHOWN_PROBLEMS:
        rest = len(errors) - _SHOWN_PROBLEMS + 1
        errors[_SHOWN_PROBLEMS - 1 :] = [ParseError(rel, 1, f"not the shape of a Terraform plan at {rest} more places")]
    return errors


def _provider_defaults(providers: ProviderIndex, key: Any) -> Any:
    """A provider's `default_tags` from the configuration (a constant map, else Unknown), for resources
    without `tags_all` that nhilint still gives the provider's lifecycle tags (an IAM group). `providers` holds
    only well-formed provider configurations (`config_index`: the others are shape problems)."""
    expressions = providers.get(key) if isinstance(key, str) else None
    blocks = expressions.get("default_tags") if expressions is not None else None
    tags = blocks[0].get("tags") if isinstance(blocks, list) and blocks and isinstance(blocks[0], dict) else None
    if not isinstance(tags, dict):
        return None
    constant = tags.get("constant_value")
    return constant if isinstance(constant, dict) else Unknown("the provider's default_tags are not constant")


def _module_path(address: str) -> tuple[str, tuple[str, ...]]:
    """(module instance address, module call names) of a resource address."""
    names: list[str] = []
    position = 0
    while (match := _MODULE_RE.match(address, position)) is not None:
        names.append(match.group(1))
        position = match.end()
    return address[:position].rstrip("."), tuple(names)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
