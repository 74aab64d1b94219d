"""`nhilint baseline create` and `nhilint suppressions`: the findings set aside, by file or inline."""

from __future__ import annotations

from pathlib import Path

import click

from nhilint.commands.common import emit, load, plural, printable, scan_options, with_common, write_output


@click.group("baseline")
def baseline_group() -> None:
    """Record today's findings so that only new ones fail (`nhilint scan --baseline FILE`)."""


@baseline_group.command("create")
@click.argument("paths", nargs=-1, type=click.Path())
@with_common
def baseline_create(
    paths: tuple[str, ...],
    config: str | None,
    policy: str | None,
    var_files: tuple[str, ...],
    today: str | None,
    output: str | None,
    no_cache: bool,
) -> None:
    """Write the fingerprints of the findings in PATHS to a baseline file (-o, default .nhilint-baseline.json)."""
    from nhilint import api, redact
    from nhilint.baseline import DEFAULT_PATH, render

    loaded, root, targets = load(paths, config, policy, None, cache=not no_cache)
    report = api.scan(targets, loaded, root, scan_options(var_files, today, no_cache))
    target = output or DEFAULT_PATH
    write_output(Path(target), render(report.findings, redact.for_inventory(report.inventory).apply))
    entries = plural(len(report.findings), "baseline entry", "baseline entries")
    click.echo(f"nhilint: wrote {entries} to {printable(target)}", err=True)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@with_common
def suppressions(
    paths: tuple[str, ...],
    fmt: str,
    config: str | None,
    policy: str | None,
    var_files: tuple[str, ...],
    today: str | None,
    output: str | None,
    no_cache: bool,
) -> None:
    """List every inline suppression: rules, reason, until, expired or not, and whether it still matches."""
    from nhilint import api, redact, suppression_audit

    loaded, root, targets = load(paths, config, policy, None, cache=not no_cache)
    report = api.scan(targets, loaded, root, scan_options(var_files, today, no_cache, inline=False))
    on = report.config.today
    # A reason is written by people, and may quote a value a reporter would redact.
    audited = suppression_audit.audit(report.inventory, report.findings, on, api.RULE_IDS)
    items = redact.for_inventory(report.inventory).apply(audited)
    emit(suppression_audit.render_json(items, on) if fmt == "json" else suppression_audit.render_text(items), output)
