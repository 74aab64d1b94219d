"""An AI agent should run as an identity of its own, not a shared or default one.

An agent decides at run time, from text it reads, which of its permissions to use (OWASP LLM06 "Excessive
Agency", Agentic ASI03 identity and privilege abuse). When it runs as an identity that other workloads
also use, it holds their permissions too, its actions cannot be told apart from theirs in the audit log,
and the identity cannot be scoped down or retired with the agent. Reported when:

- a Vertex AI reasoning engine sets no `spec.service_account`: it runs as the project's Vertex AI Reasoning
  Engine service agent, shared by every agent of the project;
- the role or service account an agent runs as is also used by another workload of the scanned code:
  another agent, one of the agent's own tools (the agent then holds everything the tool may do), a
  Lambda, an instance.

The finding is on the agent.

Anti-pattern::

    resource "aws_bedrockagent_agent" "support" {
      agent_resource_role_arn = aws_iam_role.shared_lambda.arn   # also the role of three functions
    }

Best practice: one role per agent (`agent_resource_role_arn = aws_iam_role.support_agent.arn`), trusted by
Bedrock for this agent only, and one service account per reasoning engine (`spec { service_account = ... }`).
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.model_agents import TOOL_USAGE
from nhilint.rules.base import Context, Rule, label, short_address

AGENT_KIND = "ai_agent"


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    inventory = ctx.inventory
    runs_as_by_agent: dict[str, list[str]] = {}
    for usage in inventory.usages:
        if usage.kind != TOOL_USAGE:
            runs_as_by_agent.setdefault(usage.workload, []).append(usage.identity)
    for agent in inventory.identities.values():
        if agent.kind != AGENT_KIND:
            continue
        default = agent.attribute("default_identity")
        if default:
            yield rule.finding(
                f"{label(agent)} runs as the {default}, shared by every agent of its project; give it a "
                "service account of its own",
                agent.location,
                agent,
                "spec.service_account is not set",
            )
        for identity_id in dict.fromkeys(runs_as_by_agent.get(agent.address, ())):
            others = sorted(
                {short_address(u.workload) for u in inventory.usages_of(identity_id) if u.workload != agent.address}
            )
            identity = inventory.identities.get(identity_id)
            if not others or identity is None:
                continue
            yield rule.finding(
                f"{label(agent)} runs as {label(identity)}, which {', '.join(others)} also use"
                f"{'s' if len(others) == 1 else ''}; give the agent an identity of its own",
                agent.location,
                agent,
                f"{identity.address} used by {', '.join(others)}",
            )


RULE = Rule(
    "NHI-AGENT-001",
    "agent-shared-identity",
    Severity.MEDIUM,
    "NHI9",
    "AI agent runs as a shared or default identity",
    check,
)
