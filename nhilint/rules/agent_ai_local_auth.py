"""Azure AI accounts should not accept static API keys.

An Azure OpenAI / AI Services / Cognitive Services account has two API keys unless `local_auth_enabled` is
false, and the provider's default is true. The keys never expire, are shared by every caller that holds
them, say nothing in the logs about who called, and survive the application that used them: the agent or
app calling the model should use its managed identity and an Azure AI role instead (OWASP LLM06 "Excessive
Agency": an agent with a key reaches every deployment of the account). Reported for `azurerm_cognitive_account`
and `azurerm_ai_services` without `local_auth_enabled = false`; a value that cannot be evaluated is
reported as unknown.

Anti-pattern::

    resource "azurerm_cognitive_account" "openai" {
      kind = "OpenAI"
      # local_auth_enabled defaults to true
    }

Best practice::

    resource "azurerm_cognitive_account" "openai" {
      kind               = "OpenAI"
      local_auth_enabled = false
      identity { type = "SystemAssigned" }
    }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, short_address

KEY_KIND = "ai_api_key"


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for credential in ctx.inventory.credentials:
        if credential.kind != KEY_KIND:
            continue
        enabled = credential.attribute("local_auth_enabled") or "true"
        account = short_address(credential.address)
        if enabled.startswith("unknown"):
            yield rule.finding(
                f"could not evaluate local_auth_enabled of {account}: {enabled.removeprefix('unknown: ')}",
                credential.location,
                credential,
                "local_auth_enabled",
                unknown=True,
                ctx=ctx,
            )
            continue
        yield rule.finding(
            f"{account} accepts static API keys (local_auth_enabled is not false; true is the default): set it "
            "to false and call the account with a managed identity",
            credential.location,
            credential,
            "local_auth_enabled",
        )


RULE = Rule(
    "NHI-AGENT-004",
    "ai-account-local-auth",
    Severity.MEDIUM,
    "NHI7",
    "Azure AI account accepts static API keys (local auth enabled)",
    check,
)
