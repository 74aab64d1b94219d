"""Where Terraform code holds free-form values: tags, environment variables, user data, metadata."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from nhilint.extract.terraform.table import PlatformTable
from nhilint.extract.written_secrets.notes import (
    BASE64,
    BASE64_MAP,
    CONTAINERS,
    MAP,
    TEXT,
    assignments,
    decoded,
    decoded_text,
    env_list,
    note,
)
from nhilint.model import LiteralSecret, Location
from nhilint.parse import hcl
from nhilint.parse.terraform import TfRecord

if TYPE_CHECKING:
    from nhilint.extract.builder import Builder
    from nhilint.parse.terraform import TerraformProject, TfResource

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
        ("kubernetes_config_map", "kubernetes_config_map_v1"), (("data", MAP), ("binary_data", BASE64_MAP))
    ),
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


# Provider arguments that hold credentials (nested blocks '.' argument): any literal text there is a key
# written in the code, but a file's path (`credentials = "account.json"`).
PROVIDERS: dict[str, tuple[str, ...]] = {
    "aws": ("access_key", "secret_key", "token"),
    "alicloud": ("access_key", "secret_key"),
    "google": ("credentials", "access_token"),
    "google-beta": ("credentials", "access_token"),
    "azurerm": ("client_secret", "client_certificate", "client_certificate_password"),
    "azuread": ("client_secret", "client_certificate", "client_certificate_password"),
    "azuredevops": ("personal_access_token", "client_secret"),
    "github": ("token", "app_auth.pem_file"),
    "gitlab": ("token",),
    "vault": ("token",),
    "kubernetes": ("token", "client_key", "password"),
    "helm": ("kubernetes.token", "kubernetes.client_key", "kubernetes.password"),
    "datadog": ("api_key", "app_key"),
    "cloudflare": ("api_token", "api_key", "api_user_service_key"),
    "digitalocean": ("token", "spaces_secret_key"),
    "heroku": ("api_key",),
    "pagerduty": ("token", "user_token"),
    "newrelic": ("api_key", "admin_api_key"),
    "grafana": ("auth", "cloud_access_policy_token", "sm_access_token"),
    "okta": ("api_token", "private_key"),
    "auth0": ("client_secret", "api_token"),
    "snowflake": ("password", "private_key", "private_key_passphrase"),
    "postgresql": ("password",),
    "mysql": ("password",),
    "mongodbatlas": ("private_key",),
    "tfe": ("token",),
    "linode": ("token",),
    "hcloud": ("token",),
    "opsgenie": ("api_key",),
    "sentry": ("token",),
    "fastly": ("api_key",),
    "oci": ("private_key", "private_key_password"),
    "ibm": ("ibmcloud_api_key",),
    "docker": ("registry_auth.password",),
    "rabbitmq": ("password",),
}
_FILE_PATH = re.compile(r"^[~.]?/\S*$|^[\w.-]+(/[\w.-]+)*\.(json|pem|key|p12|pfx|crt)$", re.I)


def providers(project: TerraformProject, builder: Builder) -> None:
    """Literal credentials in the root modules' `provider` blocks."""
    for instance in project.roots():
        for source, block in instance.module.blocks("provider"):
            name = block.labels[0] if block.labels else ""
            record = TfRecord(instance, source, block)
            for path in PROVIDERS.get(name, ()):
                *blocks, attribute = path.split(".")
                for holder in _nested(record, blocks):
                    expr = holder.expr(attribute)
                    if isinstance(expr, hcl.Literal) and isinstance(expr.value, str):
                        text = expr.value.strip()
                        if text and not _FILE_PATH.match(text):
                            at, written = holder.at(attribute), Location(source.path, block.line, block.end_line)
                            secret = LiteralSecret(f"provider.{name}", path, at, written, None, name)
                            builder.inventory.literal_secrets.append(secret)


def _values_only(resource: TfResource, builder: Builder) -> None:
    """Types read for their free-form values alone (`terraform` judges them, as it does every resource)."""


TABLE = PlatformTable(name="written_secrets", handlers=dict.fromkeys(TERRAFORM, _values_only))


