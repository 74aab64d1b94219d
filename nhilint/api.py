"""The library API: everything `nhilint scan` does, as functions. The CLI is a thin layer over these.

    from nhilint.api import ScanOptions, inventory, scan, with_baseline
    from nhilint import baseline, newonly
    from nhilint.checkov_interop import with_checkov

    report = scan([Path("infra")], config, options=ScanOptions(var_files=(Path("prod.tfvars"),)))
    report = with_baseline(report, baseline.load(Path(".nhilint-baseline.json")))   # --baseline FILE
    report = newonly.compare_with_base(report, "origin/main")                         # --new-only --base REF
    report = with_checkov(report)                                                     # --checkov
    listed = inventory([Path("infra")], config)                                      # `nhilint inventory`

Each step takes a Report and returns a new one (Report is frozen); reporters in nhilint.report read it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from nhilint import data_memo, rules, suppress
from nhilint.cache_dir import default_directory
from nhilint.config import Config
from nhilint.errors import processing
from nhilint.gc_pause import paused_gc
from nhilint.model import Finding, Inventory, Location
from nhilint.model_inputs import Annotation, ParseError
from nhilint.result import DEFAULT_OPTIONS, Report, ScanOptions

if TYPE_CHECKING:
    from nhilint.analyse.analysis import Analysis
    from nhilint.baseline import BaselineEntry
    from nhilint.extract.builder import Builder
    from nhilint.parse.terraform import TerraformProject

# Importing this module loads no format, platform table, rule, analysis or third-party parser: each stage is
# imported by the step that runs it, and each format's and platform's code only when the scan finds such
# input (FORMAT_EXTRACTORS; nhilint.extract.terraform.project; nhilint.rules.for_inventory).
# tests/test_lazy_imports.py holds this to account.

__all__ = ["Report", "ScanOptions", "build_inventory", "inventory", "scan", "with_baseline"]

RULE_IDS = rules.RULE_IDS  # what `nhilint:ignore` may name (NHI-SUPP-001)

FormatExtractor = Callable[[list[Path], Path, "Builder"], None]


def _manifests() -> FormatExtractor:
    from nhilint.extract.manifests.objects import extract

    return extract


def _kustomizations() -> FormatExtractor:
    from nhilint.extract.manifests.objects import extract_kustomizations

    return extract_kustomizations


def _helm_charts() -> FormatExtractor:
    from nhilint.extract.manifests.helm_charts import extract_charts

    return extract_charts


def _cloudformation() -> FormatExtractor:
    from nhilint.extract.cloudformation.template import extract

    return extract


def _plans() -> FormatExtractor:
    from nhilint.extract.terraform.plan import extract

    return extract


# Formats besides Terraform: discovered kind -> loader of its extractor. A loader imports the extractor only
# when such files are found (a pre-commit run over `.tf` files never loads YAML or plan code); they run in
# this order after Terraform.
FORMAT_EXTRACTORS: dict[str, Callable[[], FormatExtractor]] = {
    "kubernetes": _manifests,
    "kustomize": _kustomizations,
    "helm": _helm_charts,  # after the manifests: a rendered chart withdraws its templates' parse errors
    "cloudformation": _cloudformation,
    "tfplan": _plans,
}


def default_root(paths: list[Path]) -> Path:
    """The current directory when every path is inside it, else the paths' common parent."""
    cwd = Path.cwd().resolve()
    resolved = [p.resolve() for p in paths] or [cwd]
    if all(p.is_relative_to(cwd) for p in resolved):
        return cwd
    common = Path(*_common_parts([p if p.is_dir() else p.parent for p in resolved]))
    return common


def _common_parts(paths: list[Path]) -> list[str]:
    parts = list(paths[0].parts)
    for path in paths[1:]:
        other = path.parts
        n = 0
        while n < min(len(parts), len(other)) and parts[n] == other[n]:
            n += 1
        parts = parts[:n]
    return parts or ["/"]


