"""`nhilint rules` and `nhilint explain`: the rule catalog, and one rule in full."""

from __future__ import annotations

import click


@click.command()
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
def rules(fmt: str) -> None:
    """List the rule catalog."""
    from nhilint.report.catalog import render_markdown, render_text

    click.echo(render_markdown() if fmt == "markdown" else render_text(), nl=False)


@click.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show what RULE_ID checks, why, and how to fix it."""
    from nhilint.rules import BY_ID

    rule = BY_ID.get(rule_id.upper())
    if rule is None:
        raise click.UsageError(f"unknown rule {rule_id!r}; `nhilint rules` lists them")
    click.echo(f"{rule.id} {rule.name} ({rule.severity}, {rule.owasp_title})\n\n{rule.summary}\n\n{rule.doc}")
