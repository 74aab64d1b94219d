"""GCP (Terraform): service accounts, their keys, IAM members, workload identity federation and usages.

Service accounts are handled in the first pass, so an IAM member naming one (by reference,
`serviceAccount:${google_service_account.x.email}`, or by its literal email) resolves when it is seen.
A member that is not an in-code service account stays the member string itself (`user:alice@acme.io`).

- `google_{project,folder,organization,<resource>}_iam_{member,binding,policy}`: one Grant per member,
  permissions = (role,), permission_type "role", scope `project/<p>`, `folder/<f>`, `organization/<o>`.
  `_policy` reads the `binding` blocks of the `data "google_iam_policy"` it names; anything else is a grant
  with `unknown` set. A custom role defined in the code adds its permissions after its name (see
  `extract/gcp_roles.py`).
- `google_service_account_iam_*`: who may act as a service account. Impersonating roles (and custom or
  unevaluated ones) become a Trust on that account, principal type = member prefix (serviceAccount, user,
  group, principalSet, allUsers…); an in-code service-account member also gets the Grant.
- Workload identity federation: see `gcp_federation.py` (so the OIDC trust rule, NHI-TRUST-003, sees a pool
  that admits every identity of its issuer). Bindings as written are read by `gcp_bindings.py`.
"""

from __future__ import annotations

import re
from typing import Any, Final

from nhilint.extract.builder import Builder
from nhilint.extract.common import (
    Handler,
    add_identity,
    credential_of,
    ref_or_text,
    rotation_from_time_rotating,
    text_of,
)
from nhilint.extract.references import SA_ANY_PROJECT, role_ref
from nhilint.extract.terraform import gcp_default_sa
from nhilint.extract.terraform.gcp_bindings import Binding, bindings, parse_member
from nhilint.extract.terraform.gcp_federation import federate, pool, pool_provider
from nhilint.extract.terraform.gcp_roles import TYPES as CUSTOM_ROLE_TYPES
from nhilint.extract.terraform.gcp_roles import custom_permissions, custom_role
from nhilint.extract.terraform.table import PlatformTable
from nhilint.model import (
    ActionPattern,
    Fact,
    Grant,
    Permission,
    Trust,
    TrustPrincipal,
    Unknown,
    Usage,
)
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import Ref, ref_marker

PLATFORM: Final = "gcp"
SA_TYPE = "google_service_account"
SA_DOMAIN = ".iam.gserviceaccount.com"

# Roles on a service account that let the member act as it (or make itself able to).
IMPERSONATION_ROLES = frozenset(
    {
        "roles/iam.serviceAccountUser",
        "roles/iam.serviceAccountTokenCreator",
        "roles/iam.workloadIdentityUser",
        "roles/iam.serviceAccountOpenIdTokenCreator",
        "roles/iam.serviceAccountKeyAdmin",
        "roles/iam.serviceAccountAdmin",
        "roles/owner",
        "roles/editor",
    }
)

# IAM resource families: type prefix -> (attribute naming the resource, scope label).
IAM_SCOPES: dict[str, tuple[str, str]] = {
    "google_project_iam": ("project", "project"),
    "google_folder_iam": ("folder", "folder"),
    "google_organization_iam": ("org_id", "organization"),
    "google_service_account_iam": ("service_account_id", "serviceAccount"),
    "google_storage_bucket_iam": ("bucket", "bucket"),
    "google_secret_manager_secret_iam": ("secret_id", "secret"),
    "google_pubsub_topic_iam": ("topic", "topic"),
    "google_bigquery_dataset_iam": ("dataset_id", "dataset"),
    "google_kms_crypto_key_iam": ("crypto_key_id", "cryptoKey"),
    "google_artifact_registry_repository_iam": ("repository", "repository"),
    "google_pubsub_subscription_iam": ("subscription", "subscription"),
    "google_cloud_run_service_iam": ("service", "run"),
    "google_cloud_run_v2_service_iam": ("name", "run"),
    "google_cloud_run_v2_job_iam": ("name", "runJob"),
    "google_cloudfunctions_function_iam": ("cloud_function", "function"),
    "google_cloudfunctions2_function_iam": ("cloud_function", "function"),
    "google_compute_instance_iam": ("instance_name", "instance"),
    "google_bigquery_table_iam": ("table_id", "table"),
}
# Any other `google_<resource>_iam_{member,binding,policy}` is read the same way, its scope named by those of
# these attributes it sets, in this order (the provider names the resource differently per family).
IAM_SUFFIX = re.compile(r"^google_(?P<family>[a-z0-9_]+)_iam_(?:member|binding|policy)$")
GENERIC_SCOPE_ATTRIBUTES = (
    "name",
    "service",
    "cloud_function",
    "function",
    "instance_name",
    "instance",
    "repository",
    "subscription",
    "topic",
    "secret_id",
    "bucket",
    "table_id",
    "dataset_id",
    "database",
    "job",
    "cluster",
    "registry",
    "key_ring_id",
    "crypto_key_id",
    "image",
    "disk",
    "snapshot",
    "subnetwork",
    "app_id",
    "tag_key",
    "tag_value",
)
# Members that are not an identity but everyone: who they are, for messages (see NHI-PRIV-012).
PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})

