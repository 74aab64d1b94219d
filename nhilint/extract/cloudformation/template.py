"""CloudFormation and SAM templates: the table from resource types to identities, credentials, grants, trusts.

The same model objects as the Terraform AWS table (`extract/aws.py`): one Grant per policy statement, one
Trust per assume-role statement, managed policies turned into grants when their attachments are resolved,
instance profiles as aliases of their role, Secrets Manager rotation as the secret's `rotation`. So every
rule applies to templates unchanged. Links are resolved after every template is read, through the Builder,
by reference (`!Ref Role`, `!GetAtt Role.Arn`) or by literal name or ARN, also across formats.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from nhilint.discover import relative_names
from nhilint.extract import written_secrets
from nhilint.extract.aws_links import GROUP, PLATFORM, ROLE, ROLE_OR_PROFILE, USER, resolve_aws_links
from nhilint.extract.builder import Builder
from nhilint.extract.cloudformation import bedrock, sam
from nhilint.extract.cloudformation.base import (
    Handler,
    Stack,
    State,
    add_identity,
    add_trusts,
    identity_id,
    lifecycle,
    link,
    links,
    name_of,
    tag_mapping,
    text_of,
)
from nhilint.extract.cloudformation.policies import (
    managed_policy,
    policy,
    principal_policies,
    principal_policy,
    user_to_group,
)
from nhilint.extract.pending import OidcProvider, PendingMembership, PendingRotation, ProfileAlias
from nhilint.extract.references import typed
from nhilint.model import Credential, CredentialKind, Fact, LiteralSecret, Location, Unknown, Usage
from nhilint.model_inputs import LEAVES_ROOT, ParseError
from nhilint.parse.cfn_eval import marker
from nhilint.parse.cloudformation import Resource, TemplateError, read_template
from nhilint.secrets import register, variable_source
from nhilint.values import LDict, Ref, to_text

# Workloads that run as a role: resource type -> property paths (`[]` steps into each list item).
USAGES: dict[str, tuple[str, ...]] = {
    "AWS::Lambda::Function": ("Role",),
    "AWS::EC2::Instance": ("IamInstanceProfile",),
    "AWS::EC2::LaunchTemplate": (
        "LaunchTemplateData.IamInstanceProfile.Arn",
        "LaunchTemplateData.IamInstanceProfile.Name",
    ),
    "AWS::AutoScaling::LaunchConfiguration": ("IamInstanceProfile",),
    "AWS::ECS::TaskDefinition": ("TaskRoleArn", "ExecutionRoleArn"),
    "AWS::StepFunctions::StateMachine": ("RoleArn",),
    "AWS::CodeBuild::Project": ("ServiceRole",),
    "AWS::CodePipeline::Pipeline": ("RoleArn",),
    "AWS::Events::Rule": ("Targets[].RoleArn", "RoleArn"),
    "AWS::Scheduler::Schedule": ("Target.RoleArn",),
    "AWS::EKS::Cluster": ("RoleArn",),
    "AWS::EKS::Nodegroup": ("NodeRole",),
    "AWS::EKS::FargateProfile": ("PodExecutionRoleArn",),
    "AWS::EKS::PodIdentityAssociation": ("RoleArn",),
    "AWS::Glue::Job": ("Role",),
    "AWS::Glue::Crawler": ("Role",),
    "AWS::SageMaker::NotebookInstance": ("RoleArn",),
    "AWS::SageMaker::Model": ("ExecutionRoleArn",),
    "AWS::Batch::ComputeEnvironment": ("ServiceRole", "ComputeResources.InstanceRole"),
    "AWS::Batch::JobDefinition": ("ContainerProperties.JobRoleArn", "ContainerProperties.ExecutionRoleArn"),
    "AWS::KinesisFirehose::DeliveryStream": (
        "ExtendedS3DestinationConfiguration.RoleARN",
        "S3DestinationConfiguration.RoleARN",
    ),
    "AWS::AppRunner::Service": ("InstanceConfiguration.InstanceRoleArn",),
    "AWS::ApiGateway::Account": ("CloudWatchRoleArn",),
    "AWS::EC2::FlowLog": ("DeliverLogsPermissionArn",),
    "AWS::Config::ConfigurationRecorder": ("RoleARN",),
    "AWS::EMR::Cluster": ("ServiceRole", "JobFlowRole"),
    "AWS::DataSync::LocationS3": ("S3Config.BucketAccessRoleArn",),
    "AWS::Backup::BackupSelection": ("BackupSelection.IamRoleArn",),
    "AWS::Serverless::StateMachine": (),
}

# Properties that hold a secret value: a literal there (or a parameter Default it refers to) is a leak.
SECRETS: dict[str, tuple[str, ...]] = {
    "AWS::SecretsManager::Secret": ("SecretString",),
    "AWS::ApiGateway::ApiKey": ("Value",),
    "AWS::IAM::User": ("LoginProfile.Password",),
    "AWS::RDS::DBInstance": ("MasterUserPassword",),
    "AWS::RDS::DBCluster": ("MasterUserPassword",),
    "AWS::Redshift::Cluster": ("MasterUserPassword",),
    "AWS::DocDB::DBCluster": ("MasterUserPassword",),
    "AWS::ElastiCache::ReplicationGroup": ("AuthToken",),
    "AWS::AmazonMQ::Broker": ("Users[].Password",),
    "AWS::DMS::Endpoint": ("Password",),
    "AWS::CodeBuild::SourceCredential": ("Token",),
    "AWS::Amplify::App": ("AccessToken", "OauthToken"),
    **bedrock.SECRETS,
}

NESTED = {"AWS::CloudFormation::Stack": "TemplateURL", "AWS::Serverless::Application": "Location"}


# -- identities ------------------------------------------------------------------------------------


def role(stack: Stack, resource: Resource) -> None:
    props = stack.properties(resource)
    boundary = props.get("PermissionsBoundary")
    attributes = (("permissions_boundary", typed(text_of(boundary))),) if boundary is not None else ()
    identity = add_identity(
        stack, resource, "role", props.get("RoleName"), props.get("Tags"), attributes, tags_at=stack.at(props, "Tags")
    )
    me = Ref(identity.address)
    add_trusts(
        stack,
        props.get("AssumeRolePolicyDocument"),
        stack.at(props, "AssumeRolePolicyDocument"),
        me,
        "AssumeRolePolicyDocument",
        resource.location,
    )
    principal_policies(stack, resource, props, me, ROLE)


def user(stack: Stack, resource: Resource) -> None:
    props = stack.properties(resource)
    boundary = props.get("PermissionsBoundary")
    attributes = (("permissions_boundary", typed(text_of(boundary))),) if boundary is not None else ()
    identity = add_identity(
        stack, resource, "user", props.get("UserName"), props.get("Tags"), attributes, tags_at=stack.at(props, "Tags")
    )
    me = Ref(identity.address)
    principal_policies(stack, resource, props, me, USER)
    for group in links(props.get("Groups")):
        membership = PendingMembership(me, group, text_of(group), stack.at(props, "Groups"), identity.address)
        stack.builder.memberships.append(membership)
    if isinstance(props.get("LoginProfile"), dict):
        where = stack.at(props, "LoginProfile")
        address = f"{identity.address}.LoginProfile"
        credential = Credential(
            identity_id(address),
            "console_password",
            PLATFORM,
            address,
            where,
            lifecycle=lifecycle(stack, resource, None),
        )
        stack.builder.add_credential(credential, me, USER)


def group(stack: Stack, resource: Resource) -> None:
    props = stack.properties(resource)
    identity = add_identity(stack, resource, "group", props.get("GroupName"))
    principal_policies(stack, resource, props, Ref(identity.address), GROUP)


def service_linked_role(stack: Stack, resource: Resource) -> None:
    add_identity(stack, resource, "service_linked_role", stack.properties(resource).get("AWSServiceName"))


def instance_profile(stack: Stack, resource: Resource) -> None:
    """An instance profile is a handle on its role: links to it resolve to the role itself."""
    props = stack.properties(resource)
    roles = links(props.get("Roles"))
    address = stack.address(resource.logical_id)
    alias = ProfileAlias(address, name_of(props.get("InstanceProfileName")), roles[0] if roles else None)
    stack.builder.aliases.append(alias)


def oidc_provider(stack: Stack, resource: Resource) -> None:
    url = to_text(stack.properties(resource).get("Url"))
    if isinstance(url, str):
        address = stack.address(resource.logical_id)
        names = (marker(Ref(address)), marker(Ref(address, "Arn")))
        stack.builder.oidc_providers.append(OidcProvider(address, url.removeprefix("https://").rstrip("/"), names))


# -- credentials -----------------------------------------------------------------------------------


def access_key(stack: Stack, resource: Resource) -> None:
    props = stack.properties(resource)
    address = stack.address(resource.logical_id)
    credential = Credential(
        identity_id(address),
        "access_key",
        PLATFORM,
        address,
        resource.location,
        lifecycle=lifecycle(stack, resource, None),
        attributes=(("status", text_of(props.get("Status", "Active"))),),
    )
    stack.builder.add_credential(credential, link(props.get("UserName")), USER)


def secret(stack: Stack, resource: Resource) -> None:
    _credential(stack, resource, "secret", "aws_secretsmanager_secret")


def api_key(stack: Stack, resource: Resource) -> None:
    _credential(stack, resource, "api_key", "aws_api_gateway_api_key")


def _credential(stack: Stack, resource: Resource, kind: CredentialKind, resource_type: str) -> None:
    props = stack.properties(resource)
    address = stack.address(resource.logical_id)
    credential = Credential(
        identity_id(address),
        kind,
        PLATFORM,
        address,
        resource.location,
        lifecycle=lifecycle(stack, resource, tag_mapping(props.get("Tags")), stack.at(props, "Tags")),
    )
    stack.builder.register(address, credential.id, resource_type, name_of(props.get("Name")))
    stack.builder.add_credential(credential, None, ())


def rotation_schedule(stack: Stack, resource: Resource) -> None:
    props = stack.properties(resource)
    rules = props.get("RotationRules")
    days = (rules.get("AutomaticallyAfterDays") or rules.get("ScheduleExpression")) if isinstance(rules, dict) else None
    period = f"every {days} days" if isinstance(days, int) else (str(days) if days else "rotation configured")
    address = stack.address(resource.logical_id)
    stack.builder.rotations.append(
        PendingRotation(link(props.get("SecretId")), Fact(period, address, resource.location))
    )


# -- usages, literal secrets, nested stacks --------------------------------------------------------


def workload(stack: Stack, resource: Resource) -> None:
    props = stack.properties(resource)
    for path in USAGES.get(resource.type, ()):
        for value in values_at(props, path):
            for target in links(value):
                if isinstance(target, Unknown):
                    continue
                usage = Usage("", stack.address(resource.logical_id), resource.type, resource.location)
                stack.builder.add_usage(usage, target, ROLE_OR_PROFILE, PLATFORM)


def values_at(mapping: Any, path: str) -> list[Any]:
    """Values at a dotted property path; `Name[]` steps into every item of a list."""
    current: list[Any] = [mapping]
    for step in path.split("."):
        many = step.endswith("[]")
        key = step.removesuffix("[]")
        found = [item[key] for item in current if isinstance(item, dict) and key in item]
        current = [x for f in found for x in (f if isinstance(f, list) else [f])] if many else found
    return current


def literal_secrets(stack: Stack, resource: Resource) -> None:
    """A secret property written as text, or referring to a parameter whose Default is the secret."""
    for path in SECRETS.get(resource.type, ()):
        parent_path, _, key = path.rpartition(".")
        parents = values_at(resource.properties, parent_path) if parent_path else [resource.properties]
        for parent in parents:
            if not isinstance(parent, LDict) or key not in parent:
                continue
            raw = parent[key]
            if _is_literal(raw):
                line = parent.line_of(key)
                stack.builder.inventory.literal_secrets.append(
                    LiteralSecret(
                        stack.address(resource.logical_id),
                        path.replace("[]", ""),
                        Location(stack.path, line, line),
                        resource.location,
                        None,
                        PLATFORM,
                    )
                )
            elif isinstance(raw, dict) and set(raw) == {"Ref"} and raw["Ref"] in stack.template.parameters:
                parameter_secret(stack, raw["Ref"])


def parameter_secret(stack: Stack, name: str) -> None:
    parameter = stack.template.parameters[name]
    if not parameter.has_default or not _is_literal(parameter.default) or parameter.type.startswith("AWS::SSM"):
        return
    line = parameter.default_line
    secret_at = Location(stack.path, line, line)
    secrets = stack.builder.inventory.literal_secrets
    if any(s.location == secret_at for s in secrets):
        return
    secrets.append(LiteralSecret(stack.address(name), "Default", secret_at, parameter.location, None, PLATFORM))


def _is_literal(value: Any) -> bool:
    return (
        isinstance(value, str | int)
        and not isinstance(value, bool)
        and bool(str(value).strip())
        and ("{{resolve:" not in str(value))
    )


def nested_stack(stack: Stack, resource: Resource) -> None:
    """A nested stack or SAR application: scanned only when its template is a local file of this scan.

    A local `TemplateURL`/`Location` (what `aws cloudformation package` uploads) is relative to the parent
    template's directory. When that file is one of the scanned templates it is read on its own, like any
    template (with its parameters' defaults: the values the parent passes are not substituted), so nothing
    is reported. Otherwise its identities are missing from the inventory and it is reported as not scanned,
    so a clean result cannot hide it: the file does not exist, lies outside the scanned paths, or is not a
    template. A template fetched at deploy (an S3 or HTTPS URL, a Serverless Application Repository app)
    is never fetched, and is reported the same way.
    """
    location = stack.properties(resource).get(NESTED[resource.type])
    text = to_text(location) if not isinstance(location, dict) else "a Serverless Application Repository app"
    what = f"nested stack {stack.address(resource.logical_id)}"
    if (
        isinstance(text, str)
        and not text.startswith(("http://", "https://", "s3://"))
        and not isinstance(location, dict)
    ):
        child = posixpath.normpath(posixpath.join(posixpath.dirname(stack.path), text.removeprefix("file://")))
        if child.startswith(("../", "/")) or child == "..":  # a safety event (NHI-PARSE-006), never read
            shown = text if child == text.removeprefix("file://") else f"{text} ({child})"
            reason = f"{what}: the local template {shown} {LEAVES_ROOT}"
            stack.builder.inventory.errors.append(
                ParseError(resource.location.path, resource.location.start_line, reason, "outside-root")
            )
            return
        if child not in stack.state.templates:
            root = stack.state.root
            why = (
                "does not exist"
                if root is not None and not (root / child).is_file()
                else "is not among the scanned templates"
            )
            stack.builder.unresolved(what, f"the local template {text} ({child}) {why}", resource.location)
        return
    shown = text if isinstance(text, str) else "a template that could not be evaluated"
    stack.builder.unresolved(what, f"{shown} is read at deploy; nhilint does not fetch it", resource.location)


HANDLERS: dict[str, Handler] = {
    "AWS::IAM::Role": role,
    "AWS::IAM::User": user,
    "AWS::IAM::Group": group,
    "AWS::IAM::ServiceLinkedRole": service_linked_role,
    "AWS::IAM::InstanceProfile": instance_profile,
    "AWS::IAM::OIDCProvider": oidc_provider,
    "AWS::IAM::Policy": policy,
    "AWS::IAM::ManagedPolicy": managed_policy,
    "AWS::IAM::RolePolicy": principal_policy("RoleName", ROLE),
    "AWS::IAM::UserPolicy": principal_policy("UserName", USER),
    "AWS::IAM::GroupPolicy": principal_policy("GroupName", GROUP),
    "AWS::IAM::UserToGroupAddition": user_to_group,
    "AWS::IAM::AccessKey": access_key,
    "AWS::SecretsManager::Secret": secret,
    "AWS::SecretsManager::RotationSchedule": rotation_schedule,
    "AWS::ApiGateway::ApiKey": api_key,
    "AWS::CloudFormation::Stack": nested_stack,
    "AWS::Serverless::Application": nested_stack,
    **sam.HANDLERS,
    **bedrock.HANDLERS,
}


def handlers_for(resource_type: str) -> list[Handler]:
    found = [HANDLERS[resource_type]] if resource_type in HANDLERS else []
    if resource_type in USAGES:
        found.append(workload)
    if resource_type in SECRETS:
        found.append(literal_secrets)
    return [*found, written_secrets.cloudformation]


# -- the entry point -------------------------------------------------------------------------------


def extract(paths: list[Path], root: Path, builder: Builder) -> None:
    """Read every template, add what it creates to the builder, then resolve links across templates."""
    real_root = root.resolve()
    relative = relative_names(paths, real_root)  # each path resolved once
    state = State(builder, templates=frozenset(relative.values()), root=root)
    for file in paths:
        path = relative[file]
        try:
            template = read_template(file, path, builder.limits)
        except TemplateError as error:
            builder.inventory.errors.append(ParseError(path, error.line, error.reason, error.kind))
            continue
        if template is None:
            continue
        stack = Stack(template, state)
        builder.inventory.errors.extend(ParseError(path, line, reason) for line, reason in template.problems)
        for line, what, reason in template.skipped:
            builder.unresolved(what, reason, Location(path, line, line))
        for annotation in template.annotations:
            builder.annotations.setdefault(annotation.block, []).append(annotation)
        builder.inventory.annotations.extend(template.annotations)
        for name, parameter in template.parameters.items():
            if parameter.no_echo:
                parameter_secret(stack, name)
            if parameter.has_default and (why := variable_source(f"parameter {name}", parameter.no_echo)):
                register(builder.inventory.sensitive, parameter.default, why.replace("sensitive", "NoEcho"))
        for resource in template.resources.values():
            if resource.condition is not None and stack.ev.condition(resource.condition) is False:
                continue  # not created with the parameters' defaults
            for handler in handlers_for(resource.type):
                try:
                    handler(stack, resource)
                except (TypeError, ValueError, AttributeError, KeyError, IndexError) as error:
                    # a shape no valid template has; the message never quotes values (they may be secrets)
                    builder.inventory.errors.append(
                        ParseError(
                            path,
                            resource.location.start_line,
                            f"cannot read {resource.type} {resource.logical_id} ({type(error).__name__})",
                        )
                    )
        builder.inventory.errors.extend(template.errors)  # keys written twice, limits hit while evaluating
    resolve_aws_links(builder)  # aliases, attachments, memberships, rotations, OIDC providers
    bedrock.link_agent_tools(builder)
