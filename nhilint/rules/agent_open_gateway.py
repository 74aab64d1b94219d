"""An AgentCore gateway must authenticate its callers.

A gateway exposes tools (Lambdas, APIs, MCP servers) to agents and calls them with its own role or the
credentials of its targets. With `authorizer_type = "NONE"` anyone who can reach its URL can list and call
those tools as the gateway: every credential behind it is lent to strangers (OWASP LLM06 "Excessive
Agency", Agentic ASI03). Reported for gateways without an inbound authorizer; `AWS_IAM` (SigV4) and
`CUSTOM_JWT` (an OAuth issuer, audiences and clients) are accepted. AgentCore runtimes without an
`authorizer_configuration` take IAM (SigV4) callers, so they are not reported.

Anti-pattern::

    resource "aws_bedrockagentcore_gateway" "tools" {
      authorizer_type = "NONE"
    }

Best practice::

    resource "aws_bedrockagentcore_gateway" "tools" {
      authorizer_type = "CUSTOM_JWT"
      authorizer_configuration {
        custom_jwt_authorizer {
          discovery_url   = "https://login.acme.example/.well-known/openid-configuration"
          allowed_clients = ["support-web"]
        }
      }
    }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, label

AGENT_KIND = "ai_agent"
OPEN = frozenset({"NONE"})


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for agent in ctx.inventory.identities.values():
        if agent.kind != AGENT_KIND:
            continue
        inbound = agent.attribute("inbound_auth")
        if inbound is None:
            continue
        if inbound.startswith("<unknown"):
            yield rule.finding(
                f"could not evaluate the inbound authorizer of {label(agent)}: {inbound}",
                agent.location,
                agent,
                "authorizer_type",
                unknown=True,
                ctx=ctx,
            )
        elif inbound.upper() in OPEN:
            yield rule.finding(
                f"{label(agent)} takes calls from anyone who can reach it (authorizer_type {inbound}); use "
                "AWS_IAM or CUSTOM_JWT",
                agent.location,
                agent,
                f"authorizer_type = {inbound}",
            )


RULE = Rule(
    "NHI-AGENT-006",
    "agent-gateway-without-authorizer",
    Severity.HIGH,
    "NHI4",
    "AgentCore gateway without an inbound authorizer",
    check,
)
