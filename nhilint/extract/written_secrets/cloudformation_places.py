"""Where CloudFormation and SAM templates hold free-form values: Tags, environment variables, user data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from nhilint.extract.written_secrets.notes import BASE64, CONTAINERS, MAP, Noted, assignments, decoded, env_list, note
from nhilint.model import LiteralSecret, Location
from nhilint.values import LDict

if TYPE_CHECKING:
    from nhilint.extract.cloudformation.base import Stack
    from nhilint.parse.cloudformation import Resource

_SUB_VARIABLE = re.compile(r"\$\{(?!!)[^}]*\}")  # `${Name}` in Fn::Sub (`${!Literal}` is text)


CLOUDFORMATION: dict[str, tuple[tuple[str, str], ...]] = {
    **dict.fromkeys(("AWS::Lambda::Function", "AWS::Serverless::Function"), (("Environment.Variables", MAP),)),
    "AWS::ECS::TaskDefinition": (("ContainerDefinitions", CONTAINERS),),
    **dict.fromkeys(("AWS::EC2::Instance", "AWS::AutoScaling::LaunchConfiguration"), (("UserData", BASE64),)),
    "AWS::EC2::LaunchTemplate": (("LaunchTemplateData.UserData", BASE64),),
}
SAM_GLOBALS = (("Function.Environment.Variables", MAP),)
# A resource type's places as (path, steps to the parent, key, shape), split once per type: this runs for
# every resource, and most have none of them.
_PLACES: dict[str, tuple[tuple[str, tuple[str, ...], str, str], ...]] = {}


def _places(spots: tuple[tuple[str, str], ...]) -> tuple[tuple[str, tuple[str, ...], str, str], ...]:
    return tuple((path, tuple(path.split(".")[:-1]), path.rpartition(".")[2], shape) for path, shape in spots)


def cloudformation(stack: Stack, resource: Resource) -> None:
    """Note the literal values of a resource's Tags, environment variables and user data (and, once per
    template, of the SAM `Globals`, the parameters' defaults and the outputs)."""
    places = _PLACES.get(resource.type)
    if places is None:
        places = _PLACES[resource.type] = _places((("Tags", MAP), *CLOUDFORMATION.get(resource.type, ())))
    properties = resource.properties
    if any((steps[0] if steps else key) in properties for _, steps, key, _ in places):
        _cfn(stack, stack.address(resource.logical_id), properties, places, resource.location)
    done = stack.builder.side(Noted).templates_read
    if stack.path not in done:
        done.add(stack.path)
        if stack.template.globals:
            _cfn(stack, stack.address("Globals"), stack.template.globals, _places(SAM_GLOBALS), resource.location)
        _parameters_and_outputs(stack)


def _parameters_and_outputs(stack: Stack) -> None:
    """A parameter's Default and an output's Value are in the template, shown by the console and
    `describe-stacks`: judged by the detector and by the parameter's or output's name. (A NoEcho
    parameter's default is reported whatever it holds, by the template extractor.)"""
    for name, parameter in stack.template.parameters.items():
        default = parameter.default
        if parameter.has_default and not parameter.no_echo and isinstance(default, str) and default.strip():
            at = Location(stack.path, parameter.default_line, parameter.default_line)
            secret = LiteralSecret(stack.address(name), "Default", at, parameter.location, None, "aws")
            note(stack.builder, secret, default, name)
    outputs = stack.template.outputs
    for name, output in outputs.items():
        if isinstance(output, LDict) and "Value" in output:
            line = output.line_of("Value")
            block = Location(stack.path, outputs.line_of(name), line)
            _noted(stack, stack.address(f"Outputs.{name}"), "Value", output["Value"], line, block, name)


def _noted(
    stack: Stack, address: str, attribute: str, value: Any, line: int, block: Location, name: str | None
) -> None:
    """Note each literal text of `value`; `name` judges it too when the value is one plain text."""
    at = Location(stack.path, line, line)
    for text in _cfn_texts(value):
        secret = LiteralSecret(address, attribute, at, block, None, "aws")
        note(stack.builder, secret, text, name if isinstance(value, str) else None)


def _cfn(
    stack: Stack,
    address: str,
    properties: LDict,
    places: tuple[tuple[str, tuple[str, ...], str, str], ...],
    block: Location,
) -> None:
    def noted(attribute: str, value: Any, line: int, decode: bool = False, name: str | None = None) -> None:
        if not decode:
            _noted(stack, address, attribute, value, line, block, name)
            return
        secret = LiteralSecret(address, attribute, Location(stack.path, line, line), block, None, "aws")
        for text in _cfn_texts(value):
            script = decoded(text)
            note(stack.builder, secret, script)
            for variable, assigned in assignments(script):  # `export DB_PASSWORD=...`
                note(stack.builder, secret, assigned, variable)

    for path, steps, key, shape in places:
        parent: Any = properties
        for step in steps:
            parent = parent.get(step) if isinstance(parent, dict) else None
        if not isinstance(parent, LDict) or key not in parent:
            continue
        value = parent[key]
        if shape == MAP and isinstance(value, LDict):
            for name, item in value.items():  # environment variables are judged by their names too, tags not
                noted(f"{path}.{name}", item, value.line_of(name), name=name if path != "Tags" else None)
        elif shape == MAP and isinstance(value, list):  # Tags: [{Key: k, Value: v}]
            for tag in value:
                if isinstance(tag, LDict) and "Value" in tag:
                    noted(f"{path}.{tag.get('Key', '?')}", tag["Value"], tag.line_of("Value"))
        elif shape == CONTAINERS and isinstance(value, list):
            for label, variable, item, line in env_list(value, "Environment", "Name", "Value", path):
                noted(label, item, line, name=variable)
        elif shape == BASE64:
            noted(path, value, parent.line_of(key), decode=True)


def _cfn_texts(value: Any) -> Iterator[str]:
    """The literal text of a property: strings, the literal parts of `Fn::Sub`, `Fn::Join`, `Fn::Base64`,
    both branches of `Fn::If`; `Ref`, `Fn::GetAtt` and other functions have none."""
    if isinstance(value, str):
        if value.strip():
            yield value
    elif isinstance(value, list):
        for item in value:
            yield from _cfn_texts(item)
    elif isinstance(value, dict) and len(value) == 1:
        ((name, inner),) = value.items()
        if name == "Fn::Sub":
            text, variables = (inner[0], inner[1:]) if isinstance(inner, list) and inner else (inner, [])
            if isinstance(text, str):
                yield from _cfn_texts("\n".join(_SUB_VARIABLE.split(text)))
            yield from (t for item in variables if isinstance(item, dict) for t in _cfn_texts(list(item.values())))
        elif name in ("Fn::Base64", "Fn::Join"):
            yield from _cfn_texts(inner)
        elif name == "Fn::If" and isinstance(inner, list):
            yield from _cfn_texts(inner[1:])
