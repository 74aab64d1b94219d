"""What every command shares: loading the configuration, the common options, and writing output."""

from __future__ import annotations

import importlib
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from nhilint.config import Config, ConfigError, load_config
from nhilint.model import Severity
from nhilint.report.escape import printable as printable  # import-free; re-exported for the commands

if TYPE_CHECKING:
    from nhilint.result import Report, ScanOptions

SEVERITIES = [str(s) for s in Severity]
SCAN_FORMATS = ["text", "json", "sarif", "github", "markdown", "junit", "auto"]
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def load(
    paths: tuple[str, ...], config: str | None, policy: str | None, fail_on: str | None, cache: bool = True
) -> tuple[Config, Path, list[Path]]:
    """The configuration for these paths (with --fail-on applied), the scan root, and the paths to scan.

    `cache=False` (`--no-cache`): nothing remembered from an earlier run is trusted, the record of configs
    that passed the schema included (nhilint/config_memo.py)."""
    from nhilint.api import default_root

    targets = [Path(p) for p in paths] or [Path(".")]
    for target in targets:
        if not target.exists():
            raise click.UsageError(f"path {target} does not exist")
    root = default_root(targets)
    try:
        loaded = load_config(root, Path(config) if config else None, policy, memo=cache)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    overrides: dict[str, Any] = {}
    if fail_on:
        overrides["fail_on"] = Severity.parse(fail_on)
    return loaded.with_overrides(**overrides), root, targets


def parse_today(today: str | None) -> date | None:
    """`--today YYYY-MM-DD`; anything else is a usage error."""
    if not today:
        return None
    # Only YYYY-MM-DD, as suppressions' `until` dates: Python also reads 20270101 and week dates.
    shaped = len(today) == 10 and today[4] == today[7] == "-" and today.replace("-", "").isdigit()
    try:
        if shaped:
            return date.fromisoformat(today)
    except ValueError:
        pass
    problem = "is not a valid date" if shaped else "is not YYYY-MM-DD"  # 2027-02-30: the form is right
    raise click.UsageError(f"--today {today!r} {problem}")


def scan_options(var_files: tuple[str, ...], today: str | None, no_cache: bool, inline: bool = True) -> ScanOptions:
    """The ScanOptions that the common options (and --no-inline-suppressions) ask for."""
    from nhilint.result import ScanOptions

    return ScanOptions(
        var_files=tuple(Path(v) for v in var_files),
        variables=command_line_variables(),
        cache=not no_cache,
        inline_suppressions=inline,
        today=parse_today(today),
    )


def command_line_variables() -> tuple[tuple[str, str], ...]:
    """The `-var NAME=VALUE` pairs of the running command (kept aside by `_keep_variables`)."""
    context = click.get_current_context(silent=True)
    return tuple(context.meta.get(_VARIABLES, ())) if context is not None else ()


_VARIABLES = "nhilint.variables"


def _keep_variables(context: click.Context, _: click.Parameter, values: tuple[str, ...]) -> None:
    """`-var NAME=VALUE`, kept in the context so that every command taking --var-file takes it too."""
    pairs = []
    for value in values:
        name, equals, text = value.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint="-var")
        pairs.append((name.strip(), text))
    context.meta[_VARIABLES] = tuple(pairs)


def render_scan_report(report: Report, fmt: str, quiet: bool = False, colour: bool = False) -> str:
    """One scan report in one format; each reporter is imported only when chosen."""
    if fmt == "auto":
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    if fmt == "text":
        from nhilint.report.text import render as render_text

        return render_text(report, quiet, colour=colour)
    if fmt == "json":
        from nhilint.report.json_report import render_scan

        return render_scan(report)
    if fmt == "github":
        from nhilint.report.github import render as render_github

        return render_github(report, quiet)
    module = importlib.import_module(f"nhilint.report.{fmt}")  # sarif, markdown, junit
    rendered: str = module.render(report)
    return rendered


def emit(text: str, output: str | None) -> None:
    if output:
        write_output(Path(output), text)
    else:
        click.echo(text, nl=False)


def write_output(path: Path, text: str) -> None:
    """Write a report file, creating its directory; a path that cannot be written is exit 2, in one line."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        blocker = next((p for p in reversed(path.parents) if p.exists() and not p.is_dir()), None)
        reason = f"{blocker} is a file, not a directory" if blocker else exc.strerror or type(exc).__name__
        raise click.ClickException(printable(f"cannot write {path}: {reason}")) from None


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    from nhilint.report.text import plural as counted

    return counted(count, noun, nouns)


common_options = [
    click.option(
        "--config",
        "config",
        type=click.Path(dir_okay=False),
        help="Project config file (default: .nhilint.yaml or [tool.nhilint] in pyproject.toml).",
    ),
    click.option("--policy", help="Policy pack: a built-in name (default, strict) or a YAML file."),
    click.option(
        "--var-file",
        "var_files",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="Terraform variables file (repeatable).",
    ),
    click.option(
        "-var",
        "--var",
        multiple=True,
        metavar="NAME=VALUE",
        expose_value=False,
        callback=_keep_variables,
        help="A Terraform root variable, as `terraform -var` (repeatable; applied after the var files).",
    ),
    click.option("--today", metavar="YYYY-MM-DD", help="Evaluate expiry as of this date (reproducible builds)."),
    click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file."),
    click.option(
        "--no-cache",
        is_flag=True,
        help="Use nothing kept from earlier runs (parsed files, validated configs; NHILINT_CACHE_DIR, default "
        "~/.cache/nhilint).",
    ),
]


def with_common(function: Any) -> Any:
    for option in reversed(common_options):
        function = option(function)
    return function
