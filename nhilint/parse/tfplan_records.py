"""Plan records: planned values behind the TfRecord/TfResource interface the extractor tables read.

See `nhilint.parse.tfplan` for what a plan record answers and why. The classes subclass TfRecord and
TfResource so that every handler, typed for the source, takes them unchanged.
"""

from __future__ import annotations

import json
import re
from typing import Any

from nhilint.model import Location, Unknown
from nhilint.parse import hcl
from nhilint.parse.hcl import Attribute, Block, Body
from nhilint.parse.terraform import InstanceScope, SourceFile, TfRecord, TfResource
from nhilint.values import Encoded, Ref, deep_unknown, plain

AFTER_APPLY = "known after apply"
SENSITIVE = "sensitive in the plan (the value is not read)"
KEY = r'\[(?:"(?:[^"\\]|\\.)*"|\d+)\]'
KEY_RE = re.compile(KEY)
_REFERENCE_RE = re.compile(rf"^((?:data\.)?[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z0-9_-]+)({KEY})?(?:\.(.+))?$")
_NOT_RESOURCES = frozenset({"var", "local", "each", "count", "module", "path", "terraform", "self"})


class PlanValues:
    """One block's planned values, the configuration's expressions for it, and its source block if known."""

    def __init__(
        self, raw: dict[str, Any], config: dict[str, Any] | None, origin: TfRecord | None, prefix: str
    ) -> None:
        self.raw = raw
        self.config = config  # None: the configuration does not say what is written, so everything counts
        self.origin = origin
        self.prefix = prefix  # module instance prefix, for references the configuration records
        self._cache: dict[str, Any] = {}

    def written(self, key: str) -> bool:
        return self.config is None or key in self.config or self._dynamic(key)

    def has(self, key: str) -> bool:
        return self.written(key) and self.raw.get(key) is not None

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self._cache:
            self._cache[key] = self._value(key)
        value = self._cache[key]
        return default if value is None else value

    def _value(self, key: str) -> Any:
        raw = self.raw.get(key)
        if not self.written(key):
            return raw if isinstance(raw, str | int | float | bool) else None
        if raw is None or (isinstance(raw, Unknown) and raw.reason == SENSITIVE):
            return raw
        if isinstance(raw, Unknown):
            theirs = self._source(key)
            if theirs is not None and not isinstance(theirs, Unknown):
                return theirs
            return reference(self.config.get(key) if self.config else None, self.prefix) or raw
        value = _decoded(raw)
        theirs = self._source(key)
        if theirs is None or isinstance(theirs, Unknown):
            return value
        if deep_unknown(value) is not None:
            return theirs  # partly known after apply: the source's references link what the plan cannot
        if deep_unknown(theirs) is None and _normal(theirs) == _normal(value):
            return theirs  # the same value, with the lines it is written on
        return value

    def _source(self, key: str) -> Any:
        return self.origin.get(key) if self.origin is not None and self.origin.has(key) else None

    def _dynamic(self, name: str) -> bool:
        return self.origin is not None and any(d.block.labels[:1] == (name,) for d in self.origin.blocks("dynamic"))

    def blocks(self, name: str, parent: TfRecord) -> list[TfRecord]:
        """Nested blocks: lists of objects in a plan (an object for a single block)."""
        if not self.written(name):
            return []
        origins = self.origin.blocks(name) if self.origin is not None else []
        items = self.raw.get(name)
        if isinstance(items, Unknown):
            return list(origins) if items.reason == AFTER_APPLY else []
        items = [items] if isinstance(items, dict) else items
        if not isinstance(items, list):
            return []
        configs = _as_configs(self.config.get(name) if self.config else None)
        records: list[TfRecord] = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            origin = origins[index] if len(origins) == len(items) else None
            config = configs[index] if len(configs) == len(items) else None
            block = (
                origin.block
                if origin is not None
                else skeleton(name, (), config, parent.block.line, parent.block.end_line)
            )
            records.append(
                PlanRecord(
                    parent.instance,
                    origin.source if origin is not None else parent.source,
                    block,
                    PlanValues(item, config, origin, self.prefix),
                )
            )
        return records


