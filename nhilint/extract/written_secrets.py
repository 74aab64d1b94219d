"""Secret values written in free-form places: tags, labels, annotations, environment variables, user data.

These places hold whatever a user types, so no attribute name says "secret" (unlike `secret_string` or a
Secret's `data`, read by each platform's table). Every literal text found there is judged by the secret
detector (`nhilint.secrets.detect_many`); what it recognises becomes a `LiteralSecret` (rule NHI-CRED-002)
that points at the key holding the value and never keeps the value.

Per format, a table names where the free-form values are: Terraform resource types -> nested block paths
and how the value is written (a map, a text, base64 text, ECS container definitions); CloudFormation
resource types -> property paths; Kubernetes objects -> metadata, the containers of Pod templates and
ConfigMap data. Only what is literally written is judged: a reference, a variable or a function of them is
not a value in the code (values of sensitive variables are hidden by the redaction layer, `nhilint.redact`).

Candidates are collected while extracting and judged together when the Builder finishes (one detector
session per scan), then each secret gets the identity its resource is, or runs as, from the finished
inventory (`owners`). A value no plugin could flag never imports detect-secrets (`nhilint.secrets`).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import yaml

from nhilint.model import Inventory, LiteralSecret, Location
from nhilint.parse import hcl
from nhilint.parse.terraform import TfRecord
from nhilint.parse.yamlmarks import load_located
from nhilint.secrets import detect_many
from nhilint.values import LDict

if TYPE_CHECKING:
    from nhilint.extract.builder import Builder
    from nhilint.extract.cloudformation.base import Stack
    from nhilint.parse.cloudformation import Resource
    from nhilint.parse.terraform import TfResource

MAP, TEXT, BASE64, CONTAINERS = "map", "text", "base64", "containers"

# -- Terraform: resource type -> (nested blocks '.' attribute, how the value is written) -------------------
_USER_DATA = (("user_data", BASE64), ("user_data_base64", BASE64))
_APP_SETTINGS = (("app_settings", MAP),)
TERRAFORM: dict[str, tuple[tuple[str, str], ...]] = {
    "aws_lambda_function": (("environment.variables", MAP),),
    "aws_ecs_task_definition": (("container_definitions", CONTAINERS),),
    **dict.fromkeys(("aws_instance", "aws_launch_template", "aws_launch_configuration"), _USER_DATA),
    "google_cloudfunctions_function": (("environment_variables", MAP), ("build_environment_variables", MAP)),
    "google_cloudfunctions2_function": (
        ("service_config.environment_variables", MAP),
        ("build_config.environment_variables", MAP),
    ),
    "google_compute_instance": (("metadata", MAP), ("metadata_startup_script", TEXT)),
    **dict.fromkeys(
        (
            f"azurerm_{kind}{slot}"
            for kind in (
                "linux_function_app",
                "windows_function_app",
                "function_app",
                "app_service",
                "linux_web_app",
                "windows_web_app",
            )
            for slot in ("", "_slot")
        ),
        _APP_SETTINGS,
    ),
    **dict.fromkeys(
        (
            "azurerm_linux_virtual_machine",
            "azurerm_windows_virtual_machine",
            "azurerm_virtual_machine",
            "azurerm_linux_virtual_machine_scale_set",
            "azurerm_windows_virtual_machine_scale_set",
        ),
        (("custom_data", BASE64), ("user_data", BASE64)),
    ),
}
TAGS = ("tags", "tags_all", "labels")  # on any resource an extractor reads
# Types whose containers' `env { name value }` blocks (at any depth) are environment variables; kubernetes_*
# types also have `metadata { annotations labels }` blocks at any depth (the object's and its Pod template's).
ENV_PREFIXES = ("kubernetes_", "google_cloud_run_")
_PLATFORMS = {"aws": "aws", "google": "gcp", "azurerm": "azure", "azuread": "azure", "kubernetes": "kubernetes"}
_SUB_VARIABLE = re.compile(r"\$\{(?!!)[^}]*\}")  # `${Name}` in Fn::Sub (`${!Literal}` is text)
_READS_FILES = frozenset({"file", "filebase64", "templatefile", "fileexists", "filemd5", "filesha256"})


def terraform(resource: TfResource, builder: Builder) -> None:
    """Note the literal values of `resource`'s tags, environment variables, user data and metadata."""
    platform = _PLATFORMS.get(resource.type.split("_", 1)[0], resource.type.split("_", 1)[0])

    def note(attribute: str, value: str, line: int, end: int | None = None) -> None:
        at = Location(resource.path, line, end or line)
        _note(builder, LiteralSecret(resource.address, attribute, at, resource.location, None, platform), value)

    for name in TAGS:
        _tf_map(resource, name, name, note)
    for path, shape in TERRAFORM.get(resource.type, ()):
        *blocks, name = path.split(".")
        for record in _nested(resource, blocks):
            if shape == MAP:
                _tf_map(record, name, path, note)
            elif shape == CONTAINERS:
                _tf_containers(record, name, note)
            elif (expr := record.expr(name)) is not None:
                at = record.at(name)
                for text in _texts(expr):
                    note(name, _decoded(text) if shape == BASE64 else text, at.start_line, at.end_line)
    if resource.type.startswith(ENV_PREFIXES):
        for blocks_to, record in _all_blocks(resource, ()):
            if blocks_to[-1:] == ("env",) and (value := record.expr("value")) is not None:
                label = f"env[{_literal_name(record.expr('name'))}]"
                for text in _texts(value):
                    note(label, text, record.line("value"))
            elif blocks_to[-1:] == ("metadata",) and resource.type.startswith("kubernetes_"):
                for name in ("annotations", "labels"):
                    _tf_map(record, name, ".".join((*blocks_to, name)), note)


