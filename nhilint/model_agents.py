"""The AI-agent records of the model: the tools an agent (identity kind `ai_agent`) calls and their operations.

Kept beside nhilint.model (which holds them in `Inventory.agent_tools`); import them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from nhilint.model_refs import Location
from nhilint.values import Unknown

# Usage.kind of "an AI agent acts with this identity through one of its tools" (extract.agent_tools writes it,
# the NHI-AGENT rules tell it from the identities an agent runs as).
TOOL_USAGE = "ai_agent_tool"


@dataclass(frozen=True, slots=True)
class ToolOperation:
    """One operation of an agent's tool (`POST /refunds`, a function name): whether it can change state and
    whether a human must confirm each call (`x-requireConfirmation` / `requireConfirmation`)."""

    name: str
    changes_state: bool
    confirmed: bool
    location: Location


@dataclass(frozen=True, slots=True)
class AgentTool:
    """A tool an AI agent (identity kind `ai_agent`) can call: a Bedrock action group, a gateway target.

    The agent acts through the tool with the tool's own identity: `executor` is the workload that runs it (a
    Lambda's address or ARN, `RETURN_CONTROL` when the calling application runs it) and `runs_as` the identity
    that workload runs as. `operations` come from the tool's schema (`schema` says where it was read);
    `unknown` says why they could not be read.
    """

    agent: str | Unknown | None
    address: str
    location: Location
    platform: str
    name: str | Unknown | None = None
    executor: str | None = None
    runs_as: str | Unknown | None = None
    operations: tuple[ToolOperation, ...] = ()
    schema: str | None = None
    unknown: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()

    def attribute(self, key: str) -> str | None:
        return dict(self.attributes).get(key)
