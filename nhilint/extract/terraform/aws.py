"""AWS (Terraform): the table from resource types to identities, credentials, grants, trusts and usages.

This module and nhilint.extract.terraform.aws_policies (policies, attachments, memberships, trusts) are the
only places that know AWS resource types.
"""

from __future__ import annotations

from typing import Any

from nhilint.extract.aws_links import GROUP, PLATFORM, ROLE, ROLE_OR_PROFILE, USER, resolve_aws_links
from nhilint.extract.builder import Builder
from nhilint.extract.common import (
    add_identity,
    add_literal_secret,
    as_list,
    credential_of,
    literal_secret,
    ref_or_text,
    rotation_from_time_rotating,
)
from nhilint.extract.pending import OidcProvider, PendingRotation, ProfileAlias, TimeRotation
from nhilint.extract.references import of_ref
from nhilint.extract.terraform.aws_policies import (
    attach_policies,
    exclusive_attachments,
    group_membership,
    inline_policy,
    managed_policy,
    multi_attachment,
    policy_attachment,
    policy_grants,
    role_trusts,
    user_group_membership,
)
from nhilint.extract.terraform.table import PlatformTable
from nhilint.model import (
    Fact,
    LiteralSecret,
    Unknown,
    Usage,
)
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import Ref, to_text

# Workloads that run as a role: resource type -> attribute paths ("block.attr" for nested blocks).
USAGE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_lambda_function": ("role",),
    "aws_instance": ("iam_instance_profile",),
    "aws_launch_template": ("iam_instance_profile.arn", "iam_instance_profile.name"),
    "aws_launch_configuration": ("iam_instance_profile",),
    "aws_ecs_task_definition": ("task_role_arn", "execution_role_arn"),
    "aws_eks_cluster": ("role_arn",),
    "aws_eks_node_group": ("node_role_arn",),
    "aws_eks_fargate_profile": ("pod_execution_role_arn",),
    "aws_eks_pod_identity_association": ("role_arn",),
    "aws_codebuild_project": ("service_role",),
    "aws_codepipeline": ("role_arn",),
    "aws_sfn_state_machine": ("role_arn",),
    "aws_glue_job": ("role_arn",),
    "aws_glue_crawler": ("role",),
    "aws_sagemaker_notebook_instance": ("role_arn",),
    "aws_sagemaker_model": ("execution_role_arn",),
    "aws_batch_compute_environment": ("service_role", "compute_resources.instance_role"),
    "aws_batch_job_definition": ("ecs_properties.task_properties.task_role_arn",),
    "aws_cloudformation_stack": ("iam_role_arn",),
    "aws_cloudwatch_event_target": ("role_arn",),
    "aws_scheduler_schedule": ("target.role_arn",),
    "aws_config_configuration_recorder": ("role_arn",),
    "aws_kinesis_firehose_delivery_stream": ("extended_s3_configuration.role_arn",),
    "aws_apprunner_service": ("instance_configuration.instance_role_arn",),
    "aws_datasync_location_s3": ("s3_config.bucket_access_role_arn",),
    "aws_api_gateway_account": ("cloudwatch_role_arn",),
    "aws_flow_log": ("iam_role_arn",),
    "aws_emr_cluster": ("service_role",),
    "aws_dms_endpoint": ("service_access_role",),
    "aws_iot_topic_rule": ("sns.role_arn",),
    "aws_backup_selection": ("iam_role_arn",),
    "aws_elastic_beanstalk_environment": (),
    "aws_ssm_activation": ("iam_role",),
    "aws_transfer_server": ("logging_role",),
    "aws_redshift_cluster": ("iam_roles",),
    "aws_rds_cluster": ("iam_roles",),
    "aws_db_instance_role_association": ("role_arn",),
}

# Secrets written as literal values: resource type -> attributes.
SECRET_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_secretsmanager_secret_version": ("secret_string",),
    "aws_ssm_parameter": ("value",),
    "aws_db_instance": ("password",),
    "aws_rds_cluster": ("master_password",),
    "aws_redshift_cluster": ("master_password",),
    "aws_elasticache_replication_group": ("auth_token",),
    "aws_docdb_cluster": ("master_password",),
    "aws_mq_broker": ("user.password",),
}


