"""A Terraform source tree and the plan `terraform show -json` writes for it (tests of plan scanning).

The plan below has the shape `terraform show -json` (Terraform 1.11, AWS provider 5.x) writes for SOURCE
with `-var env=prod` and a state holding `aws_iam_user.old` and `aws_iam_role.deploy` (whose tags change):
`resource_changes` with `after_unknown` and `after_sensitive`, `planned_values` with a child module, and
`configuration` with the references of every expression (complex expressions such as `jsonencode(...)` are
`{}`). An existing role's `after` mirrors its attachments in the computed `managed_policy_arns`.
"""

from __future__ import annotations

import json
from typing import Any

SOURCE = {
    "infra/main.tf": """
        variable "env" {
          type = string
        }

        provider "aws" {
          region = "eu-west-1"
          default_tags {
            tags = { owner = "team-platform" }
          }
        }

        resource "aws_iam_role" "deploy" {
          name = "gh-deploy"
          assume_role_policy = jsonencode({
            Version = "2012-10-17"
            Statement = [{
              Effect    = "Allow"
              Action    = "sts:AssumeRoleWithWebIdentity"
              Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
              Condition = {
                StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/*" }
              }
            }]
          })
          tags = { purpose = "deploy" }
        }

        resource "aws_iam_role_policy_attachment" "deploy_admin" {
          role       = aws_iam_role.deploy.name
          policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
        }

        resource "aws_iam_user" "legacy" {
          name = "legacy-${var.env}"
        }

        resource "aws_iam_access_key" "legacy" {
          user = aws_iam_user.legacy.name
        }

        resource "aws_iam_role" "generated" {
          name_prefix        = "gen-"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{
              Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" }
            }]
          })
          inline_policy {
            name   = "logs"
            policy = jsonencode({
              Version   = "2012-10-17"
              Statement = [{ Effect = "Allow", Action = "logs:*", Resource = "*" }]
            })
          }
        }

        resource "aws_iam_group" "ops" {
          name = "ops"
        }

        resource "aws_iam_role_policy" "generated" {
          name = "gen-inline"
          role = aws_iam_role.generated.id
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::data/*" }]
          })
        }

        resource "aws_secretsmanager_secret_version" "db" {
          secret_id     = "db-password"
          secret_string = var.db_password
        }

        module "ci" {
          source = "./modules/ci"
          names  = ["build", "release"]
        }
    """,
    "infra/modules/ci/main.tf": """
        variable "names" {
          type = set(string)
        }

        resource "aws_iam_role" "this" {
          for_each = var.names
          name     = "ci-${each.key}"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{
              Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" }
            }]
          })
        }

        resource "aws_iam_role_policy_attachment" "this" {
          for_each   = var.names
          role       = aws_iam_role.this[each.key].name
          policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
        }
    """,
}

AWS = "registry.terraform.io/hashicorp/aws"
SECRET = "hunter2-very-secret"  # a sensitive value the plan holds in plain text; it must never be shown


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), sort_keys=True)  # how jsonencode() renders


def _trust(principal: dict[str, Any], action: str = "sts:AssumeRole", **extra: Any) -> str:
    return _json(
        {"Statement": [{"Action": action, "Effect": "Allow", "Principal": principal, **extra}], "Version": "2012-10-17"}
    )