# Workloads that run as a service account: resource type -> attribute paths ("block.attr").
USAGE_PATHS: dict[str, tuple[str, ...]] = {
    "google_compute_instance": ("service_account.email",),
    "google_compute_instance_template": ("service_account.email",),
    "google_compute_region_instance_template": ("service_account.email",),
    "google_container_cluster": (
        "node_config.service_account",
        "cluster_autoscaling.auto_provisioning_defaults.service_account",
    ),
    "google_container_node_pool": ("node_config.service_account",),
    "google_cloud_run_service": ("template.spec.service_account_name",),
    "google_cloud_run_v2_service": ("template.service_account",),
    "google_cloud_run_v2_job": ("template.template.service_account",),
    "google_cloudfunctions_function": ("service_account_email",),
    "google_cloudfunctions2_function": ("service_config.service_account_email", "build_config.service_account"),
    "google_cloud_scheduler_job": (
        "http_target.oidc_token.service_account_email",
        "http_target.oauth_token.service_account_email",
    ),
    "google_composer_environment": ("config.node_config.service_account",),
    "google_dataflow_job": ("service_account_email",),
    "google_dataflow_flex_template_job": ("service_account_email",),
    "google_dataproc_cluster": ("cluster_config.gce_cluster_config.service_account",),
    "google_workflows_workflow": ("service_account",),
    "google_cloudbuild_trigger": ("service_account",),
    "google_pubsub_subscription": ("push_config.oidc_token.service_account_email",),
}

# -- service accounts ------------------------------------------------------------------------------


def service_account(resource: TfResource, builder: Builder) -> None:
    """The identity, findable by account_id and by email (by account_id alone when the project is unknown)."""
    project = resource.get("project") if resource.has("project") else provider_project(resource)
    account_id = resource.get("account_id")
    email = (
        f"{account_id}@{project}{SA_DOMAIN}"
        if isinstance(account_id, str) and isinstance(project, str) and "${" not in project
        else None
    )
    identity = add_identity(
        resource,
        builder,
        "service_account",
        PLATFORM,
        name_attr="account_id",
        tags_attr=None,
        attributes=(("email", email),) if email else (),
    )
    if email:
        builder.by_name[(SA_TYPE, email)] = identity.id
    elif isinstance(account_id, str):
        builder.by_name[(SA_ANY_PROJECT, account_id)] = identity.id


def provider_project(resource: TfResource) -> Any:
    """The `project` of the root's default google provider, when the resource surely uses that provider."""
    if resource.has("provider"):
        return None
    instance = resource.instance
    while instance.parent is not None:
        if any(key.split(".")[0] in ("google", "google-beta") for key in instance.provider_map):
            return None
        instance = instance.parent
    for source, block in instance.module.blocks("provider"):
        if block.labels and block.labels[0] == "google" and "alias" not in block.body.attributes:
            return TfRecord(instance, source, block).get("project")
    return None


def sa_link(value: Any) -> Ref | str | Unknown | None:
    """A service account as a Ref or an email/account_id (`projects/p/serviceAccounts/<email>` too)."""
    target = ref_or_text(value)
    if isinstance(target, str):
        target = target.removeprefix("serviceAccount:").rsplit("/serviceAccounts/", 1)[-1]
        target = ref_marker(target) or target
    if isinstance(target, Ref) and target.attribute == "member":
        return Ref(target.address, "email")
    return target