def _nested(record: TfRecord, blocks: list[str]) -> Iterator[TfRecord]:
    if not blocks:
        yield record
        return
    for child in record.blocks(blocks[0]):
        yield from _nested(child, blocks[1:])


def _all_blocks(record: TfRecord, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], TfRecord]]:
    """Every nested block, at any depth, with the block types leading to it."""
    for block in record.block.body.blocks:
        child = TfRecord(record.instance, record.source, block, evaluator=record.evaluator)
        yield (*path, block.type), child
        yield from _all_blocks(child, (*path, block.type))


def _tf_map(record: TfRecord, name: str, label: str, note: Callable[..., None]) -> None:
    """Each literal value of a map attribute (`tags = { k = "v" }`), at the line of its key."""
    expr = record.expr(name)
    if isinstance(expr, hcl.Call) and expr.name in ("merge", "tomap"):  # merge(local.common, { k = "v" })
        items = [item for arg in expr.args if isinstance(arg, hcl.ObjectExpr) for item in arg.items]
    elif isinstance(expr, hcl.ObjectExpr):
        items = list(expr.items)
    else:
        return
    for key, value in items:
        for text in _texts(value):
            note(f"{label}.{_literal_name(key)}", text, getattr(key, "line", 0) or record.line(name))


def _tf_containers(record: TfRecord, name: str, note: Callable[..., None]) -> None:
    """ECS `container_definitions`: `jsonencode([...])`, or JSON text (a heredoc); each `environment` value."""
    expr = record.expr(name)
    if isinstance(expr, hcl.Call) and expr.name == "jsonencode" and len(expr.args) == 1:
        containers = expr.args[0].items if isinstance(expr.args[0], hcl.TupleExpr) else ()
        for container in containers:
            fields = _fields(container)
            environment = fields.get("environment")
            for item in environment.items if isinstance(environment, hcl.TupleExpr) else ():
                env = _fields(item)
                if "value" in env:
                    label = f"{name}[{_literal_name(fields.get('name'))}].environment[{_literal_name(env.get('name'))}]"
                    for text in _texts(env["value"]):
                        note(label, text, getattr(env["value"], "line", 0) or record.line(name))
        return
    if isinstance(expr, hcl.Literal) and isinstance(expr.value, str):
        try:
            document = load_located(expr.value, record.value_line(name))
        except (yaml.YAMLError, ValueError):  # not JSON: judged as text below
            document = None
        if isinstance(document, list):
            for label, value, line in _env_list(document, "environment", "name", "value", name):
                if isinstance(value, str) and value.strip():
                    note(label, value, line or record.line(name))
            return
    if expr is not None:
        for text in _texts(expr):
            note(name, text, record.line(name))