def terraform(resource: TfResource, builder: Builder) -> None:
    """Note the literal values of `resource`'s tags, environment variables, user data and metadata."""
    platform = _PLATFORMS.get(resource.type.split("_", 1)[0], resource.type.split("_", 1)[0])

    def noted(attribute: str, value: str, line: int, end: int | None = None, name: str | None = None) -> None:
        at = Location(resource.path, line, end or line)
        note(builder, LiteralSecret(resource.address, attribute, at, resource.location, None, platform), value, name)

    for name in TAGS:
        _tf_map(resource, name, name, noted, named=False)
    for path, shape in TERRAFORM.get(resource.type, ()):
        *blocks, name = path.split(".")
        for record in _nested(resource, blocks):
            if shape in (MAP, BASE64_MAP):
                _tf_map(record, name, path, noted, named=True, encoded=shape == BASE64_MAP)
            elif shape == CONTAINERS:
                _tf_containers(record, name, noted)
            elif (expr := record.expr(name)) is not None:
                at = record.at(name)
                for text in _texts(expr):
                    script = decoded(text) if shape == BASE64 else text
                    noted(name, script, at.start_line, at.end_line)
                    for variable, assigned in assignments(script):  # `export DB_PASSWORD=...`
                        noted(name, assigned, at.start_line, at.end_line, name=variable)
    if resource.type.startswith(ENV_PREFIXES):
        for blocks_to, record in _all_blocks(resource, ()):
            if blocks_to[-1:] == ("env",) and (value := record.expr("value")) is not None:
                variable = _literal_name(record.expr("name"))
                for text in _texts(value):
                    noted(f"env[{variable}]", text, record.line("value"), name=_name_if_literal(variable, value))
            elif blocks_to[-1:] == ("metadata",) and resource.type.startswith("kubernetes_"):
                for name in ("annotations", "labels"):
                    _tf_map(record, name, ".".join((*blocks_to, name)), noted, named=False)


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


def _name_if_literal(name: str, value: hcl.Expr) -> str | None:
    """The name a value is judged by too (`named_secret`): only for a whole literal, not the literal parts
    of a template or a function (`"${var.prefix}Suffix"` is no password)."""
    return name if isinstance(value, hcl.Literal) else None


def _tf_map(
    record: TfRecord, name: str, label: str, noted: Callable[..., None], named: bool, encoded: bool = False
) -> None:
    """Each literal value of a map attribute (`tags = { k = "v" }`), at the line of its key; `named`: a key
    names a variable a program reads (environment, settings), so a secret-named key's value is judged by its
    name too; `encoded`: the values are base64 (ConfigMap `binary_data`)."""
    expr = record.expr(name)
    if isinstance(expr, hcl.Call) and expr.name in ("merge", "tomap"):  # merge(local.common, { k = "v" })
        items = [item for arg in expr.args if isinstance(arg, hcl.ObjectExpr) for item in arg.items]
    elif isinstance(expr, hcl.ObjectExpr):
        items = list(expr.items)
    else:
        return
    for key, value in items:
        key_name = _literal_name(key)
        for text in _texts(value):
            line = getattr(key, "line", 0) or record.line(name)
            by_name = _name_if_literal(key_name, value) if named else None
            value_text = decoded_text(text) if encoded else text
            if value_text is not None:
                noted(f"{label}.{key_name}", value_text, line, name=by_name)


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
                    variable = _literal_name(env.get("name"))
                    label = f"{name}[{_literal_name(fields.get('name'))}].environment[{variable}]"
                    line = getattr(env["value"], "line", 0) or record.line(name)
                    for text in _texts(env["value"]):
                        noted(label, text, line, name=_name_if_literal(variable, env["value"]))
        return
    if isinstance(expr, hcl.Literal) and isinstance(expr.value, str):
        import yaml  # only for a container definition written as JSON text: most Terraform scans have none

        from nhilint.parse.yamlmarks import load_located

        try:
            document = load_located(expr.value, record.value_line(name))
        except (yaml.YAMLError, ValueError):  # not JSON: judged as text below
            document = None
        if isinstance(document, list):
            for label, env_name, value, line in env_list(document, "environment", "name", "value", name):
                if isinstance(value, str) and value.strip():
                    noted(label, value, line or record.line(name), name=env_name)
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
