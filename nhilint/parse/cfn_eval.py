"""Evaluate CloudFormation intrinsic functions the way a deploy would, as far as the template alone allows.

`Ref` to a parameter gives its Default; `Ref`/`Fn::GetAtt` to a resource of the same template gives a
`Ref("<template>#<LogicalId>", attribute)` that the Builder links like a Terraform reference; pseudo
parameters give what they stand for (`AWS::AccountId` -> the current-account marker). `Fn::Sub`,
`Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If`, `Fn::FindInMap` and conditions are evaluated; anything
that depends on the deploy (`Fn::ImportValue`, `Fn::GetAZs`, a parameter without Default, an SSM
parameter, `{{resolve:...}}`) is `Unknown(reason)`, never a guess. `Ref AWS::NoValue` removes the
property or list item, as CloudFormation does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nhilint.model import CURRENT_ACCOUNT, Unknown
from nhilint.model_inputs import ParseError
from nhilint.parse.cloudformation import Template, tight_end
from nhilint.values import LDict, Ref, kind_of

DYNAMIC = "{{resolve:"  # a dynamic reference (`{{resolve:ssm:...}}`): its value exists only at deploy


def _dynamic(text: str) -> Unknown:
    return Unknown(f"{text} is a dynamic reference resolved at deploy")


class _NoValue:
    """`Ref: AWS::NoValue`: the enclosing property or list item is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