def _fields(expr: hcl.Expr | None) -> dict[str, hcl.Expr]:
    if not isinstance(expr, hcl.ObjectExpr):
        return {}
    return {_literal_name(key): value for key, value in expr.items}


def _literal_name(expr: Any) -> str:
    """A key or name as written (`?` when it is computed)."""
    if isinstance(expr, hcl.Name):
        return expr.name
    if isinstance(expr, hcl.Literal) and expr.value is not None:
        return str(expr.value)
    if isinstance(expr, hcl.Template) and all(isinstance(part, str) for part in expr.parts):
        return "".join(str(part) for part in expr.parts)
    return "?"


def _texts(expr: hcl.Expr) -> Iterator[str]:
    """The literal text of an expression: strings, the literal parts of templates, both branches of a
    condition, arguments of functions (not file names: `templatefile`'s variables are judged, the file is
    not read); references and variables have none."""
    if isinstance(expr, hcl.Literal):
        if isinstance(expr.value, str) and expr.value.strip():
            yield expr.value
    elif isinstance(expr, hcl.Template):
        literal = "\n".join(part for part in expr.parts if isinstance(part, str) and part.strip())
        if literal:
            yield literal
    elif isinstance(expr, hcl.Conditional):
        yield from _texts(expr.then)
        yield from _texts(expr.otherwise)
    elif isinstance(expr, hcl.Call):
        for arg in expr.args[1:] if expr.name in _READS_FILES else expr.args:  # not the file's name
            yield from _texts(arg)
    elif isinstance(expr, hcl.TupleExpr):
        for item in expr.items:
            yield from _texts(item)
    elif isinstance(expr, hcl.ObjectExpr):
        for _, value in expr.items:
            yield from _texts(value)


