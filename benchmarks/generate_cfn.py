"""Generate a large, deterministic CloudFormation / SAM tree for benchmarking nhilint.

    python benchmarks/generate.py OUT_DIR --format cloudformation [--files 2000] [--seed 1]

Layout::

    OUT/<env>/<service>/<theme>.yaml|.yml|.json     one stack per file: iam, sam, lambda, ecs, ec2, data,
                                                    network, monitoring, pipeline, workflow
    OUT/<env>/<service>/parameters/<theme>.json     `aws cloudformation deploy` parameter files (not templates)
    OUT/<env>/<service>/buildspec.yml               a CodeBuild spec (YAML that is not a template)

About three templates in four are YAML with short-form tags (`!Ref`, `!GetAtt`, `!Sub`, `!If`, `!Equals`,
`!FindInMap`, `!ImportValue`, `Fn::Base64: !Sub |`), the rest JSON with the long forms. Every template has
Parameters (some without Default, some NoEcho), Conditions and Outputs; most have Mappings. Identity resources
(roles with service, cross-account, GitHub OIDC and EKS IRSA trusts, managed and inline policies, users with
access keys, groups, instance profiles, SAM functions that get a generated role from `Policies`) are a
minority; the rest is ordinary infrastructure that uses them (Lambda, ECS, EC2, CodeBuild, Step Functions) or
sits beside them (S3, SQS, SNS, DynamoDB, KMS, RDS, VPC, alarms). Some identities are created only under a
condition that is false with the parameters' defaults, which nhilint skips like a deploy would.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from generate import ACCOUNTS, ACTIONS, DOMAINS, ENVS, MANAGED_POLICIES, REGIONS, TEAMS

COMPONENTS = ("api", "worker", "etl", "ingest", "web", "stream", "batch", "gateway", "sync", "export")
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
IDENTITY_TYPES = frozenset(
    {
        "AWS::IAM::Role",
        "AWS::IAM::User",
        "AWS::IAM::Group",
        "AWS::IAM::ServiceLinkedRole",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::RolePolicy",
        "AWS::IAM::UserPolicy",
        "AWS::IAM::AccessKey",
        "AWS::IAM::InstanceProfile",
        "AWS::IAM::OIDCProvider",
        "AWS::IAM::UserToGroupAddition",
    }
)
# Resource types nhilint models as an identity of their own (SAM functions and state machines: when they have no
# `Role`, SAM generates one).
PRINCIPAL_TYPES = frozenset({"AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::ServiceLinkedRole"})
SAM_TYPES = {"AWS::Serverless::Function": "Function", "AWS::Serverless::StateMachine": "StateMachine"}
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
SAM_MANAGED = (
    "AWSLambdaBasicExecutionRole",
    "AmazonS3ReadOnlyAccess",
    "AmazonDynamoDBReadOnlyAccess",
    "CloudWatchLambdaInsightsExecutionRolePolicy",
    "AWSXRayDaemonWriteAccess",
    "AmazonSSMReadOnlyAccess",
)
EKS_OIDC = "oidc.eks.{region}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
WORDS = (
    "reader",
    "writer",
    "sync",
    "export",
    "import",
    "reports",
    "events",
    "cache",
    "archive",
    "jobs",
    "backfill",
    "metrics",
    "audit",
    "uploads",
    "thumbs",
)


# --- intrinsic functions: short form in YAML, long form in JSON ----------------------------------------


@dataclass(frozen=True, slots=True)
class Fn:
    """An intrinsic function call; `name` is the short-form tag without `!`."""

    name: str
    arg: Any

    @property
    def key(self) -> str:
        return self.name if self.name in ("Ref", "Condition") else f"Fn::{self.name}"

    def long(self) -> dict[str, Any]:
        if self.name == "GetAtt" and isinstance(self.arg, str):
            return {self.key: self.arg.split(".", 1)}
        return {self.key: self.arg}


def ref(name: str) -> Fn:
    return Fn("Ref", name)


def get_att(logical_id: str, attribute: str = "Arn") -> Fn:
    return Fn("GetAtt", f"{logical_id}.{attribute}")


def sub(text: str, variables: dict[str, Any] | None = None) -> Fn:
    return Fn("Sub", [text, variables] if variables else text)


def if_(condition: str, yes: Any, no: Any) -> Fn:
    return Fn("If", [condition, yes, no])


def equals(left: Any, right: Any) -> Fn:
    return Fn("Equals", [left, right])


def not_(condition: Any) -> Fn:
    return Fn("Not", [condition])


def condition(name: str) -> Fn:
    return Fn("Condition", name)


def find_in_map(name: str, key: Any, attribute: str) -> Fn:
    return Fn("FindInMap", [name, key, attribute])


_BASE_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class CfnDumper(_BASE_DUMPER):  # type: ignore[misc]
    """Block-style YAML with CloudFormation short-form tags and no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_fn(dumper: Any, fn: Fn) -> Any:
    if isinstance(fn.arg, Fn):  # a short form may not take another short form as its scalar (`!Base64 !Sub`)
        return dumper.represent_dict(fn.long())
    tag = f"!{fn.name}"
    if isinstance(fn.arg, list):
        flow = all(
            isinstance(item, str | int) or (isinstance(item, Fn) and isinstance(item.arg, str)) for item in fn.arg
        )
        return dumper.represent_sequence(tag, fn.arg, flow_style=flow)
    if isinstance(fn.arg, dict):
        return dumper.represent_mapping(tag, fn.arg)
    return dumper.represent_scalar(tag, str(fn.arg), style="|" if "\n" in str(fn.arg) else None)


def _represent_str(dumper: Any, text: str) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


CfnDumper.add_representer(Fn, _represent_fn)
CfnDumper.add_representer(str, _represent_str)


def to_yaml(document: dict[str, Any], comments: dict[str, str], header: str) -> str:
    text = yaml.dump(
        document, Dumper=CfnDumper, sort_keys=False, width=10_000, allow_unicode=True, default_flow_style=False
    )
    for logical_id, comment in comments.items():
        text = text.replace(f"\n  {logical_id}:\n", f"\n  # {comment}\n  {logical_id}:\n", 1)
    return header + text


def to_json(document: dict[str, Any], indent: int) -> str:
    return json.dumps(document, indent=indent, default=lambda value: value.long()) + "\n"


# --- one stack ---------------------------------------------------------------------------------------


@dataclass
class Stats:
    templates: int = 0
    yaml: int = 0
    json: int = 0
    other_files: int = 0
    resources: int = 0
    identity: int = 0
    bytes: int = 0
    by_type: Counter[str] = field(default_factory=Counter)


@dataclass
class Svc:
    rng: random.Random
    env: str
    service: str
    team: str
    region: str
    account: str

    @property
    def prefix(self) -> str:
        return f"{self.env}-{self.service}"

    def word(self) -> str:
        return self.rng.choice(WORDS)

    def lifecycle_tags(self, owner_probability: float = 0.6) -> dict[str, str]:
        rng = self.rng
        tags: dict[str, str] = {}
        if rng.random() < owner_probability:
            tags["owner"] = rng.choice((self.team, self.team, f"{self.team}@example.com", "unknown"))
        if rng.random() < 0.35:
            tags[rng.choice(("expires", "review-by"))] = f"20{rng.randint(25, 28)}-{rng.randint(1, 12):02d}-28"
        if rng.random() < 0.25:
            tags["retire-on"] = rng.choice(
                ("service-decommission", f"jira:PLAT-{rng.randint(100, 9999)}", f"20{rng.randint(26, 29)}-06-30")
            )
        return tags


