"""The model's notes about the input itself: what could not be read or followed, what a tool rendered, and the
inline `# nhilint:` comments. Kept beside nhilint.model (which holds them in the Inventory); import them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from nhilint.model_refs import Location


@dataclass(frozen=True, slots=True)
class Unresolved:
    """Something in the code nhilint did not follow: a remote module, a value it could not evaluate."""

    what: str
    reason: str
    location: Location


@dataclass(frozen=True, slots=True)
class ToolRender:
    """Code an external tool rendered before nhilint read it: a kustomize overlay through `kubectl kustomize`."""

    what: str
    tool: str
    location: Location


# What went wrong with an input, each reported by its own rule: `syntax` and `unreadable` (NHI-PARSE-001: a
# file or directory that cannot be parsed or read), `module-cycle` (NHI-PARSE-003), `limit` (NHI-PARSE-004: a
# resource bound of nhilint.limits was hit), `duplicate-key` (NHI-PARSE-005), `outside-root` (NHI-PARSE-006: a
# symlink, module source, overlay entry or git index that leaves the scan root, not followed).
# fmt: off
InputProblem = Literal[  # module-defaults: a reusable module evaluated with its defaults (NHI-PARSE-009)
    "syntax", "unreadable", "module-cycle", "limit", "duplicate-key", "outside-root", "duplicate-object",
    "module-defaults",
]
# fmt: on


# The words every refusal of a path outside the scan root ends with (a module source, a kustomize entry, a Helm
# chart file): extraction reports such a refusal as `outside-root` (NHI-PARSE-006), not as a note (NHI-PARSE-002).
LEAVES_ROOT = "leaves the scan root"


def is_outside_root(reason: str) -> bool:
    """Whether a refusal's reason is a path leaving the scan root (a safety event, NHI-PARSE-006)."""
    return LEAVES_ROOT in reason


@dataclass(frozen=True, slots=True)
class ParseError:
    """An input nhilint could not read or evaluate in full; never a silent pass. `reason` never quotes the
    file's content (it may hold a secret): it names the token type, key or limit instead."""

    path: str
    line: int
    reason: str
    kind: InputProblem = "syntax"


@dataclass(frozen=True, slots=True)
class Annotation:
    """An inline `# nhilint:<verb> ...` comment attached to the block it sits above or inside."""

    verb: str
    text: str
    location: Location
    block: Location
