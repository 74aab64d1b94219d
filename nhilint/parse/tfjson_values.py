"""Terraform's JSON files as plain values (`.tfvars.json`), and the syntax error of its JSON files.

Apart from nhilint.parse.tfjson (which walks YAML nodes for line numbers) so that reading variables from
JSON, or naming the error, does not import PyYAML.
"""

from __future__ import annotations

import json
from typing import Any

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.parse.hcl_check import HclLimitError
from nhilint.parse.nesting import json_depth


class JsonSyntaxError(ValueError):
    """Invalid JSON; the reason names what the parser expected, never the file's text."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.lineno = line
        self.reason = reason


def load_json(text: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """json.loads, after checking the nesting depth (json.loads recurses per level); errors without content."""
    depth, line = json_depth(text, limits.max_depth)
    if depth > limits.max_depth:
        raise HclLimitError(line, f"{limits.describe('max_depth')} exceeded: JSON nested too deeply")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(exc.lineno, f"invalid JSON: {exc.msg.lower()}") from None