def find_sa(builder: Builder, link: Ref | str | Unknown | None) -> str | Unknown | None:
    """The id of the in-code service account a link names; None when it is not one; Unknown if ambiguous."""
    found: str | Unknown | None = None
    if isinstance(link, Ref):
        found = builder.lookup_address(link.address)
    elif isinstance(link, str):
        found = builder.by_name.get((SA_TYPE, link))
        local, _, domain = link.partition("@")
        if found is None and domain.endswith(SA_DOMAIN):
            found = builder.by_name.get((SA_ANY_PROJECT, local))
    if isinstance(found, Unknown):
        return found
    identity = builder.inventory.identities.get(found) if found else None
    return found if identity is not None and identity.kind == "service_account" else None


def owner_of(builder: Builder, value: Any) -> str | Unknown | None:
    """For `Credential.of`: the in-code id, the literal email, or Unknown for a reference we cannot follow."""
    link = sa_link(value)
    found = find_sa(builder, link)
    if found is not None:
        return found
    if isinstance(link, Ref):
        return Unknown(f"{link.address} is not in the scanned code")
    return link


def service_account_key(resource: TfResource, builder: Builder) -> None:
    """A key is static unless a time_rotating resource or `keepers` replace it, or `valid_before` ends it."""
    rotation = rotation_from_time_rotating(resource, builder)
    if rotation is None and resource.has("keepers"):
        rotation = Fact("replaced when its keepers change", "keepers", resource.at("keepers"))
    expires = None
    if resource.has("valid_before"):
        text, reason = text_of(resource, "valid_before")
        expires = Fact(Unknown(reason) if reason else text, "valid_before", resource.at("valid_before"))
    algorithm = resource.get("key_algorithm")
    credential = credential_of(
        resource,
        builder,
        "service_account_key",
        PLATFORM,
        rotation=rotation,
        expires=expires,
        of=owner_of(builder, resource.get("service_account_id")),
        attributes=(("key_algorithm", algorithm),) if isinstance(algorithm, str) else (),
    )
    builder.add_credential(credential, None, ())


def apikeys_key(resource: TfResource, builder: Builder) -> None:
    """An API key: which restriction kinds it has (APIs, callers), and its service account if bound to one."""
    kinds = sorted({child.type for r in resource.blocks("restrictions") for child in r.block.body.blocks})
    of = owner_of(builder, resource.get("service_account_email")) if resource.has("service_account_email") else None
    credential = credential_of(
        resource,
        builder,
        "api_key",
        PLATFORM,
        of=of,
        rotation=rotation_from_time_rotating(resource, builder),
        attributes=(("restrictions", ", ".join(kinds) if kinds else "none"),),
    )
    builder.add_credential(credential, None, ())


# -- IAM members -----------------------------------------------------------------------------------


def iam(scope_attr: str, label: str) -> Handler:
    def handler(resource: TfResource, builder: Builder) -> None:
        if resource.has(scope_attr):
            scope_text, scope_unknown = text_of(resource, scope_attr)
        else:  # only `project` may be left out: the provider's project
            project = provider_project(resource)
            scope_text, scope_unknown = (project if isinstance(project, str) else "<provider project>"), None
        scope_text = scope_text.removeprefix("folders/").removeprefix("organizations/")
        target = None
        if label == "serviceAccount":
            scope_text = scope_text.rsplit("/serviceAccounts/", 1)[-1]
            found = find_sa(builder, sa_link(resource.get(scope_attr)))
            target = found if isinstance(found, str) else None
        for binding in bindings(resource):
            _binding(builder, resource, binding, (f"{label}/{scope_text}",), scope_unknown, target)

    return handler


def any_iam(resource: TfResource, builder: Builder) -> None:
    """A `google_<resource>_iam_*` of a family not in IAM_SCOPES: the same grants, scoped `<family>/<name>`."""
    match = IAM_SUFFIX.match(resource.type)
    if match is None or resource.type in TABLE.handlers:
        return
    named = [text_of(resource, a) for a in GENERIC_SCOPE_ATTRIBUTES if resource.has(a)]
    scope_text = "/".join(text for text, _ in named) or "<resource not named>"
    scope_unknown = next((reason for _, reason in named if reason), None)
    for binding in bindings(resource):
        _binding(builder, resource, binding, (f"{match['family']}/{scope_text}",), scope_unknown, None)


