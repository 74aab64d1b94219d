"""The parts of a plan document nhilint reads, read with their types checked.

`terraform show -json` writes a fixed shape; a hand-edited or truncated plan may not. Each place this module
reads is checked as it is read: a value of the wrong type is a problem named by its JSON pointer
(`/configuration/root_module/resources: expected an array, found a number`) and only the part it spoils is
skipped, so a resource of the wrong shape costs its well-formed siblings nothing. Reading the plan's shape
here, in one walk, rather than against a JSON Schema keeps a plan scan free of jsonschema's import (about
0.2 s) and lets the reader skip exactly what is broken. Nothing read here is the plan's values themselves:
attribute values are free JSON, read by the extractors, which treat an odd value as unknown.

What is read (and so checked): `planned_values` and `resource_changes`, `configuration` (modules through
`module_calls`, resources with their `expressions`, `provider_config`); resources' `address`, `mode`,
`type`, `name`, `index`, `values`, and in a change `actions`, `after` and its unknown and sensitive marks.
`prior_state` and everything else in a plan is never read, so never judged. A problem's reason names types
and pointers, never a value (plans hold secrets).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nhilint.model import Unknown
from nhilint.parse.tfplan_records import AFTER_APPLY, SENSITIVE
from nhilint.values import LDict

_GONE = frozenset({"delete", "forget"})  # actions that leave nothing in the planned state
_OBJECT, _ARRAY, _STRING = "an object", "an array", "a string"
_ANY_MARK = "a boolean, an object or an array"  # what a sensitive or unknown mark may be


def json_kind(value: Any) -> str:
    """The JSON type of a value as a reason names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return _STRING
    return _ARRAY if isinstance(value, list) else _OBJECT if isinstance(value, dict) else type(value).__name__


def pointer(parent: str, key: str | int) -> str:
    """A JSON pointer (RFC 6901) one step below `parent`."""
    return f"{parent}/{str(key).replace('~', '~0').replace('/', '~1')}"


