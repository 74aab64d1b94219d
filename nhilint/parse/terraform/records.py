"""What Terraform files become: parsed files and directories, and the blocks of a module instance.

A `TfRecord` is one block (a resource, a data source, a nested block) of one module instance; its attributes
are evaluated lazily, in that instance's scope, when an extractor asks for them. The record reaches the
instance through the `InstanceScope` protocol below, so this module stays below the evaluation
(nhilint.parse.terraform.instance) that creates records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from nhilint.model import Location
from nhilint.parse import hcl
from nhilint.parse.hcl import Block, Body
from nhilint.parse.hcl_eval import Evaluator, Scope
from nhilint.values import Ref, Unknown, deep_unknown, stamp_path


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


class InstanceScope(Scope, Protocol):
    """What a record, and an extractor reading one, may ask of the module instance the record belongs to.

    `nhilint.parse.terraform.instance.ModuleInstance` is the implementation.
    """

    @property
    def prefix(self) -> str:
        """The address prefix of the instance's resources: `module.NAME.` for a call, `dir/` for a nested root."""
        ...

    @property
    def parent(self) -> InstanceScope | None: ...

    @property
    def module(self) -> Module: ...

    @property
    def inputs(self) -> Mapping[str, Any]:
        """The caller's inputs by name (evaluated on first use)."""
        ...

    @property
    def provider_map(self) -> Mapping[str, str]:
        """The `providers` map of the `module` call that made this instance."""
        ...

    @property
    def evaluator(self) -> Evaluator: ...

    def evaluating(self, path: str) -> AbstractContextManager[None]:
        """Expressions evaluated inside come from `path`: a limit they hit is reported there."""
        ...

    def data_record(self, address: str) -> TfRecord | None:
        """The `data` block at `TYPE.NAME` in this instance."""
        ...

    def default_tags_for(self, alias: str | None) -> tuple[Any, Location] | None:
        """The aws provider `default_tags` for a resource using provider `alias` (value, where written)."""
        ...


@dataclass(slots=True)
class TfRecord:
    """A block (resource or nested block) of one module instance, with lazy evaluated attributes."""

    instance: InstanceScope
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
        """The evaluated attribute, or `default` when it is not written (each caller's own default: only
        evaluated values are cached, so two handlers asking with different defaults each get theirs)."""
        attribute = self.block.body.attributes.get(key)
        if attribute is None:
            return default
        if key in self._cache:
            return self._cache[key]
        evaluator = self.evaluator or self.instance.evaluator
        with self.instance.evaluating(self.path):
            value = stamp_path(evaluator.eval(attribute.expr), self.path)
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
    counted: Mapping[str, Any] | None = None
    """The block's `count`/`for_each` as `expansions` evaluated it, shared by every instance of the block: a
    for_each over 50,000 keys is evaluated once per resource, not once per instance."""

    @property
    def address(self) -> str:
        return f"{self.instance.prefix}{self.type}.{self.name}{instance_suffix(self.key)}"

    @property
    def multiplicity(self) -> str | None:
        for key in ("count", "for_each"):
            attribute = self.block.body.attributes.get(key)
            if attribute is not None:
                value = self.counted[key] if self.counted is not None and key in self.counted else self.get(key)
                shown = value if isinstance(value, int | str) else describe(attribute.expr)
                return f"{key} = {shown}"
        return None

    @property
    def provider_tags(self) -> tuple[Any, Location] | None:
        """The aws provider's `default_tags` for this resource (value, where they are written)."""
        alias = self.expr("provider")
        return self.instance.default_tags_for(describe(alias) if alias is not None else None)


def instance_suffix(key: str | int | None) -> str:
    if key is None:
        return ""
    return f"[{key}]" if isinstance(key, int) else f'["{key}"]'


Expansion = list[tuple[str | int | None, dict[str, Any]]]


def expansions(evaluator: Evaluator, block: Block, evaluated: dict[str, Any] | None = None) -> Expansion:
    """The instances of a block with `count` or `for_each`, with the names each one binds.

    An unknown collection gives one instance whose `each`/`count` values are unknown for the collection's own
    reason (`var.names has no default …`), so what they leave unknown is reported with its cause; so does one
    with more instances than `max_resource_instances` (reported as a limit). `evaluated` receives the evaluated
    `count`/`for_each`, for `TfResource.counted`.
    """
    attributes = block.body.attributes
    if "for_each" in attributes:
        collection = evaluator.eval(attributes["for_each"].expr)
        if evaluated is not None:
            evaluated["for_each"] = collection
        line = attributes["for_each"].line
        expanded: Expansion | None = None
        if isinstance(collection, dict):
            expanded = [(str(k), {"each": {"key": str(k), "value": v}}) for k, v in collection.items()]
        elif isinstance(collection, list) and all(isinstance(v, str) for v in collection):
            expanded = [(v, {"each": {"key": v, "value": v}}) for v in dict.fromkeys(collection)]
        if expanded is None:
            return [(None, {"each": Unknown(f"the for_each on line {line} {_why(collection)}")})]
        return _bounded(evaluator, expanded, "each", f"the for_each of {_label(block)}", line)
    if "count" in attributes:
        count = evaluator.eval(attributes["count"].expr)
        if evaluated is not None:
            evaluated["count"] = count
        if isinstance(count, bool):
            count = int(count)
        line = attributes["count"].line
        if isinstance(count, int) and count > evaluator.budget.limits.max_resource_instances:
            reason = evaluator.budget.hit("max_resource_instances", f"the count of {_label(block)}", line)
            return [(None, {"count": reason})]
        if isinstance(count, int) and count >= 0:
            return [(i, {"count": {"index": i}}) for i in range(count)]
        return [(None, {"count": Unknown(f"the count on line {line} {_why(count)}")})]
    return [(None, {})]


def _bounded(evaluator: Evaluator, expanded: Expansion, name: str, what: str, line: int) -> Expansion:
    """`expanded`, or one instance with `name` unknown when it has more than `max_resource_instances`."""
    if len(expanded) <= evaluator.budget.limits.max_resource_instances:
        return expanded
    return [(None, {name: evaluator.budget.hit("max_resource_instances", what, line)})]


def _label(block: Block) -> str:
    """`aws_iam_user.dos`, `module.ci`: the block a count or for_each belongs to, for messages."""
    if block.type == "module":
        return f"module.{'.'.join(block.labels)}"
    prefix = "data." if block.type == "data" else ""
    return prefix + ".".join(block.labels)


def _why(collection: Any) -> str:
    """Why a for_each or count value gives no instances nhilint can list."""
    missing = deep_unknown(collection) if isinstance(collection, Unknown | Ref) else None
    if missing is not None:
        return f"is not known: {missing.reason}"
    if isinstance(collection, list):
        return "has keys that are not known"
    return f"is a {type(collection).__name__}, not a collection nhilint can list"


def describe(expr: hcl.Expr) -> str:
    """A reference expression as written (`aws.east`), for provider names and messages."""
    if isinstance(expr, hcl.GetAttr):
        return f"{describe(expr.base)}.{expr.name}"
    if isinstance(expr, hcl.Name):
        return expr.name
    return "<expression>"
