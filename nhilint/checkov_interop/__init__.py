"""checkov interop: `nhilint scan --checkov` also runs checkov's identity checks and merges their results.

nhilint's own rules see identities across formats; checkov has hundreds of single-resource checks, some of
them about identities (checks.py lists which). With `--checkov`, nhilint runs those checks on the same paths
and reports their failures as findings keyed by nhilint identity (merge.py), with checkov's id kept as the
rule id (`CKV_AWS_40`), checkov's file and lines, and a severity from checks.py. Failures that repeat a
nhilint finding are folded into it. `#checkov:skip=CKV_AWS_40:reason` comments keep working: checkov
honours them, and nhilint lists those results as suppressed with the reason; `nhilint:ignore all -- …`
covers checkov findings too, and `--no-inline-suppressions` shows both kinds.

checkov runs in its own process and Python environment, offline (runner.py explains why and how). This
package never imports checkov; it is imported only when `--checkov` is given.

Library use (a step like the others in nhilint.api: a Report in, a new Report out)::

    report = with_checkov(nhilint.api.scan(paths, config))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from nhilint import suppress
from nhilint.checkov_interop import merge
from nhilint.checkov_interop.checks import BY_CHECK_ID, CHECKS, CheckovRule, rule_for
from nhilint.checkov_interop.runner import CheckovError, CheckovRun, Notify, run
from nhilint.discover import discover
from nhilint.model import Finding, Suppressed
from nhilint.result import Report

__all__ = ["CheckovError", "scan_directories", "with_checkov"]

Runner = Callable[[list[Path], list[str], list[Path]], CheckovRun]


def scan_directories(paths: list[Path]) -> list[Path]:
    """The directories to give checkov: each path, or a file's directory (for its module's context),
    without those inside another."""
    directories = sorted({(p if p.is_dir() else p.parent).resolve() for p in paths})
    return [d for d in directories if not any(d != o and d.is_relative_to(o) for o in directories)]


def _allowed_files(report: Report, paths: list[Path]) -> set[str]:
    """The files nhilint itself would read (honouring exclude and .gitignore; only the named files, when
    files are named), relative to the scan root."""
    found = discover(paths, report.root, report.config.exclude, all_tracked=report.options.all_tracked)
    root = report.root.resolve()
    chosen = found.explicit or {
        p.resolve() for p in [*found.terraform, *(f for fs in found.other.values() for f in fs)]
    }
    return {p.relative_to(root).as_posix() for p in chosen if p.is_relative_to(root)}


def with_checkov(
    report: Report,
    paths: list[Path] | None = None,
    var_files: list[Path] | None = None,
    inline_suppressions: bool | None = None,
    notify: Notify | None = None,
    runner: Runner | None = None,
) -> Report:
    """`report` with checkov's identity findings merged in (see the module docstring).

    `paths`, `var_files` and `inline_suppressions` default to those the report was scanned with. `runner`
    replaces the checkov process (tests); `notify` receives progress and warnings for the user.
    """
    say = notify or (lambda _: None)
    config = report.config
    paths = list(report.paths) if paths is None else paths
    var_files = list(report.options.var_files) if var_files is None else var_files
    if inline_suppressions is None:
        inline_suppressions = report.options.inline_suppressions
    checks = [c.id for c in CHECKS if config.rule(c.id).enabled]
    extra_vars = [report.root / v for v in config.var_files] + list(var_files)
    execute: Runner = runner or (lambda dirs, ids, tfvars: run(dirs, ids, tfvars, notify=say))
    outcome = execute(scan_directories(paths), checks, extra_vars)
    for attempt in outcome.refused:
        say(f"nhilint: checkov tried to reach the network and was refused: {attempt}")
    allowed = _allowed_files(report, paths)
    unique = {
        (r.check_id, r.path, r.start_line, r.resource, r.skipped): r
        for r in merge.results(outcome.reports, report.root)
        if r.path in allowed
    }
    resolver = merge.Resolver(report.inventory)
    failed: list[tuple[Finding, list[str]]] = []
    skipped: list[Suppressed] = []
    rules: dict[str, CheckovRule] = {}
    for result in unique.values():
        rules.setdefault(result.check_id, rule_for(result.check_id, result.name, result.guideline))
        setting = config.rule(result.check_id)
        if not setting.enabled:
            continue
        made = merge.findings(result, resolver)
        if setting.severity is not None:
            made = [replace(f, severity=setting.severity) for f in made]
        if result.skipped and inline_suppressions:
            skipped += [Suppressed(f, f"checkov:skip {result.skip_reason}".strip(), None) for f in made]
        else:
            failed += [(f, merge.names(result)) for f in made]
    folds = {check.id: check.folds for check in BY_CHECK_ID.values()}
    left, kept, suppressed = merge.fold(failed, folds, list(report.findings), list(report.suppressed))
    if inline_suppressions:
        left, silenced = suppress.apply(left, suppress.active(report.inventory.annotations, config.today))
        suppressed += silenced
    return replace(
        report,
        findings=tuple(sorted(set(kept + left), key=lambda f: f.sort_key)),
        suppressed=(*suppressed, *sorted(skipped, key=lambda s: s.finding.sort_key)),
        external_rules={**report.external_rules, **rules},
        seconds=report.seconds + outcome.seconds,
    )