class Shape:
    """Collects where a document departs from the expected shape."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []  # (JSON pointer, what is wrong there)

    def wrong(self, where: str, expected: str, value: Any) -> None:
        self.problems.append((where, f"{where or '/'}: expected {expected}, found {json_kind(value)}"))

    def missing(self, where: str, key: str) -> None:
        self.problems.append((where, f"{where or '/'}: `{key}` is missing"))

    def object(self, parent: dict[str, Any], key: str, where: str) -> dict[str, Any] | None:
        """An optional object (absent: None); any other type is a problem."""
        value = parent.get(key)
        if value is None and key not in parent:
            return None
        if not isinstance(value, dict):
            self.wrong(pointer(where, key), _OBJECT, value)
            return None
        return value

    def array(self, parent: dict[str, Any], key: str, where: str) -> list[Any]:
        """An optional array (absent: empty); any other type is a problem."""
        value = parent.get(key)
        if value is None and key not in parent:
            return []
        if not isinstance(value, list):
            self.wrong(pointer(where, key), _ARRAY, value)
            return []
        return value

    def objects(self, items: list[Any], where: str) -> list[tuple[str, dict[str, Any]]]:
        """The objects of an array with their pointers; an item of another type is a problem."""
        found: list[tuple[str, dict[str, Any]]] = []
        for index, item in enumerate(items):
            if isinstance(item, dict):
                found.append((pointer(where, index), item))
            else:
                self.wrong(pointer(where, index), _OBJECT, item)
        return found


@dataclass(frozen=True, slots=True)
class Entry:
    """One managed resource instance of the plan."""

    address: str
    type: str
    name: str
    key: str | int | None
    values: dict[str, Any] | None  # None: not in the planned state (deleted or forgotten)


def _identity(item: dict[str, Any], where: str, shape: Shape) -> tuple[str, str, str, str | int | None] | None:
    """(address, type, name, index) of a managed resource; None for another mode or a wrong shape."""
    mode = item.get("mode")
    if not isinstance(mode, str):
        (shape.wrong(pointer(where, "mode"), _STRING, mode) if "mode" in item else shape.missing(where, "mode"))
        return None
    if mode != "managed":
        return None
    fields: list[str] = []
    for key in ("address", "type", "name"):
        value = item.get(key)
        if isinstance(value, str) and value:
            fields.append(value)
        elif key in item:
            shape.wrong(pointer(where, key), "a non-empty string", value)
        else:
            shape.missing(where, key)
    index = item.get("index")
    if index is not None and (isinstance(index, bool) or not isinstance(index, str | int)):
        shape.wrong(pointer(where, "index"), "a string or an integer", index)
        return None
    if len(fields) != 3:
        return None
    return fields[0], fields[1], fields[2], index


def resource_instances(document: dict[str, Any], shape: Shape) -> list[Entry]:
    """Managed resource instances: `resource_changes` (with unknowns), then anything only `planned_values` has."""
    found: dict[str, Entry] = {}
    for where, change in shape.objects(shape.array(document, "resource_changes", ""), "/resource_changes"):
        entry = _change(change, where, shape)
        if entry is not None:
            found.setdefault(entry.address, entry)
    planned = shape.object(document, "planned_values", "")
    root = shape.object(planned, "root_module", "/planned_values") if planned is not None else None
    stack = [("/planned_values/root_module", root)] if root is not None else []
    while stack:
        where, module = stack.pop()
        for at, resource in shape.objects(shape.array(module, "resources", where), pointer(where, "resources")):
            identity = _identity(resource, at, shape)
            values = shape.object(resource, "values", at)
            if identity is None or (values is None and "values" in resource):
                continue
            masked = _mask(values or {}, None, resource.get("sensitive_values"), pointer(at, "sensitive_values"), shape)
            entry = Entry(*identity, masked if isinstance(masked, dict) else {})
            found.setdefault(entry.address, entry)
        children = shape.objects(shape.array(module, "child_modules", where), pointer(where, "child_modules"))
        stack.extend(reversed(children))
    return list(found.values())


def _change(change: dict[str, Any], where: str, shape: Shape) -> Entry | None:
    identity = _identity(change, where, shape)
    if identity is None or change.get("deposed"):
        return None
    body = shape.object(change, "change", where)
    if body is None:
        if "change" not in change:
            shape.missing(where, "change")
        return None
    at = pointer(where, "change")
    actions = body.get("actions")
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        shape.wrong(pointer(at, "actions"), "an array of strings", actions)
        return None
    after = body.get("after")
    if after is not None and not isinstance(after, dict):
        shape.wrong(pointer(at, "after"), f"{_OBJECT} or null", after)
        return None
    unknown, sensitive = body.get("after_unknown"), body.get("after_sensitive")
    if (actions and set(actions) <= _GONE) or after is None:
        _mask(None, unknown, sensitive, pointer(at, "after_sensitive"), shape, pointer(at, "after_unknown"))
        return Entry(*identity, None)
    if after and (sensitive is True or unknown is True):  # Terraform marks an object's attributes, not the whole
        key = "after_sensitive" if sensitive is True else "after_unknown"
        shape.wrong(pointer(at, key), "an object of marks over an object `after`", True)  # none of it is read
    masked = _mask(after, unknown, sensitive, pointer(at, "after_sensitive"), shape, pointer(at, "after_unknown"))
    return Entry(*identity, masked if isinstance(masked, dict) else {})


def _mask(value: Any, unknown: Any, sensitive: Any, secret_at: str, shape: Shape, unknown_at: str = "") -> Any:
    """The planned value with Unknown where Terraform knows it only after apply or marks it sensitive.

    A mark is a boolean, or an object or array shaped like the value. A mark of another type, or an object or
    array where the value is not one (`[true]` over a string), is a problem, and the value it covers is
    treated as marked: never read (sensitive), or known after apply.
    """
    if _marks_whole(sensitive, value, secret_at, shape):
        return Unknown(SENSITIVE)
    if _marks_whole(unknown, value, unknown_at, shape):
        return Unknown(AFTER_APPLY)
    if isinstance(value, dict):
        unknown_keys: dict[str, Any] = unknown if isinstance(unknown, dict) else {}
        secret_keys: dict[str, Any] = sensitive if isinstance(sensitive, dict) else {}
        out = {
            str(k): _mask(
                v, unknown_keys.get(k), secret_keys.get(k), pointer(secret_at, k), shape, pointer(unknown_at, k)
            )
            if k in unknown_keys or k in secret_keys
            else v
            for k, v in value.items()
        }
        for key, mark in unknown_keys.items():
            if key not in out and mark:
                out[str(key)] = Unknown(AFTER_APPLY)
        for key, mark in secret_keys.items():
            if key not in value and not isinstance(mark, bool | dict | list):
                shape.wrong(pointer(secret_at, key), _ANY_MARK, mark)
        return out
    if isinstance(value, list):
        unknown_items: list[Any] = unknown if isinstance(unknown, list) else []
        secret_items: list[Any] = sensitive if isinstance(sensitive, list) else []
        marked = max(len(unknown_items), len(secret_items))
        return [
            _mask(
                v,
                unknown_items[i] if i < len(unknown_items) else None,
                secret_items[i] if i < len(secret_items) else None,
                pointer(secret_at, i),
                shape,
                pointer(unknown_at, i),
            )
            if i < marked
            else v
            for i, v in enumerate(value)
        ]
    return value


def _marks_whole(mark: Any, value: Any, at: str, shape: Shape) -> bool:
    """Whether the mark covers all of the value: `true`, or (a problem, so fail closed) a mark of another
    type or an object or array mark over a value that is not one."""
    if mark is not None and not isinstance(mark, bool | dict | list):
        shape.wrong(at, _ANY_MARK, mark)
        return True
    if mark is True:
        return True
    if _misshapen(mark, value):
        shape.wrong(at, _mark_kind(value), mark)
        return True
    return False


def _misshapen(mark: Any, value: Any) -> bool:
    """An object or array mark over a value that is not one (an empty mark over null marks nothing)."""
    if value is None and not mark:
        return False
    return (isinstance(mark, dict) and not isinstance(value, dict)) or (
        isinstance(mark, list) and not isinstance(value, list)
    )


def _mark_kind(value: Any) -> str:
    """The types a mark over `value` may have."""
    return (
        "a boolean or an object"
        if isinstance(value, dict)
        else "a boolean or an array"
        if isinstance(value, list)
        else "a boolean"
    )


ConfigIndex = dict[tuple[tuple[str, ...], str, str], dict[str, Any]]


ProviderIndex = dict[str, dict[str, Any]]


def config_index(document: dict[str, Any], shape: Shape) -> tuple[ConfigIndex, ProviderIndex]:
    """Configuration resources by (module call names, type, name): the same for every instance; and the
    `expressions` of each well-formed `provider_config` by its key."""
    index: ConfigIndex = {}
    checked: ProviderIndex = {}
    configuration = shape.object(document, "configuration", "")
    if configuration is None:
        return index, checked
    providers = shape.object(configuration, "provider_config", "/configuration") or {}
    for key, provider in providers.items():
        at = pointer("/configuration/provider_config", key)
        if not isinstance(provider, dict):
            shape.wrong(at, _OBJECT, provider)
        elif isinstance(expressions := shape.object(provider, "expressions", at), dict):
            _expressions(expressions, pointer(at, "expressions"), shape)
            checked[str(key)] = expressions
    root = shape.object(configuration, "root_module", "/configuration")
    stack: list[tuple[tuple[str, ...], str, dict[str, Any]]] = (
        [((), "/configuration/root_module", root)] if root is not None else []
    )
    while stack:
        path, where, module = stack.pop()
        for at, resource in shape.objects(shape.array(module, "resources", where), pointer(where, "resources")):
            identity = _identity(resource, at, shape)
            expressions = shape.object(resource, "expressions", at)
            if expressions is not None:
                _expressions(expressions, pointer(at, "expressions"), shape)
            if identity is not None and (expressions is not None or "expressions" not in resource):
                index[(path, identity[1], identity[2])] = resource
        calls = shape.object(module, "module_calls", where) or {}
        for name, call in calls.items():
            at = pointer(pointer(where, "module_calls"), name)
            if not isinstance(call, dict):
                shape.wrong(at, _OBJECT, call)
            elif (child := shape.object(call, "module", at)) is not None:
                stack.append(((*path, str(name)), pointer(at, "module"), child))
    return index, checked


def _expressions(expressions: dict[str, Any], where: str, shape: Shape) -> None:
    """An `expressions` object: each attribute an expression object, each nested block an array of them."""
    for name, expression in expressions.items():
        at = pointer(where, name)
        if isinstance(expression, list):
            for item_at, item in shape.objects(expression, at):
                _expressions(item, item_at, shape)
        elif not isinstance(expression, dict):
            shape.wrong(at, "an object or an array", expression)
        elif "references" in expression:
            references = expression["references"]
            if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
                shape.wrong(pointer(at, "references"), "an array of strings", references)
        elif "constant_value" not in expression:
            _expressions(expression, at, shape)  # a nested block written as one object


def line_of(document: Any, where: str) -> int:
    """The line a JSON pointer's value is written on, in a document read with line marks (yamlmarks); the
    line of the deepest object on the way when the pointer goes further than the document."""
    line, current = 1, document
    for step in where.split("/")[1:]:
        key = step.replace("~1", "/").replace("~0", "~")
        if isinstance(current, LDict) and key in current:
            line, current = current.line_of(key), current[key]
        elif isinstance(current, list) and key.isdigit() and int(key) < len(current):
            current = current[int(key)]
            line = current.line if isinstance(current, LDict) else line
        else:
            break
    return line