@dataclass
class Stack:
    svc: Svc
    theme: str
    parameters: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    globals: dict[str, Any] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    sam: bool = False

    @property
    def rng(self) -> random.Random:
        return self.svc.rng

    def logical(self, base: str) -> str:
        """A logical id unique in this template."""
        candidate = re.sub(r"[^A-Za-z0-9]", "", base)
        n = 2
        while candidate in self.resources:
            candidate = f"{re.sub(r'[^A-Za-z0-9]', '', base)}{n}"
            n += 1
        return candidate

    def add(
        self,
        logical_id: str,
        type_: str,
        properties: dict[str, Any],
        *,
        when: str | None = None,
        metadata: dict[str, Any] | None = None,
        depends_on: list[str] | None = None,
        retain: bool = False,
    ) -> str:
        body: dict[str, Any] = {"Type": type_}
        if when is not None:
            body["Condition"] = when
        if depends_on:
            body["DependsOn"] = depends_on if len(depends_on) > 1 else depends_on[0]
        if retain:
            body["DeletionPolicy"] = "Retain"
            body["UpdateReplacePolicy"] = "Retain"
        if metadata:
            body["Metadata"] = metadata
        if properties:
            body["Properties"] = properties
        self.resources[logical_id] = body
        return logical_id

    def tags(self, extra: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Key/Value tags; `extra` carries lifecycle tags of identities."""
        tags: list[dict[str, Any]] = [
            {"Key": "env", "Value": ref("Environment")},
            {"Key": "service", "Value": ref("Service")},
        ]
        if self.rng.random() < 0.5:
            tags.append({"Key": "team", "Value": self.svc.team})
        tags += [{"Key": key, "Value": value} for key, value in (extra or {}).items()]
        if extra is not None and "owner" not in extra and self.rng.random() < 0.2:
            tags.append({"Key": "owner", "Value": ref("Owner")})  # known only when Owner has a Default
        return tags

    def identity_extras(self, logical_id: str) -> dict[str, Any] | None:
        """Sometimes a `# nhilint:owner` comment (YAML only) or a `Metadata.nhilint` block."""
        rng = self.rng
        if rng.random() < 0.04:
            self.comments[logical_id] = f"nhilint:owner {rng.choice(TEAMS)}"
        if rng.random() < 0.05:
            return {"nhilint": {"owner": rng.choice(TEAMS), "purpose": f"{self.svc.service} {self.svc.word()}"}}
        return None

    def standard_parameters(self) -> None:
        svc, rng = self.svc, self.rng
        self.parameters["Environment"] = {
            "Type": "String",
            "Default": svc.env,
            "AllowedValues": list(ENVS),
            "Description": "Deployment environment",
        }
        self.parameters["Service"] = {"Type": "String", "Default": svc.service}
        owner: dict[str, Any] = {"Type": "String", "Description": "Owning team"}
        if rng.random() < 0.6:
            owner["Default"] = svc.team
        self.parameters["Owner"] = owner
        self.conditions["IsProd"] = equals(ref("Environment"), "prod")
        self.conditions["IsNotProd"] = not_(condition("IsProd"))
        if rng.random() < 0.7:
            self.mappings["EnvConfig"] = {
                env: {
                    "LogRetention": 365 if env == "prod" else rng.choice((7, 14, 30)),
                    "AlarmThreshold": rng.choice((1, 5, 10)),
                    "InstanceType": "m6i.large" if env == "prod" else "t3.medium",
                }
                for env in ("prod", "staging", "dev", "qa")
            } | {
                env: {"LogRetention": 14, "AlarmThreshold": 5, "InstanceType": "t3.small"}
                for env in ENVS
                if env not in ("prod", "staging", "dev", "qa")
            }

    def retention(self) -> Any:
        return find_in_map("EnvConfig", ref("Environment"), "LogRetention") if "EnvConfig" in self.mappings else 30

    def document(self, fmt: str, description: str) -> dict[str, Any]:
        doc: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
        if self.sam:
            doc["Transform"] = SAM_TRANSFORM
        doc["Description"] = description
        if fmt == "yaml" and self.rng.random() < 0.2:
            doc["Metadata"] = {
                "AWS::CloudFormation::Interface": {
                    "ParameterGroups": [{"Label": {"default": "Service"}, "Parameters": list(self.parameters)[:3]}]
                }
            }
        doc["Parameters"] = self.parameters
        if self.mappings:
            doc["Mappings"] = self.mappings
        doc["Conditions"] = self.conditions
        if self.globals:
            doc["Globals"] = self.globals
        doc["Resources"] = self.resources
        if self.outputs:
            doc["Outputs"] = self.outputs
        return doc

    def output(self, name: str, value: Any, export: bool = True) -> None:
        body: dict[str, Any] = {"Value": value}
        if export:
            body["Export"] = {"Name": sub(f"${{AWS::StackName}}-{name}")}
        self.outputs[name] = body


# --- policy documents --------------------------------------------------------------------------------


def resource_arn(s: Stack, actions: tuple[str, ...]) -> Any:
    rng, svc = s.rng, s.svc
    if rng.random() < 0.12:
        return "*"
    prefix = actions[0].split(":")[0]
    arns = {
        "s3": sub(f"arn:aws:s3:::${{Environment}}-${{Service}}-{svc.word()}/*"),
        "sqs": sub("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Service}-*"),
        "dynamodb": sub(f"arn:aws:dynamodb:${{AWS::Region}}:{svc.account}:table/${{Service}}-*"),
        "kms": sub("arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*"),
        "logs": sub("arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/${Service}/*"),
        "secretsmanager": sub("arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${Service}/*"),
        "sns": sub("arn:aws:sns:${AWS::Region}:${AWS::AccountId}:${Service}-*"),
        "ssm": sub("arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${Environment}/${Service}/*"),
    }
    return arns.get(prefix, "*")


def policy_document(s: Stack, low: int = 1, high: int = 3) -> dict[str, Any]:
    rng = s.rng
    statements = []
    for n in range(rng.randint(low, high)):
        actions = rng.choice(ACTIONS)
        statement: dict[str, Any] = {
            "Sid": f"Access{n}",
            "Effect": "Allow",
            "Action": list(actions) if len(actions) > 1 else actions[0],
            "Resource": resource_arn(s, actions),
        }
        if rng.random() < 0.08:
            statement["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
        statements.append(statement)
    if rng.random() < 0.04:
        statements.append({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": statements}


def trust_document(s: Stack, service: str, kind: float) -> dict[str, Any]:
    rng, svc = s.rng, s.svc
    if kind < 0.14:  # GitHub Actions OIDC
        repo = f"example-org/{svc.service}"
        subject = rng.choice(
            (
                f"repo:{repo}:ref:refs/heads/main",
                f"repo:{repo}:environment:{svc.env}",
                f"repo:{repo}:*",
                "repo:example-org/*",
                f"repo:{repo}:pull_request",
            )
        )
        conditions: dict[str, Any] = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
        if rng.random() > 0.07:
            test = "StringLike" if "*" in subject else "StringEquals"
            conditions.setdefault(test, {})["token.actions.githubusercontent.com:sub"] = subject
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": {
                        "Federated": sub(
                            "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"
                        )
                    },
                    "Condition": conditions,
                }
            ],
        }
    if kind < 0.22:  # EKS IRSA
        issuer = EKS_OIDC.format(region=svc.region)
        namespace = svc.service if svc.env == "prod" else f"{svc.service}-{svc.env}"
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": {"Federated": sub(f"arn:aws:iam::${{AWS::AccountId}}:oidc-provider/{issuer}")},
                    "Condition": {
                        "StringEquals": {
                            f"{issuer}:sub": f"system:serviceaccount:{namespace}:{svc.service}",
                            f"{issuer}:aud": "sts.amazonaws.com",
                        }
                    },
                }
            ],
        }
    if kind < 0.32:  # another account, with an external id
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"AWS": sub("arn:aws:iam::${TrustedAccountId}:root")},
        }
        if rng.random() < 0.8:
            statement["Condition"] = {"StringEquals": {"sts:ExternalId": ref("ExternalId")}}
        return {"Version": "2012-10-17", "Statement": [statement]}
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": [service]}, "Action": ["sts:AssumeRole"]}],
    }


def role(
    s: Stack, base: str, service: str, *, kind: float | None = None, when: str | None = None, name: Any = None
) -> str:
    """An AWS::IAM::Role with inline policies and/or managed policy ARNs."""
    rng, svc = s.rng, s.svc
    logical_id = s.logical(f"{base}Role")
    kind = rng.random() if kind is None else kind
    if 0.22 <= kind < 0.32:
        s.parameters.setdefault(
            "TrustedAccountId", {"Type": "String", "Default": rng.choice(ACCOUNTS), "AllowedPattern": "[0-9]{12}"}
        )
        s.parameters.setdefault("ExternalId", {"Type": "String", "NoEcho": True, "MinLength": 8})
    props: dict[str, Any] = {}
    if name is not None:
        props["RoleName"] = name
    elif rng.random() < 0.6:
        props["RoleName"] = sub(f"${{Environment}}-${{Service}}-{base.lower()}")
    props["Description"] = f"{base} role for {svc.service}"
    props["AssumeRolePolicyDocument"] = trust_document(s, service, kind)
    if rng.random() < 0.3:
        props["MaxSessionDuration"] = rng.choice((3600, 7200, 43200))
    if rng.random() < 0.15:
        props["PermissionsBoundary"] = sub("arn:aws:iam::${AWS::AccountId}:policy/workload-boundary")
    if rng.random() < 0.2:
        props["Path"] = "/service/"
    managed: list[Any] = []
    for _ in range(rng.choice((0, 1, 1, 2))):
        managed.append(rng.choice(MANAGED_POLICIES[:-2]) if rng.random() < 0.93 else rng.choice(MANAGED_POLICIES[-2:]))
    if rng.random() < 0.1:
        managed.append(if_("IsProd", ref("AWS::NoValue"), "arn:aws:iam::aws:policy/PowerUserAccess"))
    if rng.random() < 0.1:
        managed.append(Fn("ImportValue", sub("${Environment}-shared-ReadConfigPolicyArn")))
    if managed:
        props["ManagedPolicyArns"] = [m for n, m in enumerate(managed) if m not in managed[:n]]
    if rng.random() < 0.65:
        props["Policies"] = [{"PolicyName": f"{base.lower()}-access", "PolicyDocument": policy_document(s)}]
    props["Tags"] = s.tags(svc.lifecycle_tags())
    s.add(logical_id, "AWS::IAM::Role", props, when=when, metadata=s.identity_extras(logical_id))
    return logical_id


# --- themes ------------------------------------------------------------------------------------------


def theme_iam(s: Stack) -> None:
    rng, svc = s.rng, s.svc
    roles = []
    for _ in range(rng.randint(2, 5)):
        base = f"{svc.word().title()}{rng.choice(('App', 'Ci', 'Deploy', 'ReadOnly', 'Ops', 'Batch'))}"
        service = rng.choice(
            (
                "lambda.amazonaws.com",
                "ecs-tasks.amazonaws.com",
                "ec2.amazonaws.com",
                "states.amazonaws.com",
                "glue.amazonaws.com",
                "events.amazonaws.com",
            )
        )
        roles.append((role(s, base, service), service))
    if rng.random() < 0.3:
        s.parameters["EnableBreakGlass"] = {
            "Type": "String",
            "Default": rng.choice(("true", "false")),
            "AllowedValues": ["true", "false"],
        }
        s.conditions["CreateBreakGlass"] = {"Fn::And": [condition("IsProd"), equals(ref("EnableBreakGlass"), "true")]}
        roles.append((role(s, "BreakGlass", "ec2.amazonaws.com", kind=0.25, when="CreateBreakGlass"), ""))
    for logical_id, service in roles:
        if service == "ec2.amazonaws.com":
            s.add(
                s.logical(f"{logical_id}Profile"),
                "AWS::IAM::InstanceProfile",
                {"Path": "/", "Roles": [ref(logical_id)]},
            )
    for _ in range(rng.choice((0, 1, 1, 2))):
        policy_id = s.logical(f"{svc.word().title()}ManagedPolicy")
        attached = rng.sample([r for r, _ in roles], k=min(len(roles), rng.randint(1, 2)))
        s.add(
            policy_id,
            "AWS::IAM::ManagedPolicy",
            {
                "ManagedPolicyName": sub(f"${{Environment}}-${{Service}}-{policy_id.lower()}"),
                "Description": f"Shared access for {svc.service}",
                "PolicyDocument": policy_document(s, 2, 4),
                "Roles": [ref(r) for r in attached],
            },
        )
        s.output(f"{policy_id}Arn", ref(policy_id))
    if rng.random() < 0.4:
        target = rng.choice(roles)[0]
        s.add(
            s.logical(f"{target}ExtraPolicy"),
            "AWS::IAM::Policy",
            {
                "PolicyName": f"{target.lower()}-extra",
                "PolicyDocument": policy_document(s, 1, 2),
                "Roles": [ref(target)],
            },
        )
    if rng.random() < 0.15:
        target = rng.choice(roles)[0]
        s.add(
            s.logical(f"{target}InlinePolicy"),
            "AWS::IAM::RolePolicy",
            {"PolicyName": "inline", "RoleName": ref(target), "PolicyDocument": policy_document(s, 1, 1)},
        )
    if rng.random() < 0.3:
        iam_users(s)
    if rng.random() < 0.03:
        s.parameters["PartnerApiToken"] = {
            "Type": "String",
            "NoEcho": True,
            "Default": f"tok-{rng.getrandbits(64):016x}",
        }  # a literal secret
    if rng.random() < 0.05:
        s.add(
            "GitHubOidcProvider",
            "AWS::IAM::OIDCProvider",
            {
                "Url": "https://token.actions.githubusercontent.com",
                "ClientIdList": ["sts.amazonaws.com"],
                "ThumbprintList": ["6938fd4d98bab03faadb97b34396831e3780aea1"],
            },
            when="IsProd",
        )
    if rng.random() < 0.03:
        s.add(
            "EcsServiceLinkedRole",
            "AWS::IAM::ServiceLinkedRole",
            {"AWSServiceName": "ecs.amazonaws.com", "Description": "ECS"},
            when="IsProd",
        )
    for logical_id, _ in roles[:3]:
        s.output(f"{logical_id}Arn", get_att(logical_id))


def iam_users(s: Stack) -> None:
    rng, svc = s.rng, s.svc
    s.parameters["EnableCiUser"] = {
        "Type": "String",
        "Default": rng.choice(("true", "false")),
        "AllowedValues": ["true", "false"],
    }
    s.conditions["CreateCiUser"] = (
        {"Fn::And": [condition("IsNotProd"), equals(ref("EnableCiUser"), "true")]}
        if rng.random() < 0.5
        else equals(ref("EnableCiUser"), "true")
    )
    user_id = s.logical(f"{rng.choice(('Ci', 'Deploy', 'Legacy', 'Partner', 'Backup', 'Vendor'))}User")
    user_props: dict[str, Any] = {
        "UserName": sub(f"svc-${{Environment}}-${{Service}}-{user_id.lower()}"),
        "Path": "/system/",
        "Tags": s.tags(svc.lifecycle_tags(0.5)),
    }
    if rng.random() < 0.5:
        user_props["ManagedPolicyArns"] = [rng.choice(MANAGED_POLICIES[:-1])]
    if rng.random() < 0.05:
        user_props["LoginProfile"] = {
            "Password": "{{resolve:secretsmanager:ci-console:SecretString:password}}",
            "PasswordResetRequired": True,
        }
    when = "CreateCiUser" if rng.random() < 0.6 else None
    s.add(user_id, "AWS::IAM::User", user_props, when=when, metadata=s.identity_extras(user_id))
    if rng.random() < 0.7:
        key_id = s.add(
            f"{user_id}AccessKey", "AWS::IAM::AccessKey", {"UserName": ref(user_id), "Status": "Active"}, when=when
        )
        s.add(
            f"{user_id}KeySecret",
            "AWS::SecretsManager::Secret",
            {
                "Name": sub(f"/${{Environment}}/${{Service}}/{user_id.lower()}-key"),
                "SecretString": sub(
                    f'{{"AccessKeyId":"${{{key_id}}}","SecretAccessKey":"${{{key_id}.SecretAccessKey}}"}}'
                ),
            },
            when=when,
        )
    if rng.random() < 0.5:
        s.add(
            f"{user_id}Policy",
            "AWS::IAM::UserPolicy",
            {"UserName": ref(user_id), "PolicyName": "deploy", "PolicyDocument": policy_document(s, 1, 2)},
            when=when,
        )
    if rng.random() < 0.3:
        group_id = s.add(
            "DeployersGroup",
            "AWS::IAM::Group",
            {
                "GroupName": sub("${Environment}-${Service}-deployers"),
                "ManagedPolicyArns": [MANAGED_POLICIES[0]],
                "Policies": [{"PolicyName": "deploy", "PolicyDocument": policy_document(s, 1, 2)}],
            },
        )
        s.add(
            "DeployersMembership",
            "AWS::IAM::UserToGroupAddition",
            {"GroupName": ref(group_id), "Users": [ref(user_id)]},
            when=when,
        )


SAM_TEMPLATES = (
    ("S3ReadPolicy", "BucketName", "bucket"),
    ("S3CrudPolicy", "BucketName", "bucket"),
    ("DynamoDBCrudPolicy", "TableName", "table"),
    ("DynamoDBReadPolicy", "TableName", "table"),
    ("SQSPollerPolicy", "QueueName", "queue"),
    ("SQSSendMessagePolicy", "QueueName", "queue"),
    ("SNSPublishMessagePolicy", "TopicName", "topic"),
    ("SSMParameterReadPolicy", "ParameterName", "param"),
    ("AWSSecretsManagerGetSecretValuePolicy", "SecretArn", "secret"),
    ("KMSDecryptPolicy", "KeyId", "key"),
    ("CloudWatchPutMetricPolicy", None, None),
    ("VPCAccessPolicy", None, None),
)


def theme_sam(s: Stack) -> None:
    rng, svc = s.rng, s.svc
    s.sam = True
    s.parameters["LogLevel"] = {"Type": "String", "Default": rng.choice(("INFO", "DEBUG", "WARN"))}
    s.globals = {
        "Function": {
            "Runtime": rng.choice(("python3.12", "python3.11", "nodejs20.x", "java21")),
            "Timeout": rng.choice((10, 30, 60)),
            "MemorySize": rng.choice((256, 512, 1024)),
            "Tracing": rng.choice(("Active", "PassThrough")),
            "Environment": {"Variables": {"ENV": ref("Environment"), "LOG_LEVEL": ref("LogLevel")}},
            "Tags": {"service": svc.service, "team": svc.team},
        }
    }
    bucket = s.add(
        "DataBucket",
        "AWS::S3::Bucket",
        {
            "BucketName": sub("${Environment}-${Service}-data-${AWS::AccountId}"),
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "Tags": s.tags(),
        },
        retain=True,
    )
    queue = s.add(
        "WorkQueue",
        "AWS::SQS::Queue",
        {
            "QueueName": sub("${Environment}-${Service}-work"),
            "VisibilityTimeout": 120,
            "RedrivePolicy": {"deadLetterTargetArn": get_att("WorkDeadLetterQueue"), "maxReceiveCount": 5},
        },
    )
    s.add("WorkDeadLetterQueue", "AWS::SQS::Queue", {"MessageRetentionPeriod": 1209600})
    table = s.add(
        "ItemsTable",
        "AWS::DynamoDB::Table",
        {
            "TableName": sub("${Environment}-${Service}-items"),
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": if_("IsProd", True, False)},
        },
    )
    topic = s.add("EventsTopic", "AWS::SNS::Topic", {"TopicName": sub("${Environment}-${Service}-events")})
    targets = {
        "bucket": ref(bucket),
        "table": ref(table),
        "queue": get_att(queue, "QueueName"),
        "topic": get_att(topic, "TopicName"),
        "param": sub("${Environment}/${Service}/*"),
        "secret": sub("arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${Service}/*"),
        "key": "alias/aws/ssm",
    }
    shared_role = None
    if rng.random() < 0.3:
        shared_role = role(s, "Functions", "lambda.amazonaws.com", kind=0.9)
    for _ in range(rng.randint(1, 4)):
        function_id = s.logical(f"{svc.word().title()}Function")
        props: dict[str, Any] = {
            "FunctionName": sub(f"${{Environment}}-${{Service}}-{function_id.lower()}"),
            "CodeUri": f"src/{function_id.lower()}/",
            "Handler": "app.handler",
            "Description": f"{svc.service} {function_id}",
        }
        if rng.random() < 0.3:
            props["Environment"] = {"Variables": {"TABLE": ref(table), "QUEUE_URL": ref(queue)}}
        if shared_role is not None and rng.random() < 0.6:
            props["Role"] = get_att(shared_role)
        elif rng.random() < 0.08:
            props["Role"] = Fn("ImportValue", sub("${Environment}-shared-LambdaRoleArn"))
        else:
            policies: list[Any] = []
            for _ in range(rng.randint(1, 4)):
                pick = rng.random()
                if pick < 0.25:
                    policies.append(rng.choice(SAM_MANAGED))
                elif pick < 0.75:
                    template, parameter, target = rng.choice(SAM_TEMPLATES)
                    policies.append({template: {parameter: targets[target]} if parameter and target else {}})
                elif pick < 0.95:
                    policies.append(policy_document(s, 1, 2))
                else:
                    policies.append(rng.choice(MANAGED_POLICIES[-2:]))
            props["Policies"] = policies
            if rng.random() < 0.3:
                props["Tags"] = svc.lifecycle_tags()  # SAM: a map, merged over Globals
        events: dict[str, Any] = {}
        kind = rng.random()
        if kind < 0.35:
            events["Queue"] = {"Type": "SQS", "Properties": {"Queue": get_att(queue), "BatchSize": 10}}
        elif kind < 0.6:
            events["Nightly"] = {"Type": "Schedule", "Properties": {"Schedule": "cron(0 3 * * ? *)"}}
        elif kind < 0.85:
            events["Api"] = {"Type": "Api", "Properties": {"Path": f"/{function_id.lower()}", "Method": "post"}}
        if events:
            props["Events"] = events
        if rng.random() < 0.15:
            props["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": get_att("WorkDeadLetterQueue")}
        s.add(function_id, "AWS::Serverless::Function", props, metadata=s.identity_extras(function_id))
        s.add(
            f"{function_id}Logs",
            "AWS::Logs::LogGroup",
            {"LogGroupName": sub(f"/aws/lambda/${{{function_id}}}"), "RetentionInDays": s.retention()},
        )
        if rng.random() < 0.5:
            s.add(
                f"{function_id}Errors",
                "AWS::CloudWatch::Alarm",
                {
                    "AlarmName": sub(f"${{Environment}}-${{Service}}-{function_id.lower()}-errors"),
                    "Namespace": "AWS/Lambda",
                    "MetricName": "Errors",
                    "Statistic": "Sum",
                    "Period": 300,
                    "EvaluationPeriods": 1,
                    "Threshold": 1,
                    "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                    "Dimensions": [{"Name": "FunctionName", "Value": ref(function_id)}],
                    "AlarmActions": [if_("IsProd", ref(topic), ref("AWS::NoValue"))],
                },
            )
        s.output(f"{function_id}Arn", get_att(function_id), export=False)
    if rng.random() < 0.2:
        machine_id = s.logical("OrchestratorStateMachine")
        s.add(
            machine_id,
            "AWS::Serverless::StateMachine",
            {
                "Definition": {"StartAt": "Start", "States": {"Start": {"Type": "Pass", "End": True}}},
                "Policies": [{"LambdaInvokePolicy": {"FunctionName": sub("${Environment}-${Service}-*")}}],
            },
        )


def theme_lambda(s: Stack) -> None:
    rng, svc = s.rng, s.svc
    role_id = role(s, "Lambda", "lambda.amazonaws.com", kind=0.9)
    for _ in range(rng.randint(1, 3)):
        function_id = s.logical(f"{svc.word().title()}Function")
        s.add(
            function_id,
            "AWS::Lambda::Function",
            {
                "FunctionName": sub(f"${{Environment}}-${{Service}}-{function_id.lower()}"),
                "Runtime": rng.choice(("python3.12", "nodejs20.x")),
                "Handler": "index.handler",
                "Role": get_att(role_id),
                "Timeout": 30,
                "MemorySize": 256,
                "Code": {
                    "S3Bucket": sub("${Environment}-artifacts-${AWS::AccountId}"),
                    "S3Key": sub(f"${{Service}}/{function_id.lower()}.zip"),
                },
                "Environment": {"Variables": {"ENV": ref("Environment"), "SERVICE": ref("Service")}},
                "TracingConfig": {"Mode": "Active"},
                "Tags": s.tags(),
            },
        )
        s.add(
            f"{function_id}Permission",
            "AWS::Lambda::Permission",
            {
                "FunctionName": ref(function_id),
                "Action": "lambda:InvokeFunction",
                "Principal": "events.amazonaws.com",
                "SourceArn": get_att(f"{function_id}Schedule"),
            },
        )
        s.add(
            f"{function_id}Schedule",
            "AWS::Events::Rule",
            {
                "ScheduleExpression": rng.choice(("rate(5 minutes)", "rate(1 hour)", "cron(0 2 * * ? *)")),
                "State": if_("IsProd", "ENABLED", "DISABLED"),
                "Targets": [{"Id": "fn", "Arn": get_att(function_id)}],
            },
        )
        s.add(
            f"{function_id}Logs",
            "AWS::Logs::LogGroup",
            {"LogGroupName": sub(f"/aws/lambda/${{{function_id}}}"), "RetentionInDays": s.retention()},
        )
    s.output("LambdaRoleArn", get_att(role_id))


def theme_ecs(s: Stack) -> None:
    rng, svc = s.rng, s.svc
    s.parameters["ImageTag"] = {"Type": "String", "Default": "latest"}
    s.parameters["ClusterName"] = {"Type": "String", "Default": f"{svc.env}-apps"}
    s.parameters["VpcId"] = {"Type": "AWS::EC2::VPC::Id"}
    s.parameters["SubnetIds"] = {"Type": "List<AWS::EC2::Subnet::Id>"}
    s.parameters["DesiredCount"] = {"Type": "Number", "Default": rng.choice((1, 2, 3))}
    task_role = role(s, "Task", "ecs-tasks.amazonaws.com", kind=0.9)
    if rng.random() < 0.5:
        execution = get_att(role(s, "Execution", "ecs-tasks.amazonaws.com", kind=0.9))
    else:  # a role another stack created, named by convention
        execution = sub("arn:aws:iam::${AWS::AccountId}:role/${Environment}-ecs-task-execution")
    s.add(
        "TaskLogs",
        "AWS::Logs::LogGroup",
        {"LogGroupName": sub("/ecs/${Environment}/${Service}"), "RetentionInDays": s.retention()},
    )
    containers = []
    for n in range(rng.randint(1, 2)):
        containers.append(
            {
                "Name": svc.service if n == 0 else "sidecar",
                "Image": sub(f"{svc.account}.dkr.ecr.${{AWS::Region}}.amazonaws.com/${{Service}}:${{ImageTag}}"),
                "Essential": n == 0,
                "PortMappings": [{"ContainerPort": 8080 + n, "Protocol": "tcp"}],
                "Environment": [{"Name": "ENV", "Value": ref("Environment")}, {"Name": "PORT", "Value": str(8080 + n)}],
                "Secrets": [
                    {
                        "Name": "DB_PASSWORD",
                        "ValueFrom": sub(
                            "arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${Service}/db"
                        ),
                    }
                ],
                "LogConfiguration": {
                    "LogDriver": "awslogs",
                    "Options": {
                        "awslogs-group": ref("TaskLogs"),
                        "awslogs-region": ref("AWS::Region"),
                        "awslogs-stream-prefix": svc.service,
                    },
                },
            }
        )
    s.add(
        "TaskDefinition",
        "AWS::ECS::TaskDefinition",
        {
            "Family": sub("${Environment}-${Service}"),
            "Cpu": "512",
            "Memory": "1024",
            "NetworkMode": "awsvpc",
            "RequiresCompatibilities": ["FARGATE"],
            "TaskRoleArn": get_att(task_role),
            "ExecutionRoleArn": execution,
            "ContainerDefinitions": containers,
            "Tags": s.tags(),
        },
    )
    s.add(
        "ServiceSecurityGroup",
        "AWS::EC2::SecurityGroup",
        {
            "GroupDescription": sub("${Service} tasks"),
            "VpcId": ref("VpcId"),
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "10.0.0.0/8"}],
        },
    )
    s.add(
        "TargetGroup",
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "Port": 8080,
            "Protocol": "HTTP",
            "TargetType": "ip",
            "VpcId": ref("VpcId"),
            "HealthCheckPath": "/health",
            "Matcher": {"HttpCode": "200"},
        },
    )
    s.add(
        "EcsService",
        "AWS::ECS::Service",
        {
            "Cluster": ref("ClusterName"),
            "ServiceName": ref("Service"),
            "TaskDefinition": ref("TaskDefinition"),
            "DesiredCount": ref("DesiredCount"),
            "LaunchType": "FARGATE",
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {"Subnets": ref("SubnetIds"), "SecurityGroups": [ref("ServiceSecurityGroup")]}
            },
            "LoadBalancers": [
                {"ContainerName": svc.service, "ContainerPort": 8080, "TargetGroupArn": ref("TargetGroup")}
            ],
        },
        depends_on=["TargetGroup"],
    )
    if rng.random() < 0.6:
        s.add(
            "ScalableTarget",
            "AWS::ApplicationAutoScaling::ScalableTarget",
            {
                "MaxCapacity": if_("IsProd", 10, 2),
                "MinCapacity": 1,
                "ScalableDimension": "ecs:service:DesiredCount",
                "ServiceNamespace": "ecs",
                "ResourceId": sub("service/${ClusterName}/${EcsService.Name}"),
            },
        )
        s.add(
            "ScalingPolicy",
            "AWS::ApplicationAutoScaling::ScalingPolicy",
            {
                "PolicyName": "cpu",
                "PolicyType": "TargetTrackingScaling",
                "ScalingTargetId": ref("ScalableTarget"),
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 60,
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                },
            },
        )
    s.output("TaskRoleArn", get_att(task_role))


def theme_ec2(s: Stack) -> None:
    rng = s.rng
    s.parameters["VpcId"] = {"Type": "AWS::EC2::VPC::Id"}
    s.parameters["SubnetIds"] = {"Type": "List<AWS::EC2::Subnet::Id>"}
    s.parameters["AmiId"] = {
        "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        "Default": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    }
    role_id = role(s, "Instance", "ec2.amazonaws.com", kind=0.9)
    s.add("InstanceProfile", "AWS::IAM::InstanceProfile", {"Path": "/", "Roles": [ref(role_id)]})
    s.add(
        "InstanceSecurityGroup",
        "AWS::EC2::SecurityGroup",
        {
            "GroupDescription": "instances",
            "VpcId": ref("VpcId"),
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8"}],
            "Tags": s.tags(),
        },
    )
    user_data = (
        "#!/bin/bash\nset -euo pipefail\n"
        'echo "ENV=${Environment}" >> /etc/environment\n'
        "aws s3 cp s3://${Environment}-artifacts-${AWS::AccountId}/${Service}/app.tar.gz /opt/app.tar.gz\n"
        "systemctl enable --now app\n"
    )
    instance_type: Any = (
        find_in_map("EnvConfig", ref("Environment"), "InstanceType") if "EnvConfig" in s.mappings else "t3.medium"
    )
    s.add(
        "LaunchTemplate",
        "AWS::EC2::LaunchTemplate",
        {
            "LaunchTemplateData": {
                "ImageId": ref("AmiId"),
                "InstanceType": instance_type,
                "IamInstanceProfile": {"Arn": get_att("InstanceProfile")},
                "SecurityGroupIds": [ref("InstanceSecurityGroup")],
                "MetadataOptions": {"HttpTokens": "required"},
                "UserData": Fn("Base64", sub(user_data)),
            }
        },
    )
    s.add(
        "AutoScalingGroup",
        "AWS::AutoScaling::AutoScalingGroup",
        {
            "MinSize": "1",
            "MaxSize": if_("IsProd", "6", "2"),
            "VPCZoneIdentifier": ref("SubnetIds"),
            "LaunchTemplate": {
                "LaunchTemplateId": ref("LaunchTemplate"),
                "Version": get_att("LaunchTemplate", "LatestVersionNumber"),
            },
        },
    )
    if rng.random() < 0.3:
        s.add(
            "Bastion",
            "AWS::EC2::Instance",
            {
                "ImageId": ref("AmiId"),
                "InstanceType": "t3.micro",
                "IamInstanceProfile": ref("InstanceProfile"),
                "SubnetId": Fn("Select", [0, ref("SubnetIds")]),
                "Tags": s.tags(),
            },
            when="IsNotProd",
        )


def theme_data(s: Stack) -> None:
    rng = s.rng
    s.add(
        "Key",
        "AWS::KMS::Key",
        {
            "Description": sub("${Service} data key"),
            "EnableKeyRotation": True,
            "KeyPolicy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "Root",
                        "Effect": "Allow",
                        "Principal": {"AWS": sub("arn:aws:iam::${AWS::AccountId}:root")},
                        "Action": "kms:*",
                        "Resource": "*",
                    }
                ],
            },
        },
    )
    s.add(
        "KeyAlias", "AWS::KMS::Alias", {"AliasName": sub("alias/${Environment}-${Service}"), "TargetKeyId": ref("Key")}
    )
    for _ in range(rng.randint(1, 3)):
        bucket = s.logical(f"{s.svc.word().title()}Bucket")
        s.add(
            bucket,
            "AWS::S3::Bucket",
            {
                "BucketName": sub(f"${{Environment}}-${{Service}}-{bucket.lower()}-${{AWS::AccountId}}"),
                "VersioningConfiguration": {"Status": "Enabled"},
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": get_att("Key")}}
                    ]
                },
                "LifecycleConfiguration": {
                    "Rules": [{"Id": "tmp", "Status": "Enabled", "Prefix": "tmp/", "ExpirationInDays": 7}]
                },
                "Tags": s.tags(),
            },
            retain=True,
        )
        s.add(
            f"{bucket}Policy",
            "AWS::S3::BucketPolicy",
            {
                "Bucket": ref(bucket),
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "TlsOnly",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [get_att(bucket), sub(f"${{{bucket}.Arn}}/*")],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                },
            },
        )
    for _ in range(rng.randint(0, 2)):
        table = s.logical(f"{s.svc.word().title()}Table")
        s.add(
            table,
            "AWS::DynamoDB::Table",
            {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "SSESpecification": {"SSEEnabled": True},
                "Tags": s.tags(),
            },
        )
    s.add("Queue", "AWS::SQS::Queue", {"KmsMasterKeyId": ref("Key"), "MessageRetentionPeriod": 345600})
    s.add(
        "QueuePolicy",
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [ref("Queue")],
            "PolicyDocument": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": get_att("Queue"),
                        "Condition": {"ArnEquals": {"aws:SourceArn": ref("Topic")}},
                    }
                ]
            },
        },
    )
    s.add("Topic", "AWS::SNS::Topic", {"KmsMasterKeyId": ref("Key")})
    s.add(
        "Subscription",
        "AWS::SNS::Subscription",
        {"TopicArn": ref("Topic"), "Protocol": "sqs", "Endpoint": get_att("Queue")},
    )
    if rng.random() < 0.5:
        s.add(
            "DbSecret",
            "AWS::SecretsManager::Secret",
            {
                "Name": sub("/${Environment}/${Service}/db"),
                "KmsKeyId": ref("Key"),
                "GenerateSecretString": {
                    "SecretStringTemplate": '{"username": "app"}',
                    "GenerateStringKey": "password",
                    "PasswordLength": 32,
                    "ExcludeCharacters": '"@/\\',
                },
                "Tags": s.tags(s.svc.lifecycle_tags(0.4)),
            },
        )
        if rng.random() < 0.6:
            s.add(
                "DbSecretRotation",
                "AWS::SecretsManager::RotationSchedule",
                {
                    "SecretId": ref("DbSecret"),
                    "RotationLambdaARN": sub(
                        "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:secret-rotation"
                    ),
                    "RotationRules": {"AutomaticallyAfterDays": rng.choice((30, 90, 365))},
                },
            )
        password: Any = sub("{{resolve:secretsmanager:${DbSecret}:SecretString:password}}")
        if rng.random() < 0.03:
            password = "Sup3rS3cret!"  # a literal: nhilint reports it
        s.add(
            "Database",
            "AWS::RDS::DBInstance",
            {
                "Engine": "postgres",
                "EngineVersion": "16.3",
                "DBInstanceClass": if_("IsProd", "db.r6g.large", "db.t4g.micro"),
                "AllocatedStorage": "50",
                "MasterUsername": "app",
                "MasterUserPassword": password,
                "StorageEncrypted": True,
                "KmsKeyId": ref("Key"),
                "MultiAZ": if_("IsProd", True, False),
                "Tags": s.tags(),
            },
            retain=True,
        )


def theme_network(s: Stack) -> None:
    rng = s.rng
    s.parameters["VpcCidr"] = {"Type": "String", "Default": f"10.{rng.randint(0, 250)}.0.0/16"}
    s.add(
        "Vpc",
        "AWS::EC2::VPC",
        {"CidrBlock": ref("VpcCidr"), "EnableDnsHostnames": True, "EnableDnsSupport": True, "Tags": s.tags()},
    )
    s.add("InternetGateway", "AWS::EC2::InternetGateway", {"Tags": s.tags()})
    s.add(
        "GatewayAttachment",
        "AWS::EC2::VPCGatewayAttachment",
        {"VpcId": ref("Vpc"), "InternetGatewayId": ref("InternetGateway")},
    )
    s.add("PublicRouteTable", "AWS::EC2::RouteTable", {"VpcId": ref("Vpc")})
    s.add(
        "PublicRoute",
        "AWS::EC2::Route",
        {
            "RouteTableId": ref("PublicRouteTable"),
            "DestinationCidrBlock": "0.0.0.0/0",
            "GatewayId": ref("InternetGateway"),
        },
        depends_on=["GatewayAttachment"],
    )
    for n in range(rng.choice((2, 3))):
        for tier in ("Public", "Private"):
            subnet = f"{tier}Subnet{n}"
            s.add(
                subnet,
                "AWS::EC2::Subnet",
                {
                    "VpcId": ref("Vpc"),
                    "AvailabilityZone": Fn("Select", [n, Fn("GetAZs", "")]),
                    "CidrBlock": Fn("Select", [n * 2 + (tier == "Private"), Fn("Cidr", [ref("VpcCidr"), 8, 8])]),
                    "MapPublicIpOnLaunch": tier == "Public",
                    "Tags": s.tags(),
                },
            )
            if tier == "Public":
                s.add(
                    f"{subnet}Routes",
                    "AWS::EC2::SubnetRouteTableAssociation",
                    {"SubnetId": ref(subnet), "RouteTableId": ref("PublicRouteTable")},
                )
    s.add("NatEip", "AWS::EC2::EIP", {"Domain": "vpc"}, when="IsProd")
    s.add(
        "NatGateway",
        "AWS::EC2::NatGateway",
        {"AllocationId": get_att("NatEip", "AllocationId"), "SubnetId": ref("PublicSubnet0")},
        when="IsProd",
    )
    s.add(
        "EndpointSecurityGroup",
        "AWS::EC2::SecurityGroup",
        {
            "GroupDescription": "VPC endpoints",
            "VpcId": ref("Vpc"),
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": ref("VpcCidr")}],
        },
    )
    for service in rng.sample(("s3", "dynamodb", "ecr.api", "ecr.dkr", "logs", "sts", "secretsmanager"), 3):
        s.add(
            s.logical(f"{service.title()}Endpoint"),
            "AWS::EC2::VPCEndpoint",
            {
                "VpcId": ref("Vpc"),
                "ServiceName": sub(f"com.amazonaws.${{AWS::Region}}.{service}"),
                "VpcEndpointType": "Gateway" if service in ("s3", "dynamodb") else "Interface",
            },
        )
    s.output("VpcId", ref("Vpc"))


def theme_monitoring(s: Stack) -> None:
    rng = s.rng
    s.add(
        "AlarmTopic",
        "AWS::SNS::Topic",
        {
            "TopicName": sub("${Environment}-${Service}-alarms"),
            "Subscription": [{"Protocol": "email", "Endpoint": f"{s.svc.team}@example.com"}],
        },
    )
    s.add(
        "AppLogs",
        "AWS::Logs::LogGroup",
        {"LogGroupName": sub("/app/${Environment}/${Service}"), "RetentionInDays": s.retention()},
    )
    for n in range(rng.randint(2, 6)):
        metric = rng.choice(("Errors", "Latency", "5xx", "Throttles", "QueueDepth", "CPUUtilization"))
        s.add(
            f"{metric.title()}Filter{n}",
            "AWS::Logs::MetricFilter",
            {
                "LogGroupName": ref("AppLogs"),
                "FilterPattern": f'{{ $.level = "ERROR" && $.metric = "{metric}" }}',
                "MetricTransformations": [
                    {"MetricNamespace": sub("${Service}"), "MetricName": metric, "MetricValue": "1"}
                ],
            },
        )
        s.add(
            f"{metric.title()}Alarm{n}",
            "AWS::CloudWatch::Alarm",
            {
                "AlarmName": sub(f"${{Environment}}-${{Service}}-{metric.lower()}-{n}"),
                "Namespace": sub("${Service}"),
                "MetricName": metric,
                "Statistic": "Sum",
                "Period": 60,
                "EvaluationPeriods": 3,
                "ComparisonOperator": "GreaterThanThreshold",
                "Threshold": (
                    find_in_map("EnvConfig", ref("Environment"), "AlarmThreshold") if "EnvConfig" in s.mappings else 5
                ),
                "AlarmActions": [ref("AlarmTopic")],
                "TreatMissingData": "notBreaching",
            },
        )
    widgets = ",".join(
        f'{{"type":"metric","properties":{{"metrics":[["${{Service}}","M{n}"]],"region":"${{AWS::Region}}"}}}}'
        for n in range(rng.randint(2, 5))
    )
    s.add(
        "Dashboard",
        "AWS::CloudWatch::Dashboard",
        {"DashboardName": sub("${Environment}-${Service}"), "DashboardBody": sub(f'{{"widgets":[{widgets}]}}')},
    )


def theme_pipeline(s: Stack) -> None:
    rng = s.rng
    s.parameters["GitHubConnectionArn"] = {"Type": "String"}
    s.add("ArtifactBucket", "AWS::S3::Bucket", {"VersioningConfiguration": {"Status": "Enabled"}}, retain=True)
    build_role = role(s, "Build", "codebuild.amazonaws.com", kind=0.9)
    pipeline_role = role(s, "Pipeline", "codepipeline.amazonaws.com", kind=0.9)
    s.add(
        "Build",
        "AWS::CodeBuild::Project",
        {
            "Name": sub("${Environment}-${Service}-build"),
            "ServiceRole": get_att(build_role),
            "Artifacts": {"Type": "CODEPIPELINE"},
            "Source": {"Type": "CODEPIPELINE", "BuildSpec": "buildspec.yml"},
            "Environment": {
                "Type": "LINUX_CONTAINER",
                "ComputeType": "BUILD_GENERAL1_SMALL",
                "Image": "aws/codebuild/standard:7.0",
                "PrivilegedMode": rng.random() < 0.3,
                "EnvironmentVariables": [
                    {"Name": "ENV", "Value": ref("Environment")},
                    {"Name": "NPM_TOKEN", "Type": "SECRETS_MANAGER", "Value": "ci/npm-token"},
                ],
            },
            "Tags": s.tags(),
        },
    )
    s.add(
        "Pipeline",
        "AWS::CodePipeline::Pipeline",
        {
            "RoleArn": get_att(pipeline_role),
            "ArtifactStore": {"Type": "S3", "Location": ref("ArtifactBucket")},
            "Stages": [
                {
                    "Name": "Source",
                    "Actions": [
                        {
                            "Name": "Source",
                            "ActionTypeId": {
                                "Category": "Source",
                                "Owner": "AWS",
                                "Provider": "CodeStarSourceConnection",
                                "Version": "1",
                            },
                            "Configuration": {
                                "ConnectionArn": ref("GitHubConnectionArn"),
                                "FullRepositoryId": sub("example-org/${Service}"),
                                "BranchName": "main",
                            },
                            "OutputArtifacts": [{"Name": "src"}],
                        }
                    ],
                },
                {
                    "Name": "Build",
                    "Actions": [
                        {
                            "Name": "Build",
                            "ActionTypeId": {
                                "Category": "Build",
                                "Owner": "AWS",
                                "Provider": "CodeBuild",
                                "Version": "1",
                            },
                            "Configuration": {"ProjectName": ref("Build")},
                            "InputArtifacts": [{"Name": "src"}],
                        }
                    ],
                },
            ],
        },
    )
    s.add(
        "PipelineTrigger",
        "AWS::Events::Rule",
        {
            "EventPattern": {"source": ["aws.s3"], "detail-type": ["Object Created"]},
            "Targets": [
                {
                    "Id": "pipeline",
                    "Arn": sub("arn:aws:codepipeline:${AWS::Region}:${AWS::AccountId}:${Pipeline}"),
                    "RoleArn": get_att(pipeline_role),
                }
            ],
        },
    )


def theme_workflow(s: Stack) -> None:
    rng = s.rng
    role_id = role(s, "StateMachine", "states.amazonaws.com", kind=0.9)
    states: dict[str, dict[str, Any]] = {
        f"Step{n}": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": f"${{Environment}}-${{Service}}-step{n}"},
            "Next": f"Step{n + 1}",
        }
        for n in range(rng.randint(2, 5))
    }
    last = list(states)[-1]
    states[last].pop("Next")
    states[last]["End"] = True
    s.add(
        "StateMachine",
        "AWS::StepFunctions::StateMachine",
        {
            "StateMachineName": sub("${Environment}-${Service}"),
            "RoleArn": get_att(role_id),
            "DefinitionString": sub(json.dumps({"StartAt": "Step0", "States": states}, indent=2)),
            "LoggingConfiguration": {"Level": "ERROR"},
        },
    )
    events_role = role(s, "Events", "events.amazonaws.com", kind=0.9)
    s.add(
        "Schedule",
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(1 day)",
            "Targets": [{"Id": "sm", "Arn": ref("StateMachine"), "RoleArn": get_att(events_role)}],
        },
    )


THEMES = {
    "iam": theme_iam,
    "sam": theme_sam,
    "lambda": theme_lambda,
    "ecs": theme_ecs,
    "ec2": theme_ec2,
    "data": theme_data,
    "network": theme_network,
    "monitoring": theme_monitoring,
    "pipeline": theme_pipeline,
    "workflow": theme_workflow,
}
THEME_WEIGHTS = {
    "iam": 10,
    "sam": 9,
    "lambda": 5,
    "ecs": 7,
    "ec2": 4,
    "data": 9,
    "network": 5,
    "monitoring": 8,
    "pipeline": 4,
    "workflow": 3,
}


# --- the tree ----------------------------------------------------------------------------------------


def service_templates(svc: Svc) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(file name, text, template or None) of one service directory's templates and side files."""
    rng = svc.rng
    themes = ["iam"] if rng.random() < 0.8 else []
    pool = [t for t in THEME_WEIGHTS if t not in themes]
    wanted = rng.randint(3, 6)
    while len(themes) < wanted:
        choice = rng.choices(pool, weights=[THEME_WEIGHTS[t] for t in pool])[0]
        pool.remove(choice)
        themes.append(choice)
    files: list[tuple[str, str, dict[str, Any] | None]] = []
    for theme in themes:
        stack = Stack(svc, theme)
        stack.standard_parameters()
        THEMES[theme](stack)
        fmt = "json" if rng.random() < 0.25 else "yaml"
        description = f"{svc.service} {theme} ({svc.env}) - owned by {svc.team}"
        document = stack.document(fmt, description)
        if fmt == "json":
            name = f"{theme}.json" if rng.random() < 0.9 else f"{theme}.template"
            files.append((name, to_json(document, rng.choice((2, 2, 4))), document))
        else:
            name = f"{theme}.{rng.choice(('yaml', 'yaml', 'yml'))}"
            header = f"# {theme} stack for {svc.service} ({svc.env})\n# Deployed by the {svc.team} pipeline.\n"
            files.append((name, to_yaml(document, stack.comments, header), document))
        if rng.random() < 0.3:
            parameters = [
                {"ParameterKey": "Environment", "ParameterValue": svc.env},
                {"ParameterKey": "Owner", "ParameterValue": svc.team},
            ]
            files.append((f"parameters/{theme}.json", json.dumps(parameters, indent=2) + "\n", None))
    if rng.random() < 0.3:
        files.append(
            (
                "buildspec.yml",
                yaml.safe_dump(
                    {
                        "version": 0.2,
                        "phases": {
                            "install": {"commands": ["pip install -r requirements.txt"]},
                            "build": {"commands": ["make test", "sam build", "sam package"]},
                        },
                        "artifacts": {"files": ["packaged.yaml"]},
                    },
                    sort_keys=False,
                ),
                None,
            )
        )
    return files


def generate(out: Path, files: int, seed: int) -> Stats:
    rng = random.Random(seed)
    stats = Stats()
    services = [f"{d}-{c}" for d in DOMAINS for c in COMPONENTS]
    per_env = {env: rng.sample(services, len(services)) for env in ENVS}
    env_index = 0
    while stats.templates < files:
        env = ENVS[env_index % len(ENVS)]
        env_index += 1
        if not per_env[env]:
            if not any(per_env.values()):
                break
            continue
        service = per_env[env].pop()
        svc = Svc(rng, env, service, rng.choice(TEAMS), rng.choice(REGIONS), rng.choice(ACCOUNTS))
        for name, text, document in service_templates(svc):
            path = out / env / service / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            stats.bytes += len(text.encode("utf-8"))
            if document is None:
                stats.other_files += 1
                continue
            stats.templates += 1
            if name.endswith((".json", ".template")):
                stats.json += 1
            else:
                stats.yaml += 1
            for body in document["Resources"].values():
                stats.resources += 1
                stats.by_type[body["Type"]] += 1
                stats.identity += body["Type"] in IDENTITY_TYPES
    return stats


# --- what the tree declares, read back from the files -----------------------------------------------


class _TagLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML that turns any `!Tag` into its long-form mapping (enough to count what templates declare)."""


def _construct_tag(loader: Any, suffix: str, node: Any) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}": value}


_TagLoader.add_multi_constructor("!", _construct_tag)


def _condition(document: dict[str, Any], name: str, seen: frozenset[str] = frozenset()) -> bool | None:
    """A named condition with the parameters' defaults: True, False, or None when it cannot be told."""
    conditions = document.get("Conditions") or {}
    if name not in conditions or name in seen:
        return None
    return _test(document, conditions[name], seen | {name})


def _test(document: dict[str, Any], node: Any, seen: frozenset[str]) -> bool | None:
    if not isinstance(node, dict) or len(node) != 1:
        return None
    key, arg = next(iter(node.items()))
    if key == "Condition":
        return _condition(document, arg, seen)
    if key == "Fn::Equals":
        left, right = (_scalar(document, item) for item in arg)
        return None if left is None or right is None else left == right
    if key == "Fn::Not":
        inner = _test(document, arg[0], seen)
        return None if inner is None else not inner
    if key in ("Fn::And", "Fn::Or"):
        results = [_test(document, item, seen) for item in arg]
        if key == "Fn::And":
            return False if False in results else None if None in results else True
        return True if True in results else None if None in results else False
    return None


def _scalar(document: dict[str, Any], value: Any) -> str | None:
    if isinstance(value, dict) and set(value) == {"Ref"}:
        parameter = (document.get("Parameters") or {}).get(value["Ref"])
        if not isinstance(parameter, dict) or "Default" not in parameter:
            return None
        value = parameter["Default"]
    return None if isinstance(value, dict | list) else str(value)


def load_template(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        return json.loads(text)
    return yaml.load(text, Loader=_TagLoader)


@dataclass
class TreeSummary:
    """What a tree holds, read back from its files (for run.py: what the scan should see)."""

    templates: int = 0
    yaml: int = 0
    json: int = 0
    other_files: int = 0  # YAML / JSON that is not a template (parameter files, buildspecs)
    resources: int = 0
    principals: int = 0
    bytes: int = 0


def tree_summary(tree: Path) -> TreeSummary:
    """Templates, resources, and the principals the templates create with the parameters' defaults.

    Principals are roles, users, groups, service-linked roles, and the role SAM generates for a function or
    state machine without `Role` (also not in `Globals`). A resource whose `Condition` is false with the
    defaults is not created; one that cannot be decided is counted (nhilint reads it too). Logical ids are
    per template, so every template's principals count.
    """
    summary = TreeSummary()
    for path in sorted(tree.rglob("*")):
        if not path.is_file() or not path.name.endswith(TEMPLATE_SUFFIXES):
            continue
        summary.bytes += path.stat().st_size
        document = load_template(path)
        if not isinstance(document, dict) or not ("Resources" in document or "AWSTemplateFormatVersion" in document):
            summary.other_files += 1
            continue
        summary.templates += 1
        if path.name.endswith(".yaml") or path.name.endswith(".yml"):
            summary.yaml += 1
        else:
            summary.json += 1
        globals_ = document.get("Globals") or {}
        for body in (document.get("Resources") or {}).values():
            summary.resources += 1
            type_ = body.get("Type")
            if type_ not in PRINCIPAL_TYPES and type_ not in SAM_TYPES:
                continue
            if "Condition" in body and _condition(document, body["Condition"]) is False:
                continue
            if type_ in SAM_TYPES and (
                "Role" in (body.get("Properties") or {}) or "Role" in (globals_.get(SAM_TYPES[type_]) or {})
            ):
                continue  # runs as a role declared elsewhere
            summary.principals += 1
    return summary


def declared_principals(tree: Path) -> int:
    return tree_summary(tree).principals
