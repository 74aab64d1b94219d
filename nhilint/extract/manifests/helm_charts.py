"""Helm charts: rendered by `helm template` (offline, sandboxed: nhilint.parse.helm) and read like manifests.

Discovery finds each `Chart.yaml`; a subchart is rendered with its parent. When `helm` is on PATH the chart
is rendered with its default values and its objects are read as any manifest's, each pointing at the
template it came from. When helm is not installed, or refuses or fails, the chart is reported once, on its
`Chart.yaml`, as not rendered, with the reason (NHI-PARSE-002, or NHI-PARSE-004 for output over the
limit), so a clean result cannot hide it. Either way the chart is accounted for as a whole, so its
templates' "render it first" parse errors (NHI-PARSE-001, one per template) are withdrawn: a chart is one
unit that is rendered or not, not a set of broken YAML files. Other parse errors of its files stay.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from nhilint.extract.builder import Builder
from nhilint.extract.manifests.objects import Batch, _link, _relative, _state, read_object, reads_body
from nhilint.extract.manifests.source import Source
from nhilint.model import Location
from nhilint.model_inputs import ParseError, is_outside_root
from nhilint.parse import helm
from nhilint.parse.kubernetes import TEMPLATE_REASON, parse_text
from nhilint.parse.kustomize import OverLimit

NOT_INSTALLED = "not rendered: helm is not installed (nhilint runs it offline if it is)"


def extract_charts(paths: list[Path], root: Path, builder: Builder) -> None:
    """Render each chart found (its `Chart.yaml`), or note why it was not rendered."""
    state, batch = _state(builder), Batch()
    executable = shutil.which("helm")
    for chart in helm.chart_directories(paths):
        path = _relative(chart / "Chart.yaml", root)
        where = Location(path, 1, 1)
        what = f"Helm chart {_relative(chart, root)}"
        _withdraw_template_errors(builder, _relative(chart, root))
        if executable is None:
            builder.unresolved(what, NOT_INSTALLED, where)
            continue
        rendered = helm.render(executable, chart, root, builder.limits)
        if isinstance(rendered, OverLimit):
            builder.inventory.errors.append(rendered.error(path))
            continue
        if isinstance(rendered, str):
            if is_outside_root(rendered):  # a safety event (NHI-PARSE-006), not only a note
                builder.inventory.errors.append(ParseError(path, 1, f"{what} not rendered: {rendered}", "outside-root"))
            else:
                builder.unresolved(what, f"not rendered: {rendered}", where)
            continue
        manifest = parse_text(rendered.text, path, limits=builder.limits, reads=reads_body)
        if manifest.error is not None:
            builder.unresolved(what, f"rendered output not read: {manifest.error.reason}", where)
            continue
        for obj in manifest.objects:
            template = rendered.source_of(obj.location.start_line)
            at = _relative(template, root) if template is not None else path
            read_object(obj, Source(Location(at, 1, 1)), builder, state, batch, rendered=True)
    _link(builder, state, batch)


def _withdraw_template_errors(builder: Builder, chart: str) -> None:
    """The chart is rendered or reported as a whole: its templates' "render it first" errors would repeat that."""
    prefix = "" if chart == "." else chart.rstrip("/") + "/"
    errors = builder.inventory.errors
    errors[:] = [
        e
        for e in errors
        if not (e.reason == TEMPLATE_REASON and e.path.startswith(prefix) and "templates/" in e.path[len(prefix) :])
    ]
