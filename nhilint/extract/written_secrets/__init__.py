"""Secret values written in free-form places: tags, labels, annotations, environment variables, user data.

These places hold whatever a user types, so no attribute name says "secret" (unlike `secret_string` or a
Secret's `data`, read by each platform's table). Every literal text found there is judged by the secret
detector (`nhilint.secrets.detect_many`); what it recognises becomes a `LiteralSecret` (rule NHI-CRED-002)
that points at the key holding the value and never keeps the value.

Per format, a table names where the free-form values are (`terraform_places`, `cloudformation_places`,
`manifest_places`): Terraform resource types -> nested block paths and how the value is written (a map, a
text, base64 text, ECS container definitions); CloudFormation resource types -> property paths; Kubernetes
objects -> metadata, the containers of Pod templates and ConfigMap data. Only what is literally written is
judged: a reference, a variable or a function of them is not a value in the code (values of sensitive
variables are hidden by the redaction layer, `nhilint.redact`).

Candidates are collected while extracting and judged together when the Builder finishes (one detector
session per scan, `notes`), then each secret gets the identity its resource is, or runs as, from the
finished inventory (`owners`). A value no plugin could flag never imports detect-secrets (`nhilint.secrets`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nhilint.extract.written_secrets.cloudformation_places import CLOUDFORMATION, SAM_GLOBALS, cloudformation
    from nhilint.extract.written_secrets.manifest_places import manifest
    from nhilint.extract.written_secrets.notes import finish, owners
    from nhilint.extract.written_secrets.terraform_places import PROVIDERS, TABLE, TAGS, TERRAFORM, providers, terraform

_PLACES = "nhilint.extract.written_secrets."
_HOMES = {  # each name's module, imported when first used: a Kubernetes scan never loads the HCL parser
    **dict.fromkeys(("CLOUDFORMATION", "SAM_GLOBALS", "cloudformation"), "cloudformation_places"),
    "manifest": "manifest_places",
    **dict.fromkeys(("finish", "owners"), "notes"),
    **dict.fromkeys(("PROVIDERS", "TABLE", "TAGS", "TERRAFORM", "providers", "terraform"), "terraform_places"),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_PLACES + home), name)
    globals()[name] = value
    return value


__all__ = [
    "CLOUDFORMATION",
    "PROVIDERS",
    "SAM_GLOBALS",
    "TABLE",
    "TAGS",
    "TERRAFORM",
    "cloudformation",
    "finish",
    "manifest",
    "owners",
    "providers",
    "terraform",
]
