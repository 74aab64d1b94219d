"""The `nhilint` command: parse options, call the API, pick a reporter, return the exit code.

Exit codes: 0 no finding at or above `--fail-on`; 1 findings; 2 usage or config error.
"""

from __future__ import annotations

import importlib
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from nhilint import __version__
from nhilint.config import Config, ConfigError, load_config
from nhilint.model import Severity

if TYPE_CHECKING:
    from nhilint.api import Report

SEVERITIES = [str(s) for s in Severity]
SCAN_FORMATS = ["text", "json", "sarif", "github", "markdown", "junit", "auto"]
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _config(paths: tuple[str, ...], config: str | None, policy: str | None, fail_on: str | None,
            today: str | None) -> tuple[Config, Path, list[Path]]:
    from nhilint.api import default_root

    targets = [Path(p) for p in paths] or [Path(".")]
    for target in targets:
        if not target.exists():
            raise click.UsageError(f"path {target} does not exist")
    root = default_root(targets)
    try:
        loaded = load_config(root, Path(config) if config else None, policy)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    overrides: dict[str, Any] = {}
    if fail_on:
        overrides["fail_on"] = Severity.parse(fail_on)
    if today:
        try:
            overrides["today"] = date.fromisoformat(today)
        except ValueError:
            raise click.UsageError(f"--today {today!r} is not YYYY-MM-DD") from None
    return loaded.with_overrides(**overrides), root, targets


def render_scan_report(report: Report, fmt: str, quiet: bool = False) -> str:
    """One scan report in one format; each reporter is imported only when chosen."""
    if fmt == "auto":
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    if fmt == "text":
        from nhilint.report.text import render as render_text

        return render_text(report, quiet)
    if fmt == "json":
        from nhilint.report.json_report import render_scan

        return render_scan(report)
    module = importlib.import_module(f"nhilint.report.{fmt}")  # sarif, github, markdown, junit
    rendered: str = module.render(report)
    return rendered


def _emit(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


common_options = [
    click.option("--config", "config", type=click.Path(dir_okay=False), help="Project config file "
                 "(default: .nhilint.yaml or [tool.nhilint] in pyproject.toml)."),
    click.option("--policy", help="Policy pack: a built-in name (default, strict) or a YAML file."),
    click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
                 help="Terraform variables file (repeatable)."),
    click.option("--today", metavar="YYYY-MM-DD", help="Evaluate expiry as of this date (reproducible builds)."),
    click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file."),
    click.option("--no-cache", is_flag=True, help="Do not use the parse cache (NHILINT_CACHE_DIR, default "
                 "~/.cache/nhilint)."),
]


def with_common(function: Any) -> Any:
    for option in reversed(common_options):
        function = option(function)
    return function


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nhilint")
def cli() -> None:
    """Lint non-human identities (roles, service accounts, keys, tokens) in infrastructure code."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-f", "--format", "fmt", type=click.Choice(SCAN_FORMATS), default="text", show_default=True,
              help="auto: github under GitHub Actions, else text.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Lowest severity that fails the build "
              "(default from the policy: low).")
@click.option("-q", "--quiet", is_flag=True, help="Only findings, no summary line.")
@click.option("--report", "reports", multiple=True, metavar="FORMAT:FILE",
              help="Also write the report in FORMAT to FILE (repeatable), e.g. sarif:nhilint.sarif.")
@with_common
def scan(paths: tuple[str, ...], fmt: str, fail_on: str | None, quiet: bool, reports: tuple[str, ...],
         config: str | None, policy: str | None, var_files: tuple[str, ...], today: str | None,
         output: str | None, no_cache: bool) -> None:
    """Scan PATHS (files or directories; default .) and fail on policy violations."""
    from nhilint.api import scan as run_scan

    loaded, root, targets = _config(paths, config, policy, fail_on, today)
    report = run_scan(targets, loaded, root, [Path(v) for v in var_files], cache=not no_cache)
    extra = [_parse_report_option(r) for r in reports]
    _emit(render_scan_report(report, fmt, quiet), output)
    for extra_format, path in extra:
        _emit(render_scan_report(report, extra_format), path)
    sys.exit(EXIT_FINDINGS if report.failing() else EXIT_OK)


def _parse_report_option(value: str) -> tuple[str, str]:
    fmt, _, path = value.partition(":")
    if fmt not in SCAN_FORMATS or fmt == "auto" or not path:
        raise click.UsageError(f"--report {value!r}: expected FORMAT:FILE with FORMAT one of "
                               f"{', '.join(f for f in SCAN_FORMATS if f != 'auto')}")
    return fmt, path


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "csv", "markdown"]), default="table",
              show_default=True)
@with_common
def inventory(paths: tuple[str, ...], fmt: str, config: str | None, policy: str | None,
              var_files: tuple[str, ...], today: str | None, output: str | None, no_cache: bool) -> None:
    """List every identity: owner, expiry, retire-on, credentials, grants, trusts and users."""
    from nhilint.api import build_inventory
    from nhilint.report import inventory as inventory_report

    loaded, root, targets = _config(paths, config, policy, None, today)
    found, _ = build_inventory(targets, loaded, root, [Path(v) for v in var_files], cache=not no_cache)
    if fmt == "json":
        from nhilint.report.json_report import render_inventory

        text = render_inventory(found)
    elif fmt == "csv":
        text = inventory_report.render_csv(found)
    elif fmt == "markdown":
        text = inventory_report.render_markdown(found)
    else:
        text = inventory_report.render_table(found)
    _emit(text, output)


@cli.command()
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
def rules(fmt: str) -> None:
    """List the rule catalog."""
    from nhilint.report.catalog import render_markdown, render_text

    click.echo(render_markdown() if fmt == "markdown" else render_text(), nl=False)


@cli.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show what RULE_ID checks, why, and how to fix it."""
    from nhilint.rules import BY_ID

    rule = BY_ID.get(rule_id.upper())
    if rule is None:
        raise click.UsageError(f"unknown rule {rule_id!r}; `nhilint rules` lists them")
    click.echo(f"{rule.id} {rule.name} ({rule.severity}, {rule.owasp_title})\n\n{rule.summary}\n\n{rule.doc}")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code instead of exiting (for tests and embedding)."""
    try:
        cli.main(args=argv, prog_name="nhilint", standalone_mode=False)
    except click.UsageError as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    return EXIT_OK


def entry() -> None:
    sys.exit(main())