def _decoded(text: str) -> str:
    """Base64 user data as the text it encodes (the encoding itself would look like a random token)."""
    try:
        return base64.b64decode("".join(text.split()), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return text


def _env_list(
    containers: list[Any], env_key: str, name_key: str, value_key: str, label: str
) -> Iterator[tuple[str, Any, int]]:
    """(attribute, value, line) of each environment value of a list of container mappings."""
    for container in containers:
        if not isinstance(container, dict):
            continue
        environment = container.get(env_key)
        for item in environment if isinstance(environment, list) else []:
            value = item.get(value_key) if isinstance(item, LDict) else None
            if value is not None:
                yield (
                    f"{label}[{container.get(name_key, '?')}].{env_key}[{item.get(name_key, '?')}]",
                    value,
                    item.line_of(value_key),
                )


# -- CloudFormation: resource type -> (property path, how the value is written) --------------------------

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
    def note(attribute: str, value: Any, line: int, decode: bool = False) -> None:
        at = Location(stack.path, line, line)
        for text in _cfn_texts(value):
            secret = LiteralSecret(address, attribute, at, block, None, "aws")
            _note(stack.builder, secret, _decoded(text) if decode else text)

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
                note(f"{path}.{name}", item, value.line_of(name))
        elif shape == MAP and isinstance(value, list):  # Tags: [{Key: k, Value: v}]
            for tag in value:
                if isinstance(tag, LDict) and "Value" in tag:
                    note(f"{path}.{tag.get('Key', '?')}", tag["Value"], tag.line_of("Value"))
        elif shape == CONTAINERS and isinstance(value, list):
            for label, item, line in _env_list(value, "Environment", "Name", "Value", path):
                note(label, item, line)
        elif shape == BASE64:
            note(path, value, parent.line_of(key), decode=True)


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


# -- Kubernetes manifests ------------------------------------------------------------------------------

_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"  # a copy of the object: reported where written


def manifest(
    builder: Builder,
    body: LDict,
    at: Callable[[Any, str], Location],
    address: str,
    block: Location,
    config_map: bool,
    pod_spec: tuple[str, ...] | None,
) -> None:
    """Note the literal values of an object's (and its Pod template's) annotations and labels, its
    containers' and init containers' `env[].value`, and a ConfigMap's `data`."""

    def note(attribute: str, node: LDict, key: str, value: Any) -> None:
        if isinstance(value, str) and value.strip():
            secret = LiteralSecret(address, attribute, at(node, key), block, None, "kubernetes")
            _note(builder, secret, value)

    metadata = [("metadata", body.get("metadata"))]
    spec: Any = body
    for step in pod_spec or ():
        spec = spec.get(step) if isinstance(spec, dict) else None
    if pod_spec and len(pod_spec) > 1:  # a workload's Pod template: spec.template.metadata
        template: Any = body
        for step in pod_spec[:-1]:
            template = template.get(step) if isinstance(template, dict) else None
        if isinstance(template, dict):
            metadata.append((".".join((*pod_spec[:-1], "metadata")), template.get("metadata")))
    for prefix, meta in metadata:
        for name in ("annotations", "labels"):
            holder = meta.get(name) if isinstance(meta, dict) else None
            if isinstance(holder, LDict):
                for key, value in holder.items():
                    if key != _LAST_APPLIED:
                        note(f"{prefix}.{name}.{key}", holder, key, value)
    for kind in ("containers", "initContainers"):
        containers = spec.get(kind) if isinstance(spec, dict) else None
        for container in containers if isinstance(containers, list) else []:
            env = container.get("env") if isinstance(container, dict) else None
            for item in env if isinstance(env, list) else []:
                if isinstance(item, LDict):
                    label = f"{kind}[{container.get('name', '?')}].env[{item.get('name', '?')}]"
                    note(label, item, "value", item.get("value"))
    data = body.get("data")
    if config_map and isinstance(data, LDict):
        for key, value in data.items():
            note(f"data.{key}", data, key, value)


# -- judging and owning ----------------------------------------------------------------------------


@dataclass(slots=True)
class Noted:
    """Candidate values kept on the Builder (`builder.side(Noted)`) until `finish` judges them together."""

    values: list[tuple[LiteralSecret, str]] = field(default_factory=list)
    globals_read: set[str] = field(default_factory=set)  # templates whose SAM Globals were read


def _note(builder: Builder, secret: LiteralSecret, value: str) -> None:
    builder.side(Noted).values.append((secret, value))


def finish(builder: Builder) -> None:
    """Judge every noted value in one detector session; a secret becomes a LiteralSecret (one per place)."""
    side = builder.side(Noted)
    noted, side.values = side.values, []
    secrets = builder.inventory.literal_secrets
    if noted:
        kinds = detect_many(value for _, value in noted)
        seen = {(s.location, s.attribute) for s in secrets}
        for secret, value in noted:
            if value in kinds and (secret.location, secret.attribute) not in seen:
                seen.add((secret.location, secret.attribute))
                secrets.append(secret)
    owners(builder.inventory)


def owners(inventory: Inventory) -> None:
    """Each written secret's identity: the identity its resource is, or the one identity it runs as."""
    by_address = {identity.address: identity.id for identity in inventory.identities.values()}
    runs_as: dict[str, dict[str, None]] = {}
    for usage in inventory.usages:
        if usage.identity:
            runs_as.setdefault(usage.workload, {})[usage.identity] = None
    for index, secret in enumerate(inventory.literal_secrets):
        if secret.of is not None:
            continue
        owner = by_address.get(secret.address)
        if owner is None and len(runs_as.get(secret.address, ())) == 1:
            owner = next(iter(runs_as[secret.address]))
        if owner is not None:
            inventory.literal_secrets[index] = replace(secret, of=owner)
