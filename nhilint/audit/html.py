"""report.html: one self-contained page a security lead opens from disk (Jinja2 template shipped in the
package, inline CSS, inline SVG charts drawn here, a few KB of plain JavaScript for sorting and filtering; no
CDN, no fonts, no request of any kind). Autoescaped: every name in it comes from the audited code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from nhilint.audit.summary import Aggregate

BAR_HEIGHT, LABEL_WIDTH, BAR_WIDTH = 20, 260, 330
LABEL_CHARS = 34  # longer labels are cut, the full text in a tooltip
TOP_REPOSITORIES = 15
REASON_LABELS = {
    "admin": "admin",
    "escalation": "can escalate",
    "secret_in_code": "secret in code",
    "third_party_trust": "third-party trust",
    "long_lived_key": "long-lived key",
    "no_owner": "no owner",
    "stale": "stale",
}


def _svg(title: str, width: int, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def bar_chart(title: str, items: list[tuple[str, float, str]], maximum: float | None = None) -> Markup:
    """Horizontal bars: (label, value, text shown after the bar)."""
    if not items:
        return Markup('<p class="empty">None.</p>')
    top = maximum if maximum is not None else max(value for _, value, _ in items) or 1
    body = []
    for row, (label, value, shown) in enumerate(items):
        y = row * (BAR_HEIGHT + 6)
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        length = max(1.0, BAR_WIDTH * value / top) if value else 0
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">'
            f"{escape(short)}<title>{escape(label)}</title></text>"
            f'<rect class="track" x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}"/>'
            f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}">'
            f"<title>{escape(label)}: {escape(shown)}</title></rect>"
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 15}">{escape(shown)}</text>'
        )
    return _svg(title, LABEL_WIDTH + BAR_WIDTH + 90, len(items) * (BAR_HEIGHT + 6), body)


def column_chart(title: str, items: list[tuple[str, int]]) -> Markup:
    """Vertical columns with the label below and the count above each."""
    width, gap, height = 70, 12, 160
    top = max((value for _, value in items), default=0) or 1
    body = []
    for index, (label, value) in enumerate(items):
        x = index * (width + gap)
        size = height * value / top
        body.append(
            f'<rect class="bar" x="{x}" y="{20 + height - size:.1f}" width="{width}" height="{size:.1f}">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text x="{x + width / 2}" y="{14 + height - size:.1f}" text-anchor="middle">{value}</text>'
            f'<text x="{x + width / 2}" y="{height + 38}" text-anchor="middle" class="small">{escape(label)}</text>'
        )
    return _svg(title, len(items) * (width + gap), height + 46, body)


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def charts(figures: Aggregate) -> dict[str, Markup]:
    summary = figures.summary()
    coverage = summary["coverage"]
    names = {
        "owner_declared": "owner declared",
        "owner_suggested": "owner known or suggested",
        "expires": "expiry or review date",
        "retire_on": "retirement hook",
    }
    repositories = list(summary["findings_by_repository"].items())[:TOP_REPOSITORIES]
    return {
        "coverage": bar_chart(
            "Coverage across the organisation",
            [(names[k], v["percent"] or 0.0, f"{v['percent'] or 0:.0f}% ({v['count']})") for k, v in coverage.items()],
            maximum=100.0,
        ),
        "rules": bar_chart("Findings by rule", [(k, v, str(v)) for k, v in summary["findings_by_rule"].items()]),
        "repositories": bar_chart("Findings by repository", [(k, v, str(v)) for k, v in repositories]),
        "owasp": bar_chart(
            "Findings by OWASP NHI Top 10 item",
            [(v["title"], v["count"], str(v["count"])) for v in summary["findings_by_owasp"].values()],
        ),
        "age": column_chart("Age of identities", list(summary["age"].items())),
    }


def _when(change: dict[str, Any] | None) -> str:
    return f"{change['date'][:10]} {change['author']['name']}" if change else ""


def table_row(identity: dict[str, Any]) -> Markup:
    """One line of the identity table. Built here rather than in the template: a table of thousands of rows
    renders several times faster, and every value still goes through `escape`."""
    e = escape
    age = identity["age_days"]
    owner = identity["owner"]
    where = f"{identity['file']}:{identity['line']}"
    return Markup(
        f'<tr data-repository="{e(identity["repository"])}" data-from="{e(owner["suggested_from"] or "none")}" '
        f'data-stale="{"true" if identity["stale"] else "false"}">'
        f'<td class="num">{identity["risk"]["score"]:d}</td><td>{e(identity["repository"])}</td>'
        f'<td class="mono" title="{e(identity["id"])}">{e(identity["address"])}</td><td>{e(identity["kind"])}</td>'
        f'<td class="mono" data-value="{e(identity["file"])}:{identity["line"]:09d}">{e(where)}</td>'
        f"<td>{e(owner['suggested'] or '')}</td><td>{e(owner['suggested_from'] or 'none')}</td>"
        f"<td>{e(_when(identity['created']))}</td><td>{e(_when(identity['last_changed']))}</td>"
        f'<td class="num" data-value="{-1 if age is None else int(age)}">{"" if age is None else int(age)}</td>'
        f'<td>{"yes" if identity["stale"] else ""}</td><td class="mono">{e(" ".join(identity["findings"]))}</td>'
        f'<td class="mono">{e(identity["blast_radius"]["reaches"])}</td></tr>\n'
    )


def _rows(records: Callable[[], Iterator[dict[str, Any]]]) -> Iterator[Markup]:
    for record in records():
        for identity in record["identities"]:
            yield table_row(identity)


def write_report(
    path: Path,
    options: dict[str, Any],
    figures: Aggregate,
    repositories: list[dict[str, Any]],
    records: Callable[[], Iterator[dict[str, Any]]],
) -> None:
    """Render the template to `path`, streaming the identity table from `records`."""
    import jinja2  # imported only by the audit

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("nhilint.audit", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["percent"] = _percent
    template = environment.get_template("report.html.j2")
    stream = template.stream(
        options=options,
        summary=figures.summary(),
        riskiest=figures.riskiest(),
        owners=figures.owners(),
        charts=charts(figures),
        repositories=repositories,
        identities=lambda: _rows(records),
        reasons=REASON_LABELS,
    )
    stream.enable_buffering(size=64)
    stream.dump(str(path), encoding="utf-8")
