"""Resource bounds for reading untrusted infrastructure code.

nhilint reads files written by anyone who can open a pull request. Every parser and the Terraform evaluator
work within these bounds; hitting one makes the value or file unknown and is reported as a finding
(NHI-PARSE-004) that names the limit, so a hostile file can neither exhaust the machine nor pass silently.
The defaults are far above what real repositories need; `limits:` in `.nhilint.yaml` changes them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_bytes: int = 16 * 1024 * 1024
    """A file larger than this is reported and not read."""
    max_depth: int = 200
    """Nesting of expressions, function calls, blocks and values (HCL, JSON, YAML)."""
    max_eval_steps: int = 2_000_000
    """Expression evaluations per Terraform module instance (for-loops over large ranges, deep locals)."""
    max_value_size: int = 1_000_000
    """Characters of one evaluated string, or elements of one evaluated collection (format widths, range, join)."""
    max_module_instances: int = 10_000
    """Terraform module instances in one scan (a chain of modules each calling the next several times grows
    exponentially even without a cycle)."""
    max_resource_instances: int = 10_000
    """Instances of one Terraform resource, data source or module call with `count` or `for_each` (past it the
    block stands as one instance whose `each`/`count` values are unknown)."""
    max_scan_resource_instances: int = 200_000
    """Terraform resource instances in one scan, over every resource and module instance."""
    max_documents: int = 10_000
    """YAML documents in one multi-document stream."""
    max_nodes: int = 1_000_000
    """YAML nodes in one document after alias expansion (a "billion laughs" document)."""
    max_aliases: int = 10_000
    """Alias references in one YAML document."""

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Limits:
        """Limits from the config's `limits:` mapping (validated by the schema: known keys, positive ints)."""
        return cls(**{f.name: int(data[f.name]) for f in fields(cls) if f.name in data})

    def describe(self, name: str) -> str:
        """`max_depth (200)`: how a finding names the limit it hit."""
        return f"{name} ({getattr(self, name)})"


DEFAULT_LIMITS = Limits()