# Pseudo parameters with a value nhilint can use; the others are known only at deploy.
PSEUDO: dict[str, str] = {"AWS::AccountId": CURRENT_ACCOUNT, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
# Inside Fn::Sub these stay as written: they name one specific value (never a wildcard), like a resource ARN.
PLACEHOLDERS = frozenset({"AWS::Region", "AWS::StackName", "AWS::StackId"})
_SUB_RE = re.compile(r"\$\{([^}]*)\}")
_MARKER_RE = re.compile(r"\$\{([^${}]+#[A-Za-z0-9~]+)(?:\.([A-Za-z0-9_.]+))?\}")


def marker(ref: Ref) -> str:
    """How a reference to a resource reads inside a string: `${template.yaml#Bucket.Arn}`."""
    return f"${{{ref}}}"


def marker_ref(text: str) -> Ref | None:
    """The Ref when a string is exactly one template reference marker."""
    match = _MARKER_RE.fullmatch(text)
    return Ref(match.group(1), match.group(2)) if match else None


def markers_in(text: str) -> list[Ref]:
    return [Ref(m.group(1), m.group(2)) for m in _MARKER_RE.finditer(text)]


class Evaluator:
    """Evaluates values of one template. `overrides` replace every non-pseudo `Ref` (SAM policy templates)."""

    def __init__(self, template: Template, overrides: Mapping[str, Any] | None = None) -> None:
        self.template = template
        self.overrides = overrides
        self._conditions: dict[str, bool | Unknown] = {}
        self._evaluating: set[str] = set()
        self._line = 0  # the innermost mapping being evaluated: where a limit finding points

    def with_overrides(self, overrides: Mapping[str, Any]) -> Evaluator:
        return Evaluator(self.template, overrides)

    def address(self, logical_id: str) -> str:
        return f"{self.template.path}#{logical_id}"

    # -- values -------------------------------------------------------------------------------------

    def too_deep(self, depth: int) -> Unknown | None:
        """Past `max_depth` (values, intrinsic functions and condition chains nested in each other) the value
        is unknown and the template gets one limit finding, so evaluation never recurses without bound."""
        limits = self.template.limits
        if depth <= limits.max_depth:
            return None
        reason = f"intrinsic functions nested deeper than {limits.describe('max_depth')}; the value is unknown"
        error = ParseError(self.template.path, self._line or 1, reason, "limit")
        if error not in self.template.errors:
            self.template.errors.append(error)
        return Unknown(reason)

    def value(self, node: Any, depth: int = 0) -> Any:
        """The evaluated value; LDicts keep their lines, NO_VALUE items are dropped."""
        template = self.template
        if depth > template.limits.max_depth:
            return self.too_deep(depth)
        kind = type(node)
        if kind is str:  # most nodes: a plain string
            return _dynamic(node) if DYNAMIC in node else node
        if kind is LDict or isinstance(node, dict):
            if isinstance(node, LDict):
                line, end, path, key_lines = node.line, node.end_line, node.path, node.key_lines
                if line and path in (None, template.path):
                    self._line = line
            else:
                line, end, path, key_lines = 0, 0, None, None
            if len(node) == 1:
                key = next(iter(node))
                if key == "Ref" or key.startswith("Fn::"):
                    return self._intrinsic(key, node[key], depth + 1)
            if line:
                end = tight_end(template.lines, line, end)
            result = LDict((), line, end, path or template.path)
            result.key_lines = key_lines
            inner = depth + 1
            plain = inner <= template.limits.max_depth  # a plain string item is itself (`value`, inlined)
            for key, item in node.items():
                if plain and type(item) is str and DYNAMIC not in item:
                    result[key] = item
                    continue
                evaluated = self.value(item, inner)
                if evaluated is not NO_VALUE:
                    result[key] = evaluated
            return result
        if isinstance(node, list):
            inner = depth + 1
            items: list[Any] = []
            plain = inner <= template.limits.max_depth  # as for a mapping: a plain string item is itself
            for item in node:
                if plain and type(item) is str and DYNAMIC not in item:
                    items.append(item)
                    continue
                evaluated = self.value(item, inner)
                if evaluated is not NO_VALUE:
                    items.append(evaluated)
            return items
        if isinstance(node, str) and DYNAMIC in node:
            return _dynamic(node)
        return node

    def _intrinsic(self, name: str, arg: Any, depth: int) -> Any:
        if name == "Ref":
            return self.ref(arg, depth)
        handler = _FUNCTIONS.get(name)
        if handler is None:
            return Unknown(f"{name} is evaluated only at deploy")
        return handler(self, arg, depth)

    def ref(self, arg: Any, depth: int = 0) -> Any:
        name = self.value(arg, depth + 1) if isinstance(arg, dict) else arg
        if not isinstance(name, str):
            return Unknown("Ref to something that is not a name")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO:
            return PSEUDO[name]
        if name.startswith("AWS::"):
            return Unknown(f"{name} is known only at deploy")
        if self.overrides is not None:
            if name in self.overrides:
                return self.overrides[name]
            return Unknown(f"policy template parameter {name} is not given")
        parameter = self.template.parameters.get(name)
        if parameter is not None:
            return self._parameter(name)
        if name in self.template.resources:
            return Ref(self.address(name))
        return Unknown(f"Ref to {name}, which is not in the template")

    def _parameter(self, name: str) -> Any:
        parameter = self.template.parameters[name]
        if parameter.type.startswith("AWS::SSM::Parameter::Value"):
            return Unknown(f"parameter {name} is read from SSM at deploy")
        if not parameter.has_default:
            return Unknown(f"parameter {name} has no Default; its value is given at deploy")
        default = parameter.default
        if (parameter.type == "CommaDelimitedList" or parameter.type.startswith("List<")) and isinstance(default, str):
            return [item.strip() for item in default.split(",")]
        return default

    def get_att(self, arg: Any, depth: int = 0) -> Any:
        if isinstance(arg, str) and "." in arg:
            arg = arg.split(".", 1)
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::GetAtt needs [LogicalId, Attribute]")
        logical_id, attribute = arg[0], self.value(arg[1], depth + 1)
        if not isinstance(logical_id, str) or not isinstance(attribute, str):
            return Unknown("Fn::GetAtt with an attribute that could not be evaluated")
        if logical_id not in self.template.resources:
            return Unknown(f"Fn::GetAtt of {logical_id}, which is not in the template")
        return Ref(self.address(logical_id), attribute)

    def sub(self, arg: Any, depth: int = 0) -> Any:
        variables: dict[str, Any] = {}
        text = arg
        if isinstance(arg, list):
            if len(arg) != 2 or not isinstance(arg[1], dict):
                return Unknown("Fn::Sub needs a string or [string, {variables}]")
            text = arg[0]
            variables = {str(k): self.value(v, depth + 1) for k, v in arg[1].items()}
        if not isinstance(text, str):
            return Unknown("Fn::Sub of something that is not a string")
        whole = _SUB_RE.fullmatch(text)
        if whole is not None and not whole.group(1).startswith("!"):
            single = self._sub_variable(whole.group(1), variables, depth)
            if isinstance(single, Ref | Unknown) or single is NO_VALUE:
                return single if single is not NO_VALUE else Unknown("AWS::NoValue in Fn::Sub")
        parts: list[str] = []
        position = 0
        for match in _SUB_RE.finditer(text):
            parts.append(text[position : match.start()])
            position = match.end()
            name = match.group(1)
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")
                continue
            value = self._sub_variable(name, variables, depth)
            rendered = _render(value)
            if isinstance(rendered, Unknown):
                return rendered
            parts.append(rendered)
        parts.append(text[position:])
        return "".join(parts)

    def _sub_variable(self, name: str, variables: dict[str, Any], depth: int) -> Any:
        name = name.strip()
        if name in variables:
            return variables[name]
        if name in PLACEHOLDERS:
            return "${" + name + "}"
        if name.startswith("AWS::") or name in self.template.parameters or name in self.template.resources:
            return self.ref(name, depth + 1)
        if self.overrides is not None and name in self.overrides:
            return self.overrides[name]
        logical_id, dot, attribute = name.partition(".")
        if dot and logical_id in self.template.resources:
            return Ref(self.address(logical_id), attribute)
        if ":" in name:
            return "${" + name + "}"  # an IAM policy variable such as ${aws:username}: kept as written
        return Unknown(f"${{{name}}} in Fn::Sub names nothing in the template")

    def join(self, arg: Any, depth: int = 0) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::Join needs [delimiter, [values]]")
        delimiter = self.value(arg[0], depth + 1)
        items = self.value(arg[1], depth + 1)
        if not isinstance(delimiter, str):
            return Unknown("Fn::Join with a delimiter that could not be evaluated")
        if isinstance(items, Unknown):
            return items
        if not isinstance(items, list):
            return Unknown("Fn::Join of something that is not a list")
        parts = []
        for item in items:
            rendered = _render(item)
            if isinstance(rendered, Unknown):
                return rendered
            parts.append(rendered)
        return delimiter.join(parts)

    def select(self, arg: Any, depth: int = 0) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::Select needs [index, [values]]")
        index = self.value(arg[0], depth + 1)
        items = self.value(arg[1], depth + 1)
        if isinstance(items, Unknown):
            return items
        try:
            position = int(index)
        except (TypeError, ValueError):
            return Unknown("Fn::Select with an index that could not be evaluated")
        if not isinstance(items, list) or not 0 <= position < len(items):
            return Unknown(f"Fn::Select index {position} is out of range")
        return items[position]

    def split(self, arg: Any, depth: int = 0) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::Split needs [delimiter, string]")
        delimiter, text = self.value(arg[0], depth + 1), self.value(arg[1], depth + 1)
        if not isinstance(delimiter, str) or not delimiter or not isinstance(text, str):
            return text if isinstance(text, Unknown) else Unknown("Fn::Split of a value that could not be evaluated")
        return text.split(delimiter)

    def if_(self, arg: Any, depth: int = 0) -> Any:
        if not isinstance(arg, list) or len(arg) != 3 or not isinstance(arg[0], str):
            return Unknown("Fn::If needs [condition, value if true, value if false]")
        chosen = self.condition(arg[0], depth + 1)
        if isinstance(chosen, Unknown):
            return Unknown(f"condition {arg[0]} could not be evaluated: {chosen.reason}")
        return self.value(arg[1] if chosen else arg[2], depth + 1)

    def find_in_map(self, arg: Any, depth: int = 0) -> Any:
        if not isinstance(arg, list) or len(arg) < 3:
            return Unknown("Fn::FindInMap needs [map, key, key]")
        keys = [self.value(item, depth + 1) for item in arg[:3]]
        for key in keys:
            if not isinstance(key, str | int):
                return key if isinstance(key, Unknown) else Unknown("Fn::FindInMap key could not be evaluated")
        current: Any = self.template.mappings
        for key in keys:
            if not isinstance(current, dict) or str(key) not in current:
                if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
                    return self.value(arg[3]["DefaultValue"], depth + 1)
                return Unknown(f"Fn::FindInMap: {'/'.join(str(k) for k in keys)} is not in Mappings")
            current = current[str(key)]
        return self.value(current, depth + 1)

    # -- conditions ---------------------------------------------------------------------------------

    def condition(self, name: str, depth: int = 0) -> bool | Unknown:
        """The value of a named condition (memoised; a cycle is Unknown)."""
        deep = self.too_deep(depth)
        if deep is not None:
            return deep
        if name in self._conditions:
            return self._conditions[name]
        if name not in self.template.conditions:
            return Unknown(f"condition {name} is not in the template")
        if name in self._evaluating:
            return Unknown(f"condition {name} refers to itself")
        self._evaluating.add(name)
        result = self._test(self.template.conditions[name], depth + 1)
        self._evaluating.discard(name)
        self._conditions[name] = result
        return result

    def _test(self, node: Any, depth: int) -> bool | Unknown:
        deep = self.too_deep(depth)
        if deep is not None:
            return deep
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict) or len(node) != 1:
            return Unknown("a condition that is not a condition function")
        key, arg = next(iter(node.items()))
        if key == "Condition" and isinstance(arg, str):
            return self.condition(arg, depth + 1)
        if key == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            left, right = (_render(self.value(a, depth + 1)) for a in arg)
            if isinstance(left, Unknown):
                return left
            if isinstance(right, Unknown):
                return right
            return bool(left == right)
        if key == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            inner = self._test(arg[0], depth + 1)
            return inner if isinstance(inner, Unknown) else not inner
        if key in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            results = [self._test(item, depth + 1) for item in arg]
            known = [r for r in results if isinstance(r, bool)]
            decided = (False in known) if key == "Fn::And" else (True in known)
            if decided:
                return bool(key == "Fn::Or")
            unknown = next((r for r in results if isinstance(r, Unknown)), None)
            return unknown if unknown is not None else bool(key == "Fn::And")
        return Unknown(f"{key} is not a condition function nhilint evaluates")


def _render(value: Any) -> str | Unknown:
    """A value as it reads inside Fn::Sub / Fn::Join; a resource reference becomes its marker."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Ref):
        return marker(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return Unknown(f"{kind_of(value)} where a string is expected")


def _unknown(name: str) -> Any:
    def handler(evaluator: Evaluator, arg: Any, depth: int) -> Any:
        return Unknown(f"{name} is evaluated only at deploy")

    return handler


_FUNCTIONS: dict[str, Any] = {
    "Fn::GetAtt": Evaluator.get_att,
    "Fn::Sub": Evaluator.sub,
    "Fn::Join": Evaluator.join,
    "Fn::Select": Evaluator.select,
    "Fn::Split": Evaluator.split,
    "Fn::If": Evaluator.if_,
    "Fn::FindInMap": Evaluator.find_in_map,
    "Fn::ImportValue": _unknown("Fn::ImportValue (a value exported by another stack)"),
    "Fn::GetAZs": _unknown("Fn::GetAZs"),
}