# -- identities ------------------------------------------------------------------------------------


def _boundary(value: Any) -> str:
    """A permissions boundary as written; a reference also names the policy it is (for effective permissions)."""
    return of_ref(value, str(value)) if isinstance(value, Ref) else str(value)


def role(resource: TfResource, builder: Builder) -> None:
    boundary = resource.get("permissions_boundary")
    attributes = (("permissions_boundary", _boundary(boundary)),) if boundary is not None else ()
    add_identity(resource, builder, "role", PLATFORM, default_tags=True, attributes=attributes)
    role_trusts(resource, builder, Ref(resource.address), resource.get("assume_role_policy"), "assume_role_policy")
    for block in resource.blocks("inline_policy"):
        name = to_text(block.get("name")) if block.has("name") else "inline"
        policy_grants(
            block,
            builder,
            Ref(resource.address),
            "policy",
            f"inline policy {name}",
            resource.address,
            resource.location,
        )
    arns = resource.get("managed_policy_arns")
    for arn in as_list(arns) if not isinstance(arns, Unknown) else [arns]:
        attach_policies(
            builder,
            ref_or_text(arn),
            Ref(resource.address),
            ROLE,
            resource.at("managed_policy_arns"),
            f"managed_policy_arns of {resource.address}",
        )


def user(resource: TfResource, builder: Builder) -> None:
    add_identity(resource, builder, "user", PLATFORM, default_tags=True)


def group(resource: TfResource, builder: Builder) -> None:
    add_identity(resource, builder, "group", PLATFORM, tags_attr=None, default_tags=True)


def service_linked_role(resource: TfResource, builder: Builder) -> None:
    add_identity(resource, builder, "service_linked_role", PLATFORM, name_attr="aws_service_name", default_tags=True)


def instance_profile(resource: TfResource, builder: Builder) -> None:
    """An instance profile is a handle on a role: links to it resolve to the role itself."""
    target = ref_or_text(resource.get("role"))
    builder.aliases.append(ProfileAlias(resource.address, resource.get("name"), target))


def openid_connect_provider(resource: TfResource, builder: Builder) -> None:
    url = resource.get("url")
    text = to_text(url) if url is not None else None
    if isinstance(text, str):
        issuer = text.removeprefix("https://").rstrip("/")
        builder.oidc_providers.append(OidcProvider(resource.address, issuer, (f"${{{resource.address}.arn}}",)))


def time_rotating(resource: TfResource, builder: Builder) -> None:
    parts = []
    for key in ("rotation_days", "rotation_hours", "rotation_minutes", "rotation_months", "rotation_years"):
        value = resource.get(key)
        if value is not None:
            parts.append(f"every {value} {key.removeprefix('rotation_')}")
    period = parts[0] if parts else "at rotation_rfc3339"
    builder.time_rotations.setdefault(resource.address, TimeRotation(period, resource.location))


# -- credentials -----------------------------------------------------------------------------------


def access_key(resource: TfResource, builder: Builder) -> None:
    rotation = rotation_from_time_rotating(resource, builder)
    credential = credential_of(
        resource,
        builder,
        "access_key",
        PLATFORM,
        rotation=rotation,
        attributes=(("status", str(resource.get("status") or "Active")),),
    )
    builder.add_credential(credential, ref_or_text(resource.get("user")), USER)


def login_profile(resource: TfResource, builder: Builder) -> None:
    credential = credential_of(
        resource, builder, "console_password", PLATFORM, rotation=rotation_from_time_rotating(resource, builder)
    )
    builder.add_credential(credential, ref_or_text(resource.get("user")), USER)


def secretsmanager_secret(resource: TfResource, builder: Builder) -> None:
    credential = credential_of(resource, builder, "secret", PLATFORM, tags=True, default_tags=True)
    builder.register(resource.address, credential.id, resource.type, resource.get("name"))
    builder.add_credential(credential, None, ())


def secret_rotation(resource: TfResource, builder: Builder) -> None:
    days = None
    for rules in resource.blocks("rotation_rules"):
        days = rules.get("automatically_after_days") or rules.get("schedule_expression")
    period = f"every {days} days" if isinstance(days, int) else (str(days) if days else "rotation configured")
    rotation = Fact(period, resource.address, resource.location)
    builder.rotations.append(PendingRotation(ref_or_text(resource.get("secret_id")), rotation))


