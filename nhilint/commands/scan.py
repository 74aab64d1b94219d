"""`nhilint scan`: options -> ScanOptions, nhilint.api.scan, then the steps asked for, then the reporters."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from nhilint.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    SCAN_FORMATS,
    SEVERITIES,
    command_line_variables,
    emit,
    load,
    parse_today,
    render_scan_report,
    with_common,
)

if TYPE_CHECKING:
    from nhilint.config import Config
    from nhilint.result import Report, ScanOptions


@click.command()
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
    help="Also run checkov's identity checks, in a process of its own, and merge them by identity. checkov "
    "is installed apart from nhilint (NHILINT_CHECKOV, or checkov on PATH); without it this is a usage "
    'error, unless NHILINT_CHECKOV_INSTALL=1 lets nhilint install it; see README "checkov interop".',
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
    from nhilint.result import ScanOptions

    if plan_source and not plans:
        raise click.UsageError("--source names the directory a --plan was made from; give --plan too")
    if plans and new_only:
        raise click.UsageError("--plan cannot be combined with --new-only")
    if checkov and new_only:
        raise click.UsageError("--checkov cannot be combined with --new-only")
    anchors = paths + plans + ((plan_source,) if plan_source else ())
    loaded, root, targets = load(anchors, config, policy, fail_on, cache=not no_cache)
    options = ScanOptions(
        var_files=tuple(Path(v) for v in var_files),
        variables=command_line_variables(),
        plans=tuple(Path(p) for p in plans),
        plan_source=Path(plan_source) if plan_source else None,
        cache=not no_cache,
        inline_suppressions=not no_inline,
        today=parse_today(today),
    )
    targets = [Path(p) for p in paths] if plans else targets
    report = _scan_report(targets, loaded, root, options, baseline_file, base_ref, new_only, checkov)
    extra = [_parse_report_option(r) for r in reports]
    colour = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    emit(render_scan_report(report, fmt, quiet, colour), output)
    for extra_format, path in extra:
        emit(render_scan_report(report, extra_format), path)
    sys.exit(EXIT_FINDINGS if report.failing() else EXIT_OK)


def _scan_report(
    targets: list[Path],
    loaded: Config,
    root: Path,
    options: ScanOptions,
    baseline_file: str | None,
    base_ref: str | None,
    new_only: bool,
    checkov: bool,
) -> Report:
    """A plain scan, or the new-only comparison (GitPython is imported only then); checkov; the baseline."""
    from nhilint import api

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
            report = newonly.scan_new_only(targets, loaded, root, base_ref, options)
        except newonly.NewOnlyError as exc:
            raise click.UsageError(str(exc)) from None
    else:
        report = api.scan(targets, loaded, root, options)
    if checkov:
        report = _with_checkov(report)
    if entries is not None:
        report = api.with_baseline(report, entries)
    return report


def _with_checkov(report: Report) -> Report:
    """checkov's identity findings merged by identity (nhilint.checkov_interop is imported only here)."""
    from nhilint.checkov_interop import CheckovError, with_checkov

    try:
        return with_checkov(report, notify=lambda m: click.echo(m, err=True))
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
