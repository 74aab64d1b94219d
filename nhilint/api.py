"""The library API: `scan(paths, config) -> Report`. The CLI is a thin layer over this."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from nhilint import suppress
from nhilint.config import Config
from nhilint.discover import discover
from nhilint.errors import processing
from nhilint.extract import written_secrets
from nhilint.extract.builder import Builder
from nhilint.extract.links import link as link_formats
from nhilint.extract.terraform.project import extract_terraform, resource_types
from nhilint.model import Annotation, Finding, Inventory, Location, Severity, Suppressed
from nhilint.parse.cache import default_directory
from nhilint.parse.terraform import TerraformProject
from nhilint.rules import RULES
from nhilint.rules.base import Context, Rule

if TYPE_CHECKING:
    from nhilint.access_diff import Change
    from nhilint.baseline import StaleEntry

RULE_IDS = frozenset(rule.id for rule in RULES)  # what `nhilint:ignore` may name (NHI-SUPP-001)


@dataclass(slots=True)
class Report:
    root: Path
    config: Config
    inventory: Inventory
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    seconds: float = 0.0
    # Set only in the modes that compute them (None: not asked): findings already known to a baseline file
    # or the merge base, stale baseline entries, and access changes against the merge base.
    baselined: list[Finding] | None = None
    stale_baseline: list[StaleEntry] | None = None
    changes: list[Change] | None = None
    # Rules of other tools whose findings this report holds (`--checkov`: checkov checks by id), so that
    # reporters can describe them as they describe nhilint's own rules.
    external_rules: dict[str, Rule] = field(default_factory=dict)

    def failing(self, threshold: Severity | None = None) -> list[Finding]:
        limit = self.config.fail_on if threshold is None else threshold
        return [f for f in self.findings if f.severity >= limit]


FormatExtractor = Callable[[list[Path], Path, Builder], None]


def _manifests() -> FormatExtractor:
    from nhilint.extract.manifests.objects import extract

    return extract


def _kustomizations() -> FormatExtractor:
    from nhilint.extract.manifests.objects import extract_kustomizations

    return extract_kustomizations


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
    "cloudformation": _cloudformation,
    "tfplan": _plans,
}


@contextmanager
def _no_gc() -> Iterator[None]:
    """Parse trees are large and acyclic: the cyclic GC would rescan them over and over (25% of a big scan)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    paths: list[Path],
    config: Config,
    root: Path,
    var_files: list[Path] | None = None,
    cache: bool = False,
    plans: list[Path] | None = None,
    plan_source: Path | None = None,
) -> tuple[Inventory, set[str]]:
    """Discover, parse and extract: the inventory of every identity in `paths`, and the files named.

    `cache`: keep parsed files in the user's cache directory (see nhilint.parse.cache).
    `plans`: Terraform plan JSON files (`--plan`), attributed to the `.tf` directory `plan_source` when given;
    where a plan and scanned source describe the same address, the plan wins (nhilint.extract.terraform.plan).
    """
    with processing(lambda: _label("", paths, root)):
        found = discover(paths, root, config.exclude, config.limits)
    extra_vars = [root / v for v in config.var_files] + list(var_files or [])
    cache_dir = default_directory() if cache else None
    project = TerraformProject(root, extra_vars, resource_types(), cache_dir, config.limits)
    with processing(lambda: _label("Terraform", found.terraform, root)):
        project.add_files(found.terraform)
        project.add_files(found.context, context=True)
        builder = Builder(config.settings, _annotations_by_block(project.annotations), limits=config.limits)
        extract_terraform(project, builder)
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
    written_secrets.finish(builder)  # secrets in tags, environment variables, user data; their identities
    inventory.errors.extend(e for e in [*found.problems, *project.errors] if e not in inventory.errors)
    inventory.sensitive.update(project.sensitive)  # values the reporters redact (nhilint/redact.py)
    inventory.unresolved.extend(u for u in project.unresolved if u not in inventory.unresolved)
    known = set(inventory.annotations)  # a plan's --source may have read the same files
    inventory.annotations.extend(a for a in project.annotations if a not in known)
    handled = set(FORMAT_EXTRACTORS)
    others = [p for kind, files in found.other.items() if kind in handled for p in files]
    inventory.files = sorted({project.relative(p) for p in [*found.terraform, *others]} | plan_files)
    explicit = found.named
    return inventory, explicit | plan_files if explicit else explicit


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


def _annotations_by_block(annotations: list[Annotation]) -> dict[Location, list[Annotation]]:
    by_block: dict[Location, list[Annotation]] = {}
    for annotation in annotations:
        by_block.setdefault(annotation.block, []).append(annotation)
    return by_block


def run_rules(inventory: Inventory, config: Config) -> list[Finding]:
    context = Context(inventory, config.settings, config.today, RULE_IDS)
    findings: list[Finding] = []
    for rule in RULES:
        setting = config.rule(rule.id)
        if not setting.enabled:
            continue
        with processing(f"rule {rule.id}"):
            produced = list(rule.check(rule, context))
        for finding in produced:
            if setting.severity is not None and not finding.unknown:
                finding = replace(finding, severity=setting.severity)
            findings.append(finding)
    return findings


def scan(
    paths: list[Path],
    config: Config,
    root: Path | None = None,
    var_files: list[Path] | None = None,
    cache: bool = False,
    inline_suppressions: bool = True,
    plans: list[Path] | None = None,
    plan_source: Path | None = None,
) -> Report:
    """Scan files and directories; return every finding, suppressed finding and the inventory.

    `inline_suppressions=False` is the auditor's view: every `nhilint:ignore` is disregarded.
    `plans`/`plan_source`: Terraform plan JSON files and the `.tf` directory they were made from (see
    build_inventory).
    """
    started = time.perf_counter()
    scan_root = root or default_root([*paths, *(plans or []), *([plan_source] if plan_source else [])])
    with _no_gc():
        inventory, explicit = build_inventory(paths, config, scan_root, var_files, cache, plans, plan_source)
    findings = run_rules(inventory, config)
    if explicit:  # a named file's findings, also where they point into a file it reads (file("admin.json"))
        findings = [f for f in findings if f.location.path in explicit or (f.block and f.block.path in explicit)]
    active = suppress.active(inventory.annotations, config.today, RULE_IDS) if inline_suppressions else []
    findings, silenced = suppress.apply(findings, active)
    findings = sorted(set(findings), key=lambda f: f.sort_key)
    return Report(scan_root, config, inventory, findings, silenced, time.perf_counter() - started)
