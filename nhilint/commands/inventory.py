"""`nhilint inventory` and `nhilint explain-identity`: what the code creates, listed or one in full."""

from __future__ import annotations

import click

from nhilint.commands.common import emit, load, scan_options, with_common


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["table", "json", "csv", "markdown"]), default="table", show_default=True
)
@with_common
def inventory(
    paths: tuple[str, ...],
    fmt: str,
    config: str | None,
    policy: str | None,
    var_files: tuple[str, ...],
    today: str | None,
    output: str | None,
    no_cache: bool,
) -> None:
    """List every identity: owner, expiry, retire-on, credentials, grants, trusts and users."""
    from nhilint import api
    from nhilint.report import inventory as inventory_report

    loaded, root, targets = load(paths, config, policy, None, cache=not no_cache)
    found = api.inventory(targets, loaded, root, scan_options(var_files, today, no_cache))
    if fmt == "json":
        from nhilint.report.json_report import render_inventory

        text = render_inventory(found)
    elif fmt == "csv":
        text = inventory_report.render_csv(found)
    elif fmt == "markdown":
        text = inventory_report.render_markdown(found)
    else:
        text = inventory_report.render_table(found)
    emit(text, output)


@click.command("explain-identity")
@click.argument("name")
@click.argument("paths", nargs=-1, type=click.Path())
@with_common
def explain_identity(
    name: str,
    paths: tuple[str, ...],
    config: str | None,
    policy: str | None,
    var_files: tuple[str, ...],
    today: str | None,
    output: str | None,
    no_cache: bool,
) -> None:
    """Show one identity (NAME: its id, address or a unique suffix) in full: owner, grants, trusts, usage,
    the identities it can become, and its findings, each with file:line."""
    from nhilint import api, redact
    from nhilint.report.escape import printable
    from nhilint.report.identity import NotFound, find, render

    loaded, root, targets = load(paths, config, policy, None, cache=not no_cache)
    report = api.scan(targets, loaded, root, scan_options(var_files, today, no_cache))
    try:
        redactor = redact.for_inventory(report.inventory)
        identity = find(report.inventory, name, lambda text: printable(redactor.text(text)))
    except NotFound as exc:
        raise click.UsageError(str(exc)) from None
    emit(render(report, identity), output)