def api_key(resource: TfResource, builder: Builder) -> None:
    credential = credential_of(
        resource,
        builder,
        "api_key",
        PLATFORM,
        tags=True,
        default_tags=True,
        rotation=rotation_from_time_rotating(resource, builder),
    )
    builder.add_credential(credential, None, ())
    add_literal_secret(resource, builder, "value", PLATFORM)


# -- usages and literal secrets --------------------------------------------------------------------


def workload(resource: TfResource, builder: Builder) -> None:
    for path in USAGE_ATTRIBUTES.get(resource.type, ()):
        for value in _values_at(resource, path):
            for item in as_list(value):
                target = ref_or_text(item)
                if target is None or isinstance(target, Unknown):
                    continue
                usage = Usage("", resource.address, resource.type, resource.location)
                builder.add_usage(usage, target, ROLE_OR_PROFILE, PLATFORM)
    for path in SECRET_ATTRIBUTES.get(resource.type, ()):
        block_name, _, attr = path.rpartition(".")
        records = resource.blocks(block_name) if block_name else [resource]
        for record in records:
            if resource.type == "aws_ssm_parameter" and record.get("type") != "SecureString":
                continue
            if record.has(attr):
                add_literal_secret_at(record, resource, builder, attr)


def add_literal_secret_at(record: TfRecord, resource: TfResource, builder: Builder, attr: str) -> None:
    location = literal_secret(record, attr)
    if location is not None:
        builder.inventory.literal_secrets.append(
            LiteralSecret(resource.address, attr, location, resource.location, None, PLATFORM)
        )


def _values_at(resource: TfResource, path: str) -> list[Any]:
    block_name, _, attr = path.rpartition(".")
    if not block_name:
        return [resource.get(attr)] if resource.has(attr) else []
    records: list[TfRecord] = [resource]
    for part in block_name.split("."):
        records = [child for record in records for child in record.blocks(part)]
    return [record.get(attr) for record in records if record.has(attr)]


# -- after every resource is seen ------------------------------------------------------------------


def finish(builder: Builder) -> None:
    """Resolve instance-profile aliases, OIDC provider URLs, attachments, memberships and rotations."""
    resolve_aws_links(builder)


TABLE = PlatformTable(
    name=PLATFORM,
    first=frozenset({"time_rotating", "aws_iam_openid_connect_provider"}),
    finisher=finish,
    handlers={
        "aws_iam_role": role,
        "aws_iam_user": user,
        "aws_iam_group": group,
        "aws_iam_service_linked_role": service_linked_role,
        "aws_iam_instance_profile": instance_profile,
        "aws_iam_openid_connect_provider": openid_connect_provider,
        "time_rotating": time_rotating,
        "aws_iam_access_key": access_key,
        "aws_iam_user_login_profile": login_profile,
        "aws_secretsmanager_secret": secretsmanager_secret,
        "aws_secretsmanager_secret_rotation": secret_rotation,
        "aws_api_gateway_api_key": api_key,
        "aws_iam_policy": managed_policy,
        "aws_iam_role_policy": inline_policy(ROLE, "role"),
        "aws_iam_user_policy": inline_policy(USER, "user"),
        "aws_iam_group_policy": inline_policy(GROUP, "group"),
        "aws_iam_role_policy_attachment": policy_attachment(ROLE, "role"),
        "aws_iam_user_policy_attachment": policy_attachment(USER, "user"),
        "aws_iam_group_policy_attachment": policy_attachment(GROUP, "group"),
        "aws_iam_policy_attachment": multi_attachment,
        "aws_iam_role_policy_attachments_exclusive": exclusive_attachments,
        "aws_iam_user_policy_attachments_exclusive": exclusive_attachments,
        "aws_iam_group_policy_attachments_exclusive": exclusive_attachments,
        "aws_iam_user_group_membership": user_group_membership,
        "aws_iam_group_membership": group_membership,
        **{t: workload for t in set(USAGE_ATTRIBUTES) | set(SECRET_ATTRIBUTES)},
    },
)
