"""The rule catalog, rendered from rule metadata (the README's table is generated from this)."""

from __future__ import annotations

from nhilint.rules import RULES


def render_text() -> str:
    lines = [f"{r.id:<14} {r.severity!s:<9} {r.owasp:<6} {r.summary}" for r in RULES]
    return "\n".join(lines) + "\n"


def render_markdown() -> str:
    lines = ["| Rule | Name | Default severity | OWASP NHI | What it checks |", "|---|---|---|---|---|"]
    for rule in RULES:
        lines.append(f"| `{rule.id}` | {rule.name} | {rule.severity} | {rule.owasp_title} | {rule.summary} |")
    return "\n".join(lines) + "\n"
