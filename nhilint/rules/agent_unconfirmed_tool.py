"""A tool that lets an agent change state should ask a human to confirm each call.

An agent chooses its tool calls from text it reads: a prompt injected into a ticket, an e-mail or a web
page can make it call any operation its tools describe (OWASP LLM06 "Excessive Agency", Agentic ASI02
tool misuse). Operations that only read are the smaller risk; an operation that creates, changes or
deletes (an OpenAPI operation other than GET, HEAD, OPTIONS or TRACE, or any function of a function
schema) should carry Bedrock's human-in-the-loop confirmation: `x-requireConfirmation: ENABLED` on the
OpenAPI operation, `require_confirmation = "ENABLED"` / `RequireConfirmation: ENABLED` on the function.

The operations are read from the action group's inline `payload`, or from the local file it reads with
`file()` (inside the scan root; parsed as data only). One finding per tool, at the first unconfirmed
operation, listing them all. A schema that cannot be read (in S3, computed at apply, not parseable) is
reported as unknown. Disabled action groups are not reported.

AgentCore gateway targets are read the same way (an inline or `file()` OpenAPI document or Smithy JSON
model, or a Lambda target's inline tool definitions). A gateway has no per-call confirmation setting
(`x-requireConfirmation` is a Bedrock Agents extension), so each state-changing operation it exposes is
reported: expose only what the agent needs through the gateway, and put writes behind a confirmed action
group or a confirmation step in the agent's own code.

Anti-pattern::

    paths:
      /refunds:
        post:
          operationId: createRefund

Best practice::

    paths:
      /refunds:
        post:
          operationId: createRefund
          x-requireConfirmation: ENABLED
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule, short_address


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    for tool in ctx.inventory.agent_tools:
        if (tool.attribute("state") or "ENABLED").upper() == "DISABLED":
            continue
        agent = identities.get(tool.agent) if isinstance(tool.agent, str) else None
        shown = short_address(tool.address)
        if tool.unknown is not None:
            yield rule.finding(
                f"could not read the operations of tool {shown}: {tool.unknown}",
                tool.location,
                agent,
                tool.schema or "",
                tool.location,
                True,
                ctx,
            )
            continue
        unconfirmed = [op for op in tool.operations if op.changes_state and not op.confirmed]
        if not unconfirmed:
            continue
        names = ", ".join(op.name for op in unconfirmed)
        remedy = (
            "an AgentCore gateway cannot ask a human to confirm a call: expose only the operations the agent needs"
            if tool.attribute("confirmation") == "unsupported"
            else "set x-requireConfirmation / requireConfirmation to ENABLED"
        )
        yield rule.finding(
            f"tool {shown} lets the agent call {names} without a human confirming it; {remedy}",
            unconfirmed[0].location,
            agent,
            f"{tool.schema or 'schema'}: {names}",
            tool.location,
        )


RULE = Rule(
    "NHI-AGENT-003",
    "agent-tool-without-confirmation",
    Severity.MEDIUM,
    "NHI5",
    "Agent tool can change state without human confirmation",
    check,
)
