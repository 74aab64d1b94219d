"""The `nhilint` command: parse options, call the API, pick a reporter, return the exit code.

Exit codes: 0 no finding at or above `--fail-on`; 1 findings; 2 usage or config error (or an output file
that cannot be written); 3 internal error: one line naming the path being processed, the traceback only with
`nhilint --debug` (or NHILINT_DEBUG=1).
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from nhilint import __version__
from nhilint.config import Config, ConfigError, load_config
from nhilint.errors import InternalError, describe
from nhilint.model import Severity

if TYPE_CHECKING:
    from nhilint.api import Report

SEVERITIES = [str(s) for s in Severity]
SCAN_FORMATS = ["text", "json", "sarif", "github", "markdown", "junit", "auto"]
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


@dataclass(slots=True)
class RunState:
    """Per-invocation state the group fills in (click's `obj`), read by `main` when a command fails."""

    debug: bool = False


def _config(
    paths: tuple[str, ...], config: str | None, policy: str | None, fail_on: str | None, today: str | None
) -> tuple[Config, Path, list[Path]]:
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


def _emit(text: str, output: str | None) -> None:
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


def printable(text: str) -> str:
    from nhilint.report.text import printable as escape

    return escape(text)


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
    click.option("--today", metavar="YYYY-MM-DD", help="Evaluate expiry as of this date (reproducible builds)."),
    click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file."),
    click.option(
        "--no-cache", is_flag=True, help="Do not use the parse cache (NHILINT_CACHE_DIR, default ~/.cache/nhilint)."
    ),
]


