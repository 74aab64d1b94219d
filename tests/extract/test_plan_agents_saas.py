"""A Terraform plan is read through the same tables as the source: AgentCore gateways, targets and credential
providers, Vertex reasoning engines, Azure AI accounts and the SaaS identities (Snowflake, MongoDB Atlas,
Okta) come out of `plan.json` as they do out of `.tf` files. Write-only arguments are never in a plan (their
value is null); their version argument is, and still counts as the rotation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nhilint.api import ScanOptions, scan
from tests.helpers import config_for, write_tree

PROVIDERS = {
    "aws": "registry.terraform.io/hashicorp/aws",
    "google": "registry.terraform.io/hashicorp/google",
    "azurerm": "registry.terraform.io/hashicorp/azurerm",
    "snowflake": "registry.terraform.io/snowflake-labs/snowflake",
    "mongodbatlas": "registry.terraform.io/mongodb/mongodbatlas",
    "okta": "registry.terraform.io/okta/okta",
}


def _change(address: str, after: dict[str, Any], unknown: dict[str, Any] | None = None) -> dict[str, Any]:
    type_, name = address.split(".")
    return {
        "address": address,
        "mode": "managed",
        "type": type_,
        "name": name,
        "provider_name": PROVIDERS[type_.split("_", 1)[0]],
        "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown or {}},
    }


def _config(address: str, expressions: dict[str, Any]) -> dict[str, Any]:
    type_, name = address.split(".")
    return {
        "address": address,
        "mode": "managed",
        "type": type_,
        "name": name,
        "provider_config_key": type_.split("_", 1)[0],
        "expressions": expressions,
    }


CHANGES = [
    _change(
        "aws_bedrockagentcore_gateway.crm",
        {
            "name": "crm",
            "role_arn": "arn:aws:iam::111122223333:role/crm-gateway",
            "protocol_type": "MCP",
            "authorizer_type": "AWS_IAM",
            "tags": {"owner": "team-support"},
        },
        {"gateway_id": True},
    ),
    _change(
        "aws_bedrockagentcore_oauth2_credential_provider.crm",
        {
            "name": "support-crm",
            "credential_provider_vendor": "CustomOauth2",
            "oauth2_provider_config": [
                {
                    "custom_oauth2_provider_config": [
                        {"client_id_wo": None, "client_secret_wo": None, "client_credentials_wo_version": 3}
                    ]
                }
            ],
            "tags": None,
        },
        {"credential_provider_arn": True},
    ),
    _change(
        "aws_bedrockagentcore_gateway_target.contacts",
        {
            "name": "contacts",
            "gateway_identifier": None,
            "credential_provider_configuration": [{"oauth": [{"provider_arn": None, "scopes": ["contacts.read"]}]}],
            "target_configuration": [{"mcp": [{"open_api_schema": [{"s3": [{"uri": "s3://acme/contacts.yaml"}]}]}]}],
        },
        {"gateway_identifier": True, "credential_provider_configuration": [{"oauth": [{"provider_arn": True}]}]},
    ),
    _change(
        "google_vertex_ai_reasoning_engine.triage",
        {"display_name": "triage", "spec": [{"service_account": None}]},
    ),
    _change(
        "azurerm_cognitive_account.openai",
        {"name": "oai-support", "kind": "OpenAI", "local_auth_enabled": True, "tags": None},
    ),
    _change("snowflake_service_user.loader", {"name": "LOADER_SVC", "default_role": "ACCOUNTADMIN"}),
    _change(
        "mongodbatlas_service_account.platform",
        {"org_id": "5f1a", "name": "platform", "roles": ["ORG_OWNER"], "without_initial_secret": True},
    ),
]

CONFIGURATION = {
    "root_module": {
        "resources": [
            _config(
                "aws_bedrockagentcore_gateway_target.contacts",
                {
                    "gateway_identifier": {"references": ["aws_bedrockagentcore_gateway.crm.gateway_id"]},
                    "credential_provider_configuration": [
                        {
                            "oauth": [
                                {
                                    "provider_arn": {
                                        "references": [
                                            "aws_bedrockagentcore_oauth2_credential_provider.crm.credential_provider_arn"
                                        ]
                                    }
                                }
                            ]
                        }
                    ],
                },
            )
        ]
    }
}


def test_plan_reads_agentcore_vertex_azure_ai_and_saas(tmp_path: Path) -> None:
    plan = {"format_version": "1.2", "terraform_version": "1.11.0", "resource_changes": CHANGES}
    plan["configuration"] = CONFIGURATION
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    write_tree(tmp_path, {})
    report = scan([], config_for(tmp_path), tmp_path, options=ScanOptions(plans=(path,)))
    inventory = report.inventory
    kinds = {i.address: i.kind for i in inventory.identities.values()}
    assert kinds["aws_bedrockagentcore_gateway.crm"] == "ai_agent"
    assert kinds["google_vertex_ai_reasoning_engine.triage"] == "ai_agent"
    assert kinds["snowflake_service_user.loader"] == "service_account"
    assert kinds["mongodbatlas_service_account.platform"] == "service_account"
    credentials = {c.address: c for c in inventory.credentials}
    provider = credentials["aws_bedrockagentcore_oauth2_credential_provider.crm"]
    assert provider.attribute("write_only") == "true" and provider.attribute("in_state") == "false"
    assert provider.rotation is not None and provider.rotation.source == "client_credentials_wo_version"
    assert credentials["azurerm_cognitive_account.openai"].kind == "ai_api_key"
    [tool] = inventory.agent_tools
    assert tool.agent == "aws:aws_bedrockagentcore_gateway.crm"
    assert tool.attribute("credential_id") == provider.id
    found = {(f.rule_id, f.address) for f in report.findings}
    assert ("NHI-AGENT-001", "google_vertex_ai_reasoning_engine.triage") in found
    assert ("NHI-AGENT-004", "azurerm_cognitive_account.openai") in found
    assert ("NHI-PRIV-004", "snowflake_service_user.loader") in found
    assert ("NHI-PRIV-004", "mongodbatlas_service_account.platform") in found
    assert not [e for e in inventory.errors if "plan.json" in e.path]
