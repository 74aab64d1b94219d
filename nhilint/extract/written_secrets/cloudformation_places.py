"""Where CloudFormation and SAM templates hold free-form values: Tags, environment variables, user data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from nhilint.extract.written_secrets.notes import BASE64, CONTAINERS, MAP, Noted, decoded, env_list, note
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


def cloudformation(stack: Stack, resource: Resource) -> None:
    """Note the literal values of a resource's Tags, environment variables and user data (and, once per
    template, of the SAM `Globals`)."""
    address = stack.address(resource.logical_id)
    _cfn(
        stack, address, resource.properties, (("Tags", MAP), *CLOUDFORMATION.get(resource.type, ())), resource.location
    )
    done = stack.builder.side(Noted).globals_read
    if stack.template.globals and stack.path not in done:
        done.add(stack.path)
        _cfn(stack, stack.address("Globals"), stack.template.globals, SAM_GLOBALS, resource.location)


def _cfn(stack: Stack, address: str, properties: LDict, spots: tuple[tuple[str, str], ...], block: Location) -> None:
    def noted(attribute: str, value: Any, line: int, decode: bool = False) -> None:
        at = Location(stack.path, line, line)
        for text in _cfn_texts(value):
            secret = LiteralSecret(address, attribute, at, block, None, "aws")
            note(stack.builder, secret, decoded(text) if decode else text)

    for path, shape in spots:
        *steps, key = path.split(".")
        parent: Any = properties
        for step in steps:
            parent = parent.get(step) if isinstance(parent, dict) else None
        if not isinstance(parent, LDict) or key not in parent:
            continue
        value = parent[key]
        if shape == MAP and isinstance(value, LDict):
            for name, item in value.items():
                noted(f"{path}.{name}", item, value.line_of(name))
        elif shape == MAP and isinstance(value, list):  # Tags: [{Key: k, Value: v}]
            for tag in value:
                if isinstance(tag, LDict) and "Value" in tag:
                    noted(f"{path}.{tag.get('Key', '?')}", tag["Value"], tag.line_of("Value"))
        elif shape == CONTAINERS and isinstance(value, list):
            for label, item, line in env_list(value, "Environment", "Name", "Value", path):
                noted(label, item, line)
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