class _PlanBacked:
    """Reads attributes and nested blocks from plan values instead of a syntax tree (no expressions)."""

    values: PlanValues

    def has(self, key: str) -> bool:
        return self.values.has(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def expr(self, key: str) -> hcl.Expr | None:
        return None

    def blocks(self, type_: str) -> list[TfRecord]:
        return self.values.blocks(type_, self)  # type: ignore[arg-type]


class PlanRecord(_PlanBacked, TfRecord):
    """A nested block of a planned resource, behind the TfRecord interface."""

    values: PlanValues

    def __init__(self, instance: InstanceScope, source: SourceFile, block: Block, values: PlanValues) -> None:
        super().__init__(instance, source, block)
        self.values = values


class PlanResource(_PlanBacked, TfResource):
    """A planned resource instance, behind the TfResource interface every extractor reads."""

    values: PlanValues

    def __init__(
        self,
        instance: InstanceScope,
        source: SourceFile,
        block: Block,
        type_: str,
        name: str,
        key: str | int | None,
        values: PlanValues,
        address: str,
        config: dict[str, Any],
        defaults: Any = None,
    ) -> None:
        super().__init__(instance, source, block, type=type_, name=name, key=key)
        self.values = values
        self._address = address
        self._config = config  # the configuration's entry for this resource ({} when the plan has none)
        self._defaults = defaults  # the provider's default_tags in the configuration (a map, Unknown or None)

    @property
    def address(self) -> str:
        return self._address

    @property
    def multiplicity(self) -> str | None:
        origin = self.values.origin
        if isinstance(origin, TfResource) and origin.multiplicity:
            return origin.multiplicity
        for key in ("count", "for_each"):
            expression = self._config.get(f"{key}_expression")
            if isinstance(expression, dict):
                constant, references = expression.get("constant_value"), expression.get("references")
                shown = (
                    constant
                    if isinstance(constant, int | str) and not isinstance(constant, bool)
                    else references[0]
                    if isinstance(references, list) and references
                    else "<expression>"
                )
                return f"{key} = {shown}"
        return None

    @property
    def provider_tags(self) -> tuple[Any, Location] | None:
        """Provider `default_tags`: the keys of `tags_all` that the resource's own `tags` do not set.

        A type without `tags_all` gets the source's provider block, else the plan's provider configuration.
        """
        origin = self.values.origin
        theirs = origin.provider_tags if isinstance(origin, TfResource) else None
        raw = self.values.raw
        everything = raw.get("tags_all")
        if "tags_all" not in raw or not isinstance(everything, dict | Unknown):
            if theirs is None and self._defaults is not None:
                return self._defaults, self.location
            return theirs
        where = theirs[1] if theirs is not None else self.location
        if isinstance(everything, Unknown):
            return theirs if theirs is not None else (everything, where)
        own = raw.get("tags")
        defaults = {k: v for k, v in everything.items() if not (isinstance(own, dict) and k in own)}
        if not defaults:
            return None
        if theirs is not None and isinstance(theirs[0], dict) and deep_unknown(theirs[0]) is None:
            known = plain(theirs[0])
            if all(known.get(k) == v for k, v in defaults.items()):
                return theirs  # the provider block says the same, with lines
        return defaults, where


def reference(expression: Any, prefix: str) -> Ref | None:
    """A Ref when the configuration's `references` name exactly one resource (`aws_iam_role.ci.name`)."""
    references = expression.get("references") if isinstance(expression, dict) else None
    if not isinstance(references, list):
        return None
    found: dict[str, tuple[str, str | None]] = {}
    for text in references:
        match = _REFERENCE_RE.match(text) if isinstance(text, str) else None
        if match is None or text.split(".", 1)[0] in _NOT_RESOURCES:
            continue
        base, key, attribute = match.group(1), match.group(2) or "", match.group(3)
        attribute = KEY_RE.sub("", attribute).replace("[*]", "") if attribute else None
        current = found.get(base)
        if current is None or (len(base + key), len(attribute or "")) > (len(current[0]), len(current[1] or "")):
            found[base] = (base + key, attribute or None)
    if len(found) != 1:
        return None
    address, attribute = next(iter(found.values()))
    return Ref(prefix + address, attribute)


def _decoded(value: Any) -> Any:
    """A policy written as a JSON string, as its structure: statements then point at the value's line."""
    if isinstance(value, str) and value.lstrip().startswith("{") and "Statement" in value:
        try:
            document = json.loads(value)
        except (ValueError, RecursionError):
            return value
        if isinstance(document, dict):
            return Encoded(document)
    return value


def _normal(value: Any) -> Any:
    """A value for comparison: JSON strings and jsonencode() decoded, wrappers stripped."""
    if isinstance(value, Encoded):
        value = value.value
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return value
    return plain(value)


def _as_configs(value: Any) -> list[dict[str, Any] | None]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item if isinstance(item, dict) else None for item in value]
    return []


def skeleton(type_: str, labels: tuple[str, ...], expressions: Any, line: int, end_line: int) -> Block:
    """A stand-in block whose attributes are the references the configuration records: what extractors
    that look for references (the `time_rotating` a key is replaced with) need, and nothing else."""
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for name, expression in expressions.items() if isinstance(expressions, dict) else ():
        references = expression.get("references") if isinstance(expression, dict) else None
        if isinstance(references, list):
            items = tuple(_reference_expr(r, line) for r in references if isinstance(r, str) and r)
            attributes[name] = Attribute(name, hcl.TupleExpr(items, line, line), line, line)
        elif isinstance(expression, list):
            blocks.extend(skeleton(name, (), item, line, end_line) for item in expression if isinstance(item, dict))
    block = Block(type_, labels, line, end_line)
    block._body = Body(attributes, blocks)
    return block


def _reference_expr(text: str, line: int) -> hcl.Expr:
    parts = KEY_RE.sub("", text).split(".")
    expr: hcl.Expr = hcl.Name(parts[0], line)
    for part in parts[1:]:
        expr = hcl.GetAttr(expr, part, line)
    return expr