def _role(name: str | None, trust: str, tags: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    after: dict[str, Any] = {
        "assume_role_policy": trust,
        "description": None,
        "force_detach_policies": False,
        "max_session_duration": 3600,
        "path": "/",
        "permissions_boundary": None,
        "tags": tags,
        "tags_all": {"owner": "team-platform", **(tags or {})},
        **extra,
    }
    if name is not None:
        after["name"] = name
    return after


DEPLOY_TRUST = _trust(
    {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
    "sts:AssumeRoleWithWebIdentity",
    Condition={"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}},
)
DEPLOY_STATE = {
    "arn": "arn:aws:iam::111122223333:role/gh-deploy",
    "id": "gh-deploy",
    "inline_policy": [],
    "managed_policy_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
    "unique_id": "AROAEXAMPLE",
    "create_date": "2025-01-07T09:00:00Z",
}
ROLE_UNKNOWN = {
    "arn": True,
    "create_date": True,
    "id": True,
    "inline_policy": True,
    "managed_policy_arns": True,
    "name_prefix": True,
    "tags_all": {},
    "unique_id": True,
}


def change(
    address: str,
    after: dict[str, Any] | None,
    unknown: dict[str, Any] | None = None,
    sensitive: dict[str, Any] | None = None,
    actions: tuple[str, ...] = ("create",),
    before: dict[str, Any] | None = None,
) -> dict[str, Any]:
    module, _, own = address.rpartition(".aws_")
    type_, name = ("aws_" + own if module else address).split(".")[:2]
    name = name.split("[")[0]
    entry: dict[str, Any] = {"address": address, "mode": "managed", "type": type_, "name": name}
    if module:
        entry["module_address"] = module
    if "[" in address:
        entry["index"] = address.rsplit("[", 1)[1].strip('"]')
    entry["provider_name"] = AWS
    entry["change"] = {
        "actions": list(actions),
        "before": before,
        "after": after,
        "after_unknown": unknown or {},
        "before_sensitive": False,
        "after_sensitive": sensitive or {},
    }
    if actions == ("delete",):
        entry["action_reason"] = "delete_because_no_resource_config"
    return entry


CHANGES = [
    change(
        "aws_iam_access_key.legacy",
        {"pgp_key": None, "status": "Active", "user": "legacy-prod"},
        {"create_date": True, "encrypted_secret": True, "id": True, "secret": True, "ses_smtp_password_v4": True},
        {"secret": True, "ses_smtp_password_v4": True},
    ),
    change(
        "aws_iam_role.deploy",
        _role("gh-deploy", DEPLOY_TRUST, {"purpose": "deploy"}, **DEPLOY_STATE),
        {"inline_policy": [], "managed_policy_arns": [False], "tags": {}, "tags_all": {}},
        actions=("update",),
        before=_role("gh-deploy", DEPLOY_TRUST, None, **DEPLOY_STATE),
    ),
    change("aws_iam_group.ops", {"name": "ops", "path": "/"}, {"arn": True, "id": True, "unique_id": True}),
    change(
        "aws_iam_role.generated",
        _role(
            None,
            _trust({"Service": "lambda.amazonaws.com"}),
            name_prefix="gen-",
            inline_policy=[
                {
                    "name": "logs",
                    "policy": _json(
                        {
                            "Statement": [{"Action": "logs:*", "Effect": "Allow", "Resource": "*"}],
                            "Version": "2012-10-17",
                        }
                    ),
                }
            ],
        ),
        {**ROLE_UNKNOWN, "inline_policy": [{}], "name": True},
    ),
    change(
        "aws_iam_role_policy.generated",
        {
            "name": "gen-inline",
            "policy": _json(
                {
                    "Statement": [{"Action": ["s3:GetObject"], "Effect": "Allow", "Resource": "arn:aws:s3:::data/*"}],
                    "Version": "2012-10-17",
                }
            ),
        },
        {"id": True, "name_prefix": True, "role": True},
    ),
    change(
        "aws_iam_role_policy_attachment.deploy_admin",
        {"policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess", "role": "gh-deploy"},
        {"id": True},
    ),
    change(
        "aws_iam_user.legacy",
        {
            "force_destroy": False,
            "name": "legacy-prod",
            "path": "/",
            "permissions_boundary": None,
            "tags": None,
            "tags_all": {"owner": "team-platform"},
        },
        {"arn": True, "id": True, "tags_all": {}, "unique_id": True},
    ),
    change(
        "aws_iam_user.old",
        None,
        actions=("delete",),
        before={
            "arn": "arn:aws:iam::111122223333:user/old-bot",
            "id": "old-bot",
            "name": "old-bot",
            "path": "/",
            "tags": {},
            "tags_all": {},
        },
    ),
    change(
        "aws_secretsmanager_secret_version.db",
        {"secret_binary": None, "secret_id": "db-password", "secret_string": SECRET},
        {"arn": True, "id": True, "version_id": True, "version_stages": True},
        {"secret_binary": True, "secret_string": True, "version_stages": []},
    ),
    *[
        change(
            f'module.ci.aws_iam_role.this["{key}"]',
            _role(f"ci-{key}", _trust({"Service": "codebuild.amazonaws.com"})),
            ROLE_UNKNOWN,
        )
        for key in ("build", "release")
    ],
    *[
        change(
            f'module.ci.aws_iam_role_policy_attachment.this["{key}"]',
            {"policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess", "role": f"ci-{key}"},
            {"id": True},
        )
        for key in ("build", "release")
    ],
]


def _planned(changes: list[dict[str, Any]]) -> dict[str, Any]:
    root: list[dict[str, Any]] = []
    children: dict[str, list[dict[str, Any]]] = {}
    for entry in changes:
        if entry["change"]["after"] is None:
            continue
        item = {k: entry[k] for k in ("address", "mode", "type", "name", "index", "provider_name") if k in entry}
        change = entry["change"]
        item.update(schema_version=0, values=change["after"], sensitive_values=change["after_sensitive"])
        (children.setdefault(entry["module_address"], []) if "module_address" in entry else root).append(item)
    return {
        "root_module": {
            "resources": root,
            "child_modules": [{"address": address, "resources": items} for address, items in children.items()],
        }
    }


def _resource(address: str, expressions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    type_, name = address.split(".")
    return {
        "address": address,
        "mode": "managed",
        "type": type_,
        "name": name,
        "provider_config_key": "aws",
        "expressions": expressions,
        "schema_version": 0,
        **extra,
    }


def _ref(*references: str) -> dict[str, Any]:
    return {"references": list(references)}


CONFIGURATION = {
    "provider_config": {
        "aws": {
            "name": "aws",
            "full_name": AWS,
            "expressions": {
                "region": {"constant_value": "eu-west-1"},
                "default_tags": [{"tags": {"constant_value": {"owner": "team-platform"}}}],
            },
        }
    },
    "root_module": {
        "resources": [
            _resource("aws_iam_access_key.legacy", {"user": _ref("aws_iam_user.legacy.name", "aws_iam_user.legacy")}),
            _resource(
                "aws_iam_role.deploy",
                {
                    "assume_role_policy": {},
                    "name": {"constant_value": "gh-deploy"},
                    "tags": {"constant_value": {"purpose": "deploy"}},
                },
            ),
            _resource(
                "aws_iam_role.generated",
                {
                    "assume_role_policy": {},
                    "inline_policy": [{"name": {"constant_value": "logs"}, "policy": {}}],
                    "name_prefix": {"constant_value": "gen-"},
                },
            ),
            _resource("aws_iam_group.ops", {"name": {"constant_value": "ops"}}),
            _resource(
                "aws_iam_role_policy.generated",
                {
                    "name": {"constant_value": "gen-inline"},
                    "policy": {},
                    "role": _ref("aws_iam_role.generated.id", "aws_iam_role.generated"),
                },
            ),
            _resource(
                "aws_iam_role_policy_attachment.deploy_admin",
                {
                    "policy_arn": {"constant_value": "arn:aws:iam::aws:policy/AdministratorAccess"},
                    "role": _ref("aws_iam_role.deploy.name", "aws_iam_role.deploy"),
                },
            ),
            _resource("aws_iam_user.legacy", {"name": _ref("var.env")}),
            _resource(
                "aws_secretsmanager_secret_version.db",
                {"secret_id": {"constant_value": "db-password"}, "secret_string": _ref("var.db_password")},
            ),
        ],
        "module_calls": {
            "ci": {
                "source": "./modules/ci",
                "expressions": {"names": {"constant_value": ["build", "release"]}},
                "module": {
                    "resources": [
                        _resource(
                            "aws_iam_role.this",
                            {"assume_role_policy": {}, "name": _ref("each.key")},
                            for_each_expression=_ref("var.names"),
                        ),
                        _resource(
                            "aws_iam_role_policy_attachment.this",
                            {
                                "policy_arn": {"constant_value": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                                "role": _ref("aws_iam_role.this", "each.key"),
                            },
                            for_each_expression=_ref("var.names"),
                        ),
                    ],
                    "variables": {"names": {}},
                },
            }
        },
        "variables": {"env": {}},
    },
}

PLAN = {
    "format_version": "1.2",
    "terraform_version": "1.11.4",
    "variables": {"env": {"value": "prod"}},
    "planned_values": _planned(CHANGES),
    "resource_changes": CHANGES,
    "configuration": CONFIGURATION,
    "timestamp": "2026-11-22T10:00:00Z",
    "applyable": True,
    "complete": True,
    "errored": False,
}