def build_inventory(
    paths: list[Path], config: Config, root: Path, options: ScanOptions = DEFAULT_OPTIONS
) -> tuple[Inventory, set[str]]:
    """Discover, parse and extract: the inventory of every identity in `paths`, and the files named.

    Where a plan (`options.plans`) and scanned source describe the same address, the plan wins
    (nhilint.extract.terraform.plan).
    """
    from nhilint.discover import discover, relative_names
    from nhilint.extract.builder import Builder
    from nhilint.extract.documents import settle as settle_documents
    from nhilint.extract.links import link as link_formats
    from nhilint.extract.written_secrets.notes import finish as finish_written_secrets

    plans, plan_source = list(options.plans), options.plan_source
    data_memo.keep_package_data_in(default_directory() if options.cache else None)  # the catalogues, as JSON
    with processing(lambda: _label("", paths, root)):
        found = discover(paths, root, config.exclude, config.limits, options.all_tracked)
    extra_vars = [root / v for v in config.var_files] + list(options.var_files)
    project: TerraformProject | None = None
    if found.terraform or found.context or extra_vars or options.variables:
        project = _terraform(found.terraform, found.context, root, extra_vars, config, options)
        with processing(lambda: _label("Terraform", found.terraform, root)):
            builder = Builder(config.settings, _annotations_by_block(project.annotations), limits=config.limits)
            _extract_terraform(project, builder)
    else:  # nothing Terraform to read: the HCL parser, its cache and the Terraform tables are never imported
        builder = Builder(config.settings, {}, limits=config.limits)
    for kind, loader in FORMAT_EXTRACTORS.items():
        files = found.other.get(kind)
        if files:
            with processing(partial(_label, kind, files, root)):
                loader()(files, root, builder)
    plan_files: set[str] = set()
    if plans:
        from nhilint.extract.terraform.plan import extract_plans

        with processing(lambda: _label("tfplan", plans, root)):
            plan_files = extract_plans(plans, root, builder, plan_source, extra_vars)
    link_formats(builder)
    inventory = builder.finish()
    settle_documents(builder)  # permission documents and the principals they reach
    finish_written_secrets(builder)  # secrets in tags, environment variables, user data; their identities
    project_errors = project.errors if project else []
    inventory.errors.extend(e for e in [*found.problems, *project_errors] if e not in inventory.errors)
    inventory.errors[:] = _relative_reasons(inventory.errors, root)
    if project is not None:
        inventory.sensitive.update(project.sensitive)  # values the reporters redact (nhilint/redact.py)
        inventory.unresolved.extend(u for u in project.unresolved if u not in inventory.unresolved)
        known = set(inventory.annotations)  # a plan's --source may have read the same files
        inventory.annotations.extend(a for a in project.annotations if a not in known)
    handled = set(FORMAT_EXTRACTORS)
    others = [p for kind, files in found.other.items() if kind in handled for p in files]
    if project is not None:
        names = {project.relative(p) for p in [*found.terraform, *others]}
    else:
        names = set(relative_names(others, root.resolve()).values())
    inventory.files = sorted(names | plan_files)
    explicit = found.named
    return inventory, explicit | plan_files if explicit else explicit


def _terraform(
    files: list[Path], context: list[Path], root: Path, extra_vars: list[Path], config: Config, options: ScanOptions
) -> TerraformProject:
    """The Terraform files parsed (with the var files, `-var` values and the files read for context)."""
    from nhilint.extract.terraform.project import resource_types
    from nhilint.parse.terraform import TerraformProject

    cache_dir = default_directory() if options.cache else None
    project = TerraformProject(root, extra_vars, resource_types(), cache_dir, config.limits, dict(options.variables))
    with processing(lambda: _label("Terraform", files, root)):
        project.add_files(files)
        project.add_files(context, context=True)
    if options.variables:
        project.check_variables()  # UsageProblem: a -var no root declares, or not of its type
    return project


def _extract_terraform(project: TerraformProject, builder: Builder) -> None:
    from nhilint.extract.terraform.project import extract_terraform

    extract_terraform(project, builder)


def _label(kind: str, files: list[Path], root: Path) -> str:
    """What an internal error names: the one file, else the files' common directory (and their kind)."""
    base = root.resolve()
    names = [
        p.resolve().relative_to(base).as_posix() if p.resolve().is_relative_to(base) else p.as_posix() for p in files
    ]
    if len(names) == 1:
        return names[0]
    try:
        common = os.path.commonpath(names) if names else "."
    except ValueError:  # absolute and relative names mixed
        common = "."
    return f"{common or '.'}/ ({len(names)} {kind} files)" if kind else f"{common or '.'}/"


def _relative_reasons(errors: list[ParseError], root: Path) -> list[ParseError]:
    """The errors with the scan root's absolute path taken out of their reasons (an OSError's text names
    `/home/ci/work/infra/noread.tf`): outputs name files relative to the scan root, and a shared report should
    not tell its readers about the machine that ran the scan."""
    prefixes = sorted({f"{p}{os.sep}" for p in (root.absolute(), root.resolve())}, key=len, reverse=True)

    def relative(reason: str) -> str:
        for prefix in prefixes:
            reason = reason.replace(prefix, "")
        return reason

    return [replace(e, reason=relative(e.reason)) if any(p in e.reason for p in prefixes) else e for e in errors]


