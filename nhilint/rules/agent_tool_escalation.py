"""An agent should not reach, through a tool, permissions its own role was kept from.

A Bedrock action group runs in a Lambda, with the Lambda's role (a collaborating agent runs with its own
role): whatever that role may do, the agent may have done on its behalf, chosen by the model from text it
reads (OWASP LLM06 "Excessive Agency", Agentic ASI03 privilege abuse). A tool role that only writes the
resources of its task (`table/refunds`) is the tool doing its job and is not reported. Reported, on the tool,
when the tool's role may do what the agent's own role may not and what no single task needs:

- administrator access (`AdministratorAccess`, `Action *` on `Resource *`);
- permissions management (`iam:*`, `iam:PassRole`, `iam:PutRolePolicy`, `kms:PutKeyPolicy`…);
- write actions on every resource (`Resource "*"`) without a condition.

Both roles are AWS roles of the scan, evaluated with their effective permissions (Deny statements and
permission boundaries included). Listed: the first actions, and how many there are.

Anti-pattern::

    resource "aws_iam_role_policy_attachment" "tool" {
      role       = aws_iam_role.refunds_fn.name
      policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    }

Best practice: the tool's role holds only the actions of its operations, on the resources they touch.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.analyse.effective import Allowed
from nhilint.model import Finding, Identity, Severity
from nhilint.model_agents import TOOL_USAGE, AgentTool
from nhilint.rules.base import Context, Rule, label, short_address

AGENT_KIND = "ai_agent"
ESCALATING_LEVELS = frozenset({"Permissions management"})
SHOWN = 3


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    inventory = ctx.inventory
    identities = inventory.identities
    runs_as: dict[str, list[str]] = {}
    for usage in inventory.usages:
        if usage.kind != TOOL_USAGE and usage.identity not in runs_as.get(usage.workload, ()):
            runs_as.setdefault(usage.workload, []).append(usage.identity)
    for tool in inventory.agent_tools:
        agent = identities.get(tool.agent) if isinstance(tool.agent, str) else None
        runner = identities.get(tool.runs_as) if isinstance(tool.runs_as, str) else None
        if agent is None or runner is None:
            continue
        own = [identities[i] for i in runs_as.get(agent.address, ()) if i in identities]
        # a collaborating agent acts with the role it runs as
        tool_roles = (
            [identities[i] for i in runs_as.get(runner.address, ()) if i in identities]
            if runner.kind == AGENT_KIND
            else [runner]
        )
        for tool_role in tool_roles:
            if own and tool_role.platform == "aws" and tool_role not in own:
                yield from _beyond(rule, ctx, agent, tool, tool_role, own)


def _beyond(
    rule: Rule, ctx: Context, agent: Identity, tool: AgentTool, tool_role: Identity, own: list[Identity]
) -> Iterator[Finding]:
    """The finding when the tool's role may do what none of the agent's own roles may."""
    tool_reach = ctx.analysis.effective(tool_role.id)
    if tool_reach is None:
        return
    own_reach = [ctx.analysis.effective(role.id) for role in own]
    if tool_reach.admin is not None:
        if any(r is not None and r.admin is not None for r in own_reach):
            return
        beyond = [f"administrator access ({tool_reach.admin})"]
    else:
        held = {a for r in own_reach if r is not None for a in r.actions()}
        beyond = [a for a, allowed in tool_reach.actions().items() if a not in held and _escalates(allowed)]
    if not beyond:
        return
    more = f" and {len(beyond) - SHOWN} more" if len(beyond) > SHOWN else ""
    yield rule.finding(
        f"{label(agent)} acts as {label(tool_role)} through tool {short_address(tool.address)}, which may do "
        f"what the agent's own role may not: {', '.join(beyond[:SHOWN])}{more}",
        tool.location,
        agent,
        f"{tool_role.address}: {', '.join(beyond[:SHOWN])}{more}",
        tool.location,
    )


def _escalates(allowed: Allowed) -> bool:
    """Permissions management anywhere, or an unconditional write on every resource."""
    if allowed.level in ESCALATING_LEVELS:
        return True
    return allowed.level == "Write" and any(s.statement.all_resources and not s.conditional for s in allowed.supplies)


RULE = Rule(
    "NHI-AGENT-005",
    "agent-escalates-through-tool",
    Severity.HIGH,
    "NHI5",
    "Agent reaches permissions beyond its own role through a tool",
    check,
)
