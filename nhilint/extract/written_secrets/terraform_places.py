"""Where Terraform code holds free-form values: tags, environment variables, user data, metadata."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import yaml

from nhilint.extract.written_secrets.notes import BASE64, CONTAINERS, MAP, TEXT, decoded, env_list, note
from nhilint.model import LiteralSecret, Location
from nhilint.parse import hcl
from nhilint.parse.terraform import TfRecord
from nhilint.parse.yamlmarks import load_located

if TYPE_CHECKING:
    from nhilint.extract.builder import Builder
    from nhilint.parse.terraform import TfResource

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
_READS_FILES = frozenset({"file", "filebase64", "templatefile", "fileexists", "filemd5", "filesha256"})


def terraform(resource: TfResource, builder: Builder) -> None:
    """Note the literal values of `resource`'s tags, environment variables, user data and metadata."""
    platform = _PLATFORMS.get(resource.type.split("_", 1)[0], resource.type.split("_", 1)[0])

    def noted(attribute: str, value: str, line: int, end: int | None = None) -> None:
        at = Location(resource.path, line, end or line)
        note(builder, LiteralSecret(resource.address, attribute, at, resource.location, None, platform), value)

    for name in TAGS:
        _tf_map(resource, name, name, noted)
    for path, shape in TERRAFORM.get(resource.type, ()):
        *blocks, name = path.split(".")
        for record in _nested(resource, blocks):
            if shape == MAP:
                _tf_map(record, name, path, noted)
            elif shape == CONTAINERS:
                _tf_containers(record, name, noted)
            elif (expr := record.expr(name)) is not None:
                at = record.at(name)
                for text in _texts(expr):
                    noted(name, decoded(text) if shape == BASE64 else text, at.start_line, at.end_line)
    if resource.type.startswith(ENV_PREFIXES):
        for blocks_to, record in _all_blocks(resource, ()):
            if blocks_to[-1:] == ("env",) and (value := record.expr("value")) is not None:
                label = f"env[{_literal_name(record.expr('name'))}]"
                for text in _texts(value):
                    noted(label, text, record.line("value"))
            elif blocks_to[-1:] == ("metadata",) and resource.type.startswith("kubernetes_"):
                for name in ("annotations", "labels"):
                    _tf_map(record, name, ".".join((*blocks_to, name)), noted)


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


def _tf_map(record: TfRecord, name: str, label: str, noted: Callable[..., None]) -> None:
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
            noted(f"{label}.{_literal_name(key)}", text, getattr(key, "line", 0) or record.line(name))


def _tf_containers(record: TfRecord, name: str, noted: Callable[..., None]) -> None:
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
                        noted(label, text, getattr(env["value"], "line", 0) or record.line(name))
        return
    if isinstance(expr, hcl.Literal) and isinstance(expr.value, str):
        try:
            document = load_located(expr.value, record.value_line(name))
        except (yaml.YAMLError, ValueError):  # not JSON: judged as text below
            document = None
        if isinstance(document, list):
            for label, value, line in env_list(document, "environment", "name", "value", name):
                if isinstance(value, str) and value.strip():
                    noted(label, value, line or record.line(name))
            return
    if expr is not None:
        for text in _texts(expr):
            noted(name, text, record.line(name))


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
