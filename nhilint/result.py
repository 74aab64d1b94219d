"""What a scan is asked (`ScanOptions`) and what it returns (`Report`): the values api, steps and reporters share.

A Report is immutable: the library steps (baseline, new-only comparison, checkov) each return a new one made
with `dataclasses.replace`, so a report that was handed to a reporter or kept by a caller never changes under
them. It lives below api and report/ so that reporters read it (and its analysis, through the Protocol in
nhilint.analysis_view) without importing the pipeline or analyse/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from nhilint.analysis_view import AnalysisView
from nhilint.config import Config
from nhilint.model import Finding, Inventory, Severity, Suppressed
from nhilint.model_inputs import ParseError

if TYPE_CHECKING:
    from nhilint.access_diff import Change
    from nhilint.baseline import StaleEntry
    from nhilint.rules.base import Rule


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """How to scan, besides the paths and the configuration: what `nhilint scan` options set.

    `var_files`: Terraform variables files beside the config's; `variables`: `-var NAME=VALUE` pairs. `plans`:
    Terraform plan JSON files (`--plan`), attributed to the `.tf` directory `plan_source` when given. `cache`:
    keep parsed files in the user's cache directory (nhilint.parse.cache). `inline_suppressions=False` is the
    auditor's view: every `nhilint:ignore` is disregarded. `today`: evaluate expiry as of this date instead of
    the config's. `all_tracked`: every file under the root is a commit's (an audit checkout, the `--new-only`
    base), so `.gitignore` files exclude nothing, as git never ignores a tracked file.
    """

    var_files: tuple[Path, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()  # `-var NAME=VALUE`, in order: applied after every var file
    plans: tuple[Path, ...] = ()
    plan_source: Path | None = None
    cache: bool = False
    inline_suppressions: bool = True
    today: date | None = None
    all_tracked: bool = False  # a commit's checkout: `.gitignore` excludes nothing (nhilint.discover)


DEFAULT_OPTIONS = ScanOptions()  # what a scan does when asked nothing else


@dataclass(frozen=True, slots=True)
class Report:
    """One scan's result: the inventory, its analysis, the findings and what was set aside."""

    root: Path
    config: Config
    inventory: Inventory
    analysis: AnalysisView
    findings: tuple[Finding, ...] = ()
    suppressed: tuple[Suppressed, ...] = ()
    seconds: float = 0.0
    # Set only by the steps that compute them (None: not asked): findings already known to a baseline file
    # or the merge base, stale baseline entries, and access changes against the merge base.
    baselined: tuple[Finding, ...] | None = None
    stale_baseline: tuple[StaleEntry, ...] | None = None
    changes: tuple[Change, ...] | None = None
    # Rules of other tools whose findings this report holds (checkov checks by id), so that reporters can
    # describe them as they describe nhilint's own rules.
    external_rules: Mapping[str, Rule] = field(default_factory=dict)
    # What was scanned and how: the steps that scan again (new-only's merge base, checkov) read them.
    paths: tuple[Path, ...] = ()
    options: ScanOptions = DEFAULT_OPTIONS

    def failing(self, threshold: Severity | None = None) -> list[Finding]:
        limit = self.config.fail_on if threshold is None else threshold
        return [f for f in self.findings if f.severity >= limit]


def parse_errors(inventory: Inventory) -> list[ParseError]:
    """The inputs that could not be read or evaluated in full, what outputs count as parse errors: the
    inventory's errors without the NHI-PARSE-009 notes (a reusable module evaluated with its variables'
    defaults is said beside them, but nothing failed to parse)."""
    return [error for error in inventory.errors if error.kind != "module-defaults"]
