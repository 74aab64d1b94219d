"""An agent's service role trusted by Bedrock must name the account or agent it is for.

Bedrock assumes an agent's service role (`bedrock.amazonaws.com`, and `bedrock-agentcore.amazonaws.com` for
AgentCore runtimes and gateways). Without an `aws:SourceAccount` or `aws:SourceArn` condition the service
will assume the role on behalf of any agent that names it, including one in another customer's account
that learned its ARN: the confused deputy. The agent then acts with your role's permissions on a stranger's
instructions (OWASP LLM06 "Excessive Agency", Agentic ASI03). Reported for each Allow trust statement that
admits one of these service principals without either condition key.

Anti-pattern::

    principals { type = "Service"  identifiers = ["bedrock.amazonaws.com"] }

Best practice::

    principals { type = "Service"  identifiers = ["bedrock.amazonaws.com"] }
    condition  { test = "StringEquals"  variable = "aws:SourceAccount"  values = [local.account_id] }
    condition  { test = "ArnLike"  variable = "aws:SourceArn"  values = [aws_bedrockagent_agent.support.agent_arn] }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, label

AGENT_SERVICES = frozenset({"bedrock.amazonaws.com", "bedrock-agentcore.amazonaws.com"})
SOURCE_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn"})


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    for trust in ctx.inventory.trusts:
        subject = identities.get(trust.identity)
        if subject is None or trust.effect != "Allow" or trust.platform != "aws":
            continue
        if any(c.key.lower() in SOURCE_KEYS for c in trust.conditions):
            continue
        services = sorted(
            {
                p.identifier
                for p in trust.principals
                if p.type == "Service" and isinstance(p.identifier, str) and p.identifier.lower() in AGENT_SERVICES
            }
        )
        if services:
            yield rule.finding(
                f"{' and '.join(services)} may assume {label(subject)} for any agent: add an aws:SourceAccount "
                "or aws:SourceArn condition",
                trust.location,
                subject,
                f"{trust.via}: {', '.join(services)}",
                trust.block,
            )


RULE = Rule(
    "NHI-AGENT-002",
    "agent-role-confused-deputy",
    Severity.HIGH,
    "NHI3",
    "Agent service role trusted by Bedrock without aws:SourceAccount/aws:SourceArn",
    check,
)
