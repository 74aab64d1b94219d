"""A reusable module scanned on its own: said once per module, with the required variables it left unknown.

A directory that no scanned directory calls, that configures no provider and has no tfvars beside it, is a
reusable module (the `modules/iam-role` of a registry module) rather than a deployment. nhilint evaluates it
with its variables' defaults and types, so its required variables (no default) stay unknown; when it has
any, this note says so once per module (NHI-PARSE-009) instead of once per value they leave unknown (see
nhilint.rules.module_defaults, which also folds those values into the note).
"""

from __future__ import annotations

from pathlib import Path

from nhilint.model_inputs import ParseError
from nhilint.parse.terraform.records import Module

_NAMED = 5  # how many required variables the note names


def tfvars_files(folder: Path) -> list[Path]:
    """The variable files Terraform reads by itself in a root module's directory."""
    found = [folder / "terraform.tfvars", folder / "terraform.tfvars.json"]
    return found + sorted(folder.glob("*.auto.tfvars")) + sorted(folder.glob("*.auto.tfvars.json"))


def standalone_note(module: Module, folder: Path, given_values: bool) -> ParseError | None:
    """The NHI-PARSE-009 note for a root `module` that looks like a reusable module, else None.

    `given_values`: the user passed --var-file or -var (then the module is deployed as a root, not reused).
    """
    variables = list(module.blocks("variable"))
    if given_values or not variables or any(True for _ in module.blocks("provider")):
        return None
    if any(path.is_file() for path in tfvars_files(folder)):
        return None
    required = [b.labels[0] for _, b in variables if b.labels and "default" not in b.body.attributes]
    if not required:  # every input has a default: nothing is left unknown, nothing to say
        return None
    source, first = variables[0]
    where = "." if module.dir == "." else module.dir
    reason = (
        f"module {where} has no caller, provider block or tfvars in the scan: it is evaluated as a reusable "
        f"module, its inputs taken from their defaults"
    )
    names = ", ".join(f"var.{n}" for n in required[:_NAMED])
    more = f" and {len(required) - _NAMED} more" if len(required) > _NAMED else ""
    count = f"{len(required)} required variable{'s' if len(required) != 1 else ''}"
    reason += f"; {count} without a default stayed unknown ({names}{more})"
    return ParseError(source.path, first.line, reason, "module-defaults")