def _binding(
    builder: Builder,
    resource: TfResource,
    binding: Binding,
    scope: tuple[str, ...],
    scope_unknown: str | None,
    target_sa: str | None,
) -> None:
    role = binding.role
    permissions: tuple[Permission, ...] = (
        (role_ref(role), *(ActionPattern(p) for p in custom_permissions(builder, role)))
        if isinstance(role, str)
        else ()
    )
    unknown = binding.unknown or (role.reason if isinstance(role, Unknown) else None) or scope_unknown
    via = f"{resource.type} {resource.address}"
    on_account = resource.type.startswith("google_service_account_iam")
    principals: list[TrustPrincipal] = []
    for value in binding.members:
        kind, identifier, text = parse_member(value)
        principals.append(TrustPrincipal(kind, identifier))
        sa = find_sa(builder, sa_link(identifier)) if kind == "serviceAccount" else None
        if on_account and not isinstance(sa, str) and kind not in PUBLIC_MEMBERS:
            continue  # on another account, only in-code service accounts (and everyone) get a grant; the rest is trust
        principal = sa if isinstance(sa, str) else text if isinstance(text, str) and sa is None else None
        reason = sa.reason if isinstance(sa, Unknown) else text.reason if isinstance(text, Unknown) else None
        builder.add_grant(
            Grant(
                principal,
                permissions,
                scope,
                via,
                resource.address,
                binding.location,
                resource.location,
                permission_type="role",
                conditions=binding.conditions,
                unknown=unknown or reason,
                platform=PLATFORM,
            ),
            None,
            (),
        )
    if binding.unknown and not binding.members and not on_account:
        builder.add_grant(
            Grant(
                None,
                permissions,
                scope,
                via,
                resource.address,
                binding.location,
                resource.location,
                permission_type="role",
                unknown=unknown,
                platform=PLATFORM,
            ),
            None,
            (),
        )
    acts_as = not isinstance(role, str) or role in IMPERSONATION_ROLES or not role.startswith("roles/")
    if target_sa is not None and acts_as:
        builder.add_trust(
            Trust(
                target_sa,
                tuple(principals),
                permissions,
                binding.conditions,
                via,
                binding.members_at,
                resource.location,
                unknown=unknown,
                platform=PLATFORM,
            ),
            None,
            (),
        )


# -- usages and the end ----------------------------------------------------------------------------


def workload(resource: TfResource, builder: Builder) -> None:
    seen: set[str] = set()
    for path in USAGE_PATHS.get(resource.type, ()):
        *blocks, attr = path.split(".")
        records: list[TfRecord] = [resource]
        for name in blocks:
            records = [child for record in records for child in record.blocks(name)]
        for record in records:
            found = find_sa(builder, sa_link(record.get(attr))) if record.has(attr) else None
            if isinstance(found, str) and found not in seen:
                seen.add(found)
                builder.add_usage(Usage(found, resource.address, resource.type, resource.location), None, (), PLATFORM)


def runs_on_nodes(resource: TfResource, builder: Builder) -> None:
    workload(resource, builder)
    gcp_default_sa.default_service_account(resource, builder)


def finish(builder: Builder) -> None:
    federate(builder)


def _custom_role(resource: TfResource, builder: Builder) -> None:
    custom_role(resource, builder, provider_project(resource))


TABLE = PlatformTable(
    name=PLATFORM,
    first=frozenset({SA_TYPE, *CUSTOM_ROLE_TYPES}),
    finisher=finish,
    handlers={
        SA_TYPE: service_account,
        "google_service_account_key": service_account_key,
        "google_apikeys_key": apikeys_key,
        **dict.fromkeys(CUSTOM_ROLE_TYPES, _custom_role),
        "google_iam_workload_identity_pool": pool,
        "google_iam_workload_identity_pool_provider": pool_provider,
        **{
            f"{prefix}_{suffix}": iam(attr, label)
            for prefix, (attr, label) in IAM_SCOPES.items()
            for suffix in ("member", "binding", "policy")
        },
        **{t: workload for t in USAGE_PATHS},
        **dict.fromkeys(gcp_default_sa.TYPES, runs_on_nodes),
    },
    prefixes={"google_": any_iam},
)
