"""The `nhilint audit` and `nhilint audit-merge` commands (registered on the CLI group by `register`).

Exit codes: 0 when the audit completed, even with findings and failed repositories; 1 with `--fail-on` when
a finding at or above that severity was found; 2 for usage errors (no source, a bad option, an unreachable
Dask scheduler, shard outputs that do not agree).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from nhilint.model import Severity

SEVERITIES = [str(s) for s in Severity]


def _default_cache_dir() -> Path | None:
    from nhilint.parse.cache import default_directory

    base = default_directory()
    return base / "audit" if base is not None else None


@click.command("audit")
@click.argument("sources", nargs=-1)
@click.option(
    "--repos-file",
    type=click.Path(exists=True, dir_okay=False),
    help="A file with one SOURCE per line (# comments).",
)
@click.option("--ref", metavar="REF", help="Branch, tag or commit to audit in every repository (default: its HEAD).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Directory that receives the outputs.")
@click.option("--today", metavar="YYYY-MM-DD", help="Evaluate expiry, age and staleness as of this date.")
@click.option("--workers", type=click.IntRange(min=1), help="Repositories audited in parallel (default: CPU count).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786 (default: a LocalCluster).")
@click.option("--shard", metavar="K/N", help="Audit only shard K of N (a stable split by source); see audit-merge.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    help="Clones and per-commit results (default: NHILINT_CACHE_DIR or ~/.cache/nhilint, under audit/).",
)
@click.option("--stale-days", type=click.IntRange(min=1), default=365, show_default=True)
@click.option("--progress/--no-progress", default=None, help="Progress bar on a terminal, lines elsewhere.")
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Project config file, as for scan.")
@click.option("--policy", help="Policy pack: a built-in name (default, strict) or a YAML file.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 when a finding at or above this is found.")
def audit(
    sources: tuple[str, ...],
    repos_file: str | None,
    ref: str | None,
    out: str,
    today: str | None,
    workers: int | None,
    executor: str,
    scheduler: str | None,
    shard: str | None,
    cache_dir: str | None,
    stale_days: int,
    progress: bool | None,
    config: str | None,
    policy: str | None,
    fail_on: str | None,
) -> None:
    """Audit many repositories: every machine identity, its owner, history, findings and reach.

    SOURCE is a local directory, a local git repository, or a git URL (https://, ssh://, git@host:..., file://).
    Writes audit.json, identities.csv, repositories.csv, owners.csv and report.html to --out.
    """
    from nhilint.audit.progress import Progress, mode
    from nhilint.audit.runner import AuditOptions, default_workers, run_audit
    from nhilint.audit.sources import SourceError, load_sources, parse_shard

    if scheduler and executor != "dask":
        raise click.UsageError("--scheduler needs --executor dask")
    try:
        found = load_sources(list(sources), Path(repos_file) if repos_file else None)
        shard_spec = parse_shard(shard) if shard else None
    except SourceError as exc:
        raise click.UsageError(str(exc)) from None
    if not found:
        raise click.UsageError("give at least one SOURCE or a --repos-file that lists some")
    loaded = _auditor_config(config, policy, today)
    options = AuditOptions(
        sources=tuple(found),
        out=Path(out),
        today=loaded.today,
        ref=ref,
        workers=workers or default_workers(),
        executor=executor,
        scheduler=scheduler,
        shard=shard_spec,
        cache_dir=Path(cache_dir) if cache_dir else _default_cache_dir(),
        stale_days=stale_days,
        config_root=Path.cwd(),
        config_path=Path(config) if config else None,
        policy=policy,
    )
    from nhilint.audit.executors import ExecutorUnavailable

    try:
        with Progress(mode(progress)) as shown:
            outcome = run_audit(options, loaded, shown.update)
    except ExecutorUnavailable as exc:
        raise click.UsageError(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write to {out}: {exc.strerror or type(exc).__name__}") from None
    _report(outcome.repositories, outcome.failed, outcome.cached, outcome.identities, out)
    if fail_on and outcome.worst_severity and Severity.parse(outcome.worst_severity) >= Severity.parse(fail_on):
        sys.exit(1)


def _auditor_config(config: str | None, policy: str | None, today: str | None) -> Any:
    """The auditor's config, found from the current directory as `nhilint scan` finds it; applied to every
    repository alike (a repository's own .nhilint.yaml does not lower the bar of the audit)."""
    from nhilint.commands.common import parse_today
    from nhilint.config import ConfigError, load_config

    try:
        loaded = load_config(Path.cwd(), Path(config) if config else None, policy)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    given = parse_today(today)
    if given is not None:
        loaded = loaded.with_overrides(today=given)
    return loaded


def _report(repositories: int, failed: int, cached: int, identities: int, out: str) -> None:
    from nhilint.report.escape import printable

    click.echo(
        f"nhilint audit: {repositories} {'repository' if repositories == 1 else 'repositories'} ({failed} failed, "
        f"{cached} cached), {identities} {'identity' if identities == 1 else 'identities'}; wrote audit.json, "
        "identities.csv, repositories.csv, "
        f"owners.csv and report.html to {printable(os.fspath(out))}",
        err=True,
    )


@click.command("audit-merge")
@click.argument("directories", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Directory that receives the outputs.")
def audit_merge(directories: tuple[str, ...], out: str) -> None:
    """Combine the outputs of `nhilint audit --shard K/N` runs (each DIR an --out) into one audit."""
    from nhilint.audit.merge import MergeError, merge

    try:
        figures, duplicates = merge([Path(d) for d in directories], Path(out))
    except MergeError as exc:
        raise click.UsageError(str(exc)) from None
    from nhilint.report.escape import printable

    for source in sorted(set(duplicates)):
        click.echo(f"nhilint audit-merge: warning: {printable(source)} is in more than one shard; kept once", err=True)
    _report(figures.repositories, figures.failed, figures.cached, figures.identities, out)


def register(group: click.Group) -> None:
    """Add the audit commands to the `nhilint` group (called once, at the end of nhilint/cli.py)."""
    group.add_command(audit)
    group.add_command(audit_merge)