def _annotations_by_block(annotations: list[Annotation]) -> dict[Location, list[Annotation]]:
    by_block: dict[Location, list[Annotation]] = {}
    for annotation in annotations:
        by_block.setdefault(annotation.block, []).append(annotation)
    return by_block


def run_rules(inventory: Inventory, config: Config, analysis: Analysis | None = None) -> list[Finding]:
    """Every enabled rule over the inventory and its analysis, with the configured severities.

    Only the rules with something to judge in this inventory are imported and run (nhilint.rules.for_inventory):
    the others would find nothing.
    """
    from nhilint.rules.base import Context

    context = Context(inventory, config.settings, config.today, RULE_IDS, analysis or _analysis(inventory))
    findings: list[Finding] = []
    for rule in rules.for_inventory(inventory, lambda rule_id: config.rule(rule_id).enabled):
        setting = config.rule(rule.id)
        with processing(f"rule {rule.id}"):
            produced = list(rule.check(rule, context))
        for finding in produced:
            if setting.severity is not None and not finding.unknown:
                finding = replace(finding, severity=setting.severity)
            findings.append(finding)
    return findings


def _analysis(inventory: Inventory) -> Analysis:
    from nhilint.analyse.analysis import Analysis

    return Analysis(inventory)


def _anchor(paths: list[Path], root: Path | None, options: ScanOptions) -> Path:
    """The scan root: given, else the default for the paths, plans and plan source."""
    return root or default_root([*paths, *options.plans, *([options.plan_source] if options.plan_source else [])])


def scan(paths: list[Path], config: Config, root: Path | None = None, options: ScanOptions = DEFAULT_OPTIONS) -> Report:
    """Scan files and directories: every finding, suppressed finding, the inventory and its analysis.

    `root` is where paths, identity ids and fingerprints are relative to (default: see default_root).
    """
    started = time.perf_counter()
    if options.today is not None:
        config = config.with_overrides(today=options.today)
    scan_root = _anchor(paths, root, options)
    with paused_gc():  # the rules, their analysis and findings are acyclic too; collecting there cost a tenth
        found, explicit = build_inventory(paths, config, scan_root, options)
        analysis = _analysis(found)
        findings = run_rules(found, config, analysis)
        if explicit:  # a named file's findings, also where they point into a file it reads (file("admin.json"))
            findings = [f for f in findings if f.location.path in explicit or (f.block and f.block.path in explicit)]
        active = suppress.active(found.annotations, config.today, RULE_IDS) if options.inline_suppressions else []
        findings, silenced = suppress.apply(findings, active)
        from nhilint.rules import owner_missing, unset_variable

        findings = unset_variable.fold(findings, config)  # one finding per root variable left without a value
        findings = owner_missing.fold(findings, found)  # a credential's missing owner, when its identity's is shown
        ordered = sorted(set(findings), key=lambda f: f.sort_key)
    return Report(
        scan_root,
        config,
        found,
        analysis,
        tuple(ordered),
        tuple(silenced),
        time.perf_counter() - started,
        paths=tuple(paths),
        options=options,
    )


def inventory(
    paths: list[Path], config: Config, root: Path | None = None, options: ScanOptions = DEFAULT_OPTIONS
) -> Report:
    """`nhilint inventory`: the inventory and its analysis, no rules run (a Report without findings)."""
    started = time.perf_counter()
    if options.today is not None:
        config = config.with_overrides(today=options.today)
    scan_root = _anchor(paths, root, options)
    with paused_gc():
        found, _ = build_inventory(paths, config, scan_root, options)
    seconds = time.perf_counter() - started
    return Report(scan_root, config, found, _analysis(found), seconds=seconds, paths=tuple(paths), options=options)


def with_baseline(report: Report, entries: Sequence[BaselineEntry]) -> Report:
    """`--baseline FILE`: the report with its known findings moved to `baselined`, and the stale entries
    in scope listed (nhilint.baseline says which are stale, and why)."""
    from nhilint import baseline  # only with a baseline: a plain scan does not load it

    new, known, unmatched = baseline.split(report.findings, entries)
    return replace(
        report,
        findings=tuple(new),
        baselined=tuple(sorted([*(report.baselined or ()), *known], key=lambda f: f.sort_key)),
        stale_baseline=tuple(baseline.stale(unmatched, report.inventory, report.suppressed, report.root)),
    )