def with_common(function: Any) -> Any:
    for option in reversed(common_options):
        function = option(function)
    return function


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nhilint")
@click.option(
    "--debug",
    is_flag=True,
    envvar="NHILINT_DEBUG",
    help="Show the traceback of an internal error (exit code 3); also NHILINT_DEBUG=1.",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Lint non-human identities (roles, service accounts, keys, tokens) in infrastructure code.

    Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage or config error; 3 internal error.
    """
    if isinstance(ctx.obj, RunState):
        ctx.obj.debug = debug


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(SCAN_FORMATS),
    default="auto",
    show_default=True,
    help="auto: github under GitHub Actions (GITHUB_ACTIONS=true), else text.",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    help="Lowest severity that fails the build (default from the policy: low).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only findings, no summary line.")
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT:FILE",
    help="Also write the report in FORMAT to FILE (repeatable), e.g. sarif:nhilint.sarif.",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False),
    help="Report only findings not in this file (`nhilint baseline create`); list its stale entries.",
)
@click.option(
    "--new-only",
    is_flag=True,
    help="Report only findings new since the merge base of --base and HEAD, and what the change does to access.",
)
@click.option(
    "--base", "base_ref", metavar="REF", help="The branch or commit --new-only compares with, e.g. origin/main."
)
@click.option(
    "--no-inline-suppressions",
    "no_inline",
    is_flag=True,
    help="Ignore every inline nhilint:ignore (an auditor's view).",
)
@click.option(
    "--plan",
    "plans",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Terraform plan JSON (`terraform show -json plan.out`) to scan (repeatable); with no PATHS, "
    "only the plans are scanned.",
)
@click.option(
    "--source",
    "plan_source",
    type=click.Path(exists=True, file_okay=False),
    help="The Terraform directory the --plan was made from: findings point at its .tf lines.",
)
@click.option(
    "--checkov",
    is_flag=True,
    help="Also run checkov's identity checks (installed apart from "
    'nhilint on first use) and merge them by identity; see README "checkov interop".',
)
@with_common
def scan(
    paths: tuple[str, ...],
    fmt: str,
    fail_on: str | None,
    quiet: bool,
    reports: tuple[str, ...],
    baseline_file: str | None,
    new_only: bool,
    base_ref: str | None,
    no_inline: bool,
    plans: tuple[str, ...],
    plan_source: str | None,
    checkov: bool,
    config: str | None,
    policy: str | None,
    var_files: tuple[str, ...],
    today: str | None,
    output: str | None,
    no_cache: bool,
) -> None:
    """Scan PATHS (files or directories; default . unless --plan is given) and fail on policy violations."""
    if plan_source and not plans:
        raise click.UsageError("--source names the directory a --plan was made from; give --plan too")
    if plans and new_only:
        raise click.UsageError("--plan cannot be combined with --new-only")
    if checkov and new_only:
        raise click.UsageError("--checkov cannot be combined with --new-only")
    anchors = paths + plans + ((plan_source,) if plan_source else ())
    loaded, root, targets = _config(anchors, config, policy, fail_on, today)
    targets = [Path(p) for p in paths] if plans else targets
    report = _scan_report(
        targets,
        loaded,
        root,
        [Path(v) for v in var_files],
        not no_cache,
        not no_inline,
        baseline_file,
        base_ref,
        new_only,
        [Path(p) for p in plans],
        Path(plan_source) if plan_source else None,
        checkov=checkov,
    )
    extra = [_parse_report_option(r) for r in reports]
    colour = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    _emit(render_scan_report(report, fmt, quiet, colour), output)
    for extra_format, path in extra:
        _emit(render_scan_report(report, extra_format), path)
    sys.exit(EXIT_FINDINGS if report.failing() else EXIT_OK)


def _scan_report(
    targets: list[Path],
    loaded: Config,
    root: Path,
    var_files: list[Path],
    cache: bool,
    inline: bool,
    baseline_file: str | None,
    base_ref: str | None,
    new_only: bool,
    plans: list[Path] | None = None,
    plan_source: Path | None = None,
    checkov: bool = False,
) -> Report:
    """A plain scan, or the new-only comparison (GitPython is imported only then); then the baseline."""
    from nhilint.api import scan as run_scan

    if new_only != (base_ref is not None):
        raise click.UsageError("--new-only and --base REF go together")
    entries = None
    if baseline_file:
        from nhilint.baseline import BaselineError, load

        try:
            entries = load(Path(baseline_file))
        except BaselineError as exc:
            raise click.UsageError(str(exc)) from None
    if base_ref is not None:  # and new_only
        try:
            from nhilint import newonly
        except ImportError as exc:
            raise click.UsageError(f"--new-only needs GitPython and the git executable: {exc}") from None
        try:
            report = newonly.scan_new_only(targets, loaded, root, base_ref, var_files, cache, inline)
        except newonly.NewOnlyError as exc:
            raise click.UsageError(str(exc)) from None
    else:
        report = run_scan(
            targets,
            loaded,
            root,
            var_files,
            cache=cache,
            inline_suppressions=inline,
            plans=plans,
            plan_source=plan_source,
        )
    if checkov:
        report = _with_checkov(report, targets, var_files, inline)
    if entries is not None:
        from nhilint.baseline import apply

        apply(report, entries)
    return report


def _with_checkov(report: Report, targets: list[Path], var_files: list[Path], inline: bool) -> Report:
    """checkov's identity findings merged by identity (nhilint.checkov_interop is imported only here)."""
    from nhilint.checkov_interop import CheckovError, with_checkov

    try:
        return with_checkov(report, targets, var_files, inline, notify=lambda m: click.echo(m, err=True))
    except CheckovError as exc:
        raise click.ClickException(f"--checkov: {exc}") from None


def _parse_report_option(value: str) -> tuple[str, str]:
    fmt, _, path = value.partition(":")
    if fmt not in SCAN_FORMATS or fmt == "auto" or not path:
        raise click.UsageError(
            f"--report {value!r}: expected FORMAT:FILE with FORMAT one of "
            f"{', '.join(f for f in SCAN_FORMATS if f != 'auto')}"
        )
    return fmt, path


@cli.command()
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


@cli.group("baseline")
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
    from nhilint.api import scan as run_scan
    from nhilint.baseline import DEFAULT_PATH, render

    loaded, root, targets = _config(paths, config, policy, None, today)
    report = run_scan(targets, loaded, root, [Path(v) for v in var_files], cache=not no_cache)
    target = output or DEFAULT_PATH
    write_output(Path(target), render(report.findings))
    entries = plural(len(report.findings), "baseline entry", "baseline entries")
    click.echo(f"nhilint: wrote {entries} to {printable(target)}", err=True)


@cli.command()
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
    from nhilint import suppression_audit
    from nhilint.api import scan as run_scan

    loaded, root, targets = _config(paths, config, policy, None, today)
    report = run_scan(
        targets, loaded, root, [Path(v) for v in var_files], cache=not no_cache, inline_suppressions=False
    )
    items = suppression_audit.audit(report.inventory, report.findings, loaded.today)
    _emit(
        suppression_audit.render_json(items, loaded.today) if fmt == "json" else suppression_audit.render_text(items),
        output,
    )


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


@cli.command("explain-identity")
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
    from nhilint.analyse.blast import compute
    from nhilint.api import scan as run_scan
    from nhilint.report.identity import NotFound, find, render

    loaded, root, targets = _config(paths, config, policy, None, today)
    report = run_scan(targets, loaded, root, [Path(v) for v in var_files], cache=not no_cache)
    try:
        identity = find(report.inventory, name)
    except NotFound as exc:
        raise click.UsageError(str(exc)) from None
    _emit(render(report, identity, compute(report.inventory)), output)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code instead of exiting (for tests and embedding).

    No exception escapes: an unexpected one is exit 3 with one line on stderr (the traceback with --debug).
    """
    state = RunState(debug=os.environ.get("NHILINT_DEBUG", "") not in ("", "0"))
    try:
        cli.main(args=argv, prog_name="nhilint", standalone_mode=False, obj=state)
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
    except Exception as exc:  # the last line of defence: never a traceback without --debug
        return _internal_error(exc, state.debug)
    return EXIT_OK


def _internal_error(exc: Exception, debug: bool) -> int:
    """`nhilint: internal error while processing PATH: ExcType: message`, and the traceback only when asked."""
    if isinstance(exc, InternalError):
        message = f"internal error while processing {exc.path}: {describe(exc.cause)}"
    else:
        message = f"internal error: {describe(exc)}"
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
        click.echo(f"nhilint: {printable(message)}", err=True)
    else:
        click.echo(f"nhilint: {printable(message)} (run with --debug for the traceback)", err=True)
    return EXIT_INTERNAL


def entry() -> None:
    sys.exit(main())


from nhilint.audit.commands import register as register_audit  # noqa: E402 - after the group is defined

register_audit(cli)
