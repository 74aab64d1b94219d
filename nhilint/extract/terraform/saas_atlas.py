"""MongoDB Atlas service accounts (Terraform): OAuth clients that call the Atlas Administration API.

`mongodbatlas_service_account` (organisation) and `mongodbatlas_project_service_account` (one project) are
identities of kind `service_account`; their `roles` are a `role` grant on the organisation or project
(ORG_OWNER, GROUP_OWNER: the whole organisation or project). Unless `without_initial_secret = true` the
account is created with a client secret, and each `mongodbatlas_service_account_secret` /
`mongodbatlas_project_service_account_secret` adds one: a `client_secret` that expires
`secret_expires_after_hours` after creation (a `validity_seconds` the expiry rules compare with the
policy). The provider warns that these secrets are kept in the Terraform state.
"""

from __future__ import annotations

from typing import Final

from nhilint.extract.builder import Builder, LinkTarget
from nhilint.extract.common import add_identity, as_list, credential_of, ref_or_text, text_of
from nhilint.model import ActionPattern, Fact, Grant, Unknown
from nhilint.parse.terraform import TfResource
from nhilint.values import to_text

ATLAS: Final = "mongodbatlas"
ACCOUNTS = ("mongodbatlas_service_account", "mongodbatlas_project_service_account")
HOURS = "secret_expires_after_hours"


def service_account(resource: TfResource, builder: Builder) -> None:
    identity = add_identity(resource, builder, "service_account", ATLAS, "name", None)
    scope_attr = "project_id" if resource.type == "mongodbatlas_project_service_account" else "org_id"
    scope, scope_unknown = text_of(resource, scope_attr)
    roles = [to_text(r) for r in as_list(resource.get("roles"))]
    unknown = next((r.reason for r in roles if isinstance(r, Unknown)), None) or scope_unknown
    builder.inventory.grants.append(
        Grant(
            identity.id,
            tuple(ActionPattern(r) for r in roles if isinstance(r, str)),
            (f"{scope_attr.removesuffix('_id')}/{scope}",),
            f"roles of {resource.address}",
            resource.address,
            resource.at("roles"),
            resource.location,
            permission_type="role",
            platform=ATLAS,
            unknown=unknown,
        )
    )
    if resource.get("without_initial_secret") is not True:
        _secret(resource, builder, identity.id, "initial_secret")


def service_account_secret(resource: TfResource, builder: Builder) -> None:
    account = ref_or_text(resource.get("client_id"))
    _secret(resource, builder, account, "secret")


def _secret(resource: TfResource, builder: Builder, of: LinkTarget, suffix: str) -> None:
    hours, reason = text_of(resource, HOURS)
    expires = None
    attributes: tuple[tuple[str, str], ...] = ()
    if reason:
        expires = Fact(Unknown(reason), HOURS, resource.at(HOURS))
    elif hours.isdigit():
        expires = Fact(f"{hours}h after creation ({int(hours) // 24} days)", HOURS, resource.at(HOURS))
        attributes = (("validity_seconds", str(int(hours) * 3600)),)
    credential = credential_of(
        resource,
        builder,
        "client_secret",
        ATLAS,
        part=suffix,
        expires=expires,
        attributes=(("in_state", "true"), *attributes),
    )
    builder.add_credential(credential, of, ACCOUNTS)


HANDLERS = {
    "mongodbatlas_service_account": service_account,
    "mongodbatlas_project_service_account": service_account,
    "mongodbatlas_service_account_secret": service_account_secret,
    "mongodbatlas_project_service_account_secret": service_account_secret,
}
