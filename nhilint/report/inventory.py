"""The inventory as a terminal table, CSV or Markdown: what each identity is, who owns it, when it goes."""

from __future__ import annotations

import csv
import io
import textwrap
from collections.abc import Sequence
from itertools import zip_longest

from nhilint.analysis_view import RouteView
from nhilint.model import Fact, Identity, Inventory, Unknown
from nhilint.redact import for_inventory
from nhilint.report.escape import csv_cell, markdown_cell, printable
from nhilint.report.readable import readable
from nhilint.result import Report
from nhilint.values import readable_symbols


def _fact(fact: Fact | None) -> str:
    if fact is None:
        return "-"
    if isinstance(fact.value, Unknown):
        return "?"
    return fact.value


def rows(report: Report) -> list[dict[str, str]]:
    """One row per identity; `reaches` and `can_become` are the blast radius in short (analyse/blast.py)."""
    inventory, blast = report.inventory, report.analysis.blast_complete
    out = []
    for identity in sorted(inventory.identities.values(), key=lambda i: (i.location, i.id)):
        row = _row(identity, inventory)
        row["reaches"] = blast.reach(identity.id).summary()
        row["can_become"] = routes_summary(blast.routes(identity.id))
        out.append(row)
    # values from the code, redacted before any format sees them
    return readable(for_inventory(inventory).document(out))


def routes_summary(routes: Sequence[RouteView], limit: int = 2) -> str:
    """`aws_iam_role.deploy aws_iam_role.ops +3`, `*` first when some route is unbounded: the text form."""
    short = {"*" if r.unbounded else r.target.split(":", 1)[-1].rsplit("/", 1)[-1] for r in routes}
    names = sorted(short, key=lambda n: (n != "*", n))
    shown = " ".join(names[:limit])
    return (shown + (f" +{len(names) - limit}" if len(names) > limit else "")) or "-"


def _row(identity: Identity, inventory: Inventory) -> dict[str, str]:
    lifecycle = identity.lifecycle
    grants = inventory.grants_of(identity.id)
    permissions = sorted({p for g in grants for p in g.permissions})
    return {
        "identity": identity.id,
        "kind": identity.kind,
        "file": f"{identity.location.path}:{identity.location.start_line}",
        "owner": _fact(lifecycle.owner),
        "purpose": _fact(lifecycle.purpose),
        "expires": _fact(lifecycle.expires),
        "retire_on": _fact(lifecycle.retire_on),
        "credentials": " ".join(c.kind for c in inventory.credentials_of(identity.id)) or "-",
        "grants": str(len(grants)),
        "permissions": " ".join(permissions[:6]) + (" …" if len(permissions) > 6 else "") or "-",
        "trusted_by": " ".join(
            sorted({str(p.identifier) for t in inventory.trusts_of(identity.id) for p in t.principals})
        )
        or "-",
        "used_by": " ".join(sorted({u.workload for u in inventory.usages_of(identity.id)})) or "-",
    }


COLUMNS = (
    "identity",
    "kind",
    "owner",
    "expires",
    "retire_on",
    "credentials",
    "grants",
    "used_by",
    "reaches",
    "can_become",
)


def render_table(report: Report) -> str:
    """Aligned columns; the identity column is as wide as the longest id, and a long cell wraps at spaces onto
    continuation lines instead of being cut (an id inside a cell is never split)."""
    data = rows(report)
    if not data:
        return "no identities found\n"
    cells = [{c: _wrap(row[c], None if c == "identity" else WRAP) for c in COLUMNS} for row in data]
    widths = {c: max(len(c), *(len(part) for cell in cells for part in cell[c])) for c in COLUMNS}
    lines = ["  ".join(c.upper().ljust(widths[c]) for c in COLUMNS).rstrip()]
    for cell in cells:
        for parts in zip_longest(*(cell[c] for c in COLUMNS), fillvalue=""):
            lines.append("  ".join(part.ljust(widths[c]) for c, part in zip(COLUMNS, parts, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


WRAP = 60


def _wrap(text: str, width: int | None) -> list[str]:
    text = printable(text)  # a name with a newline or an ANSI escape cannot forge rows
    if width is None or len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [text]


def render_csv(report: Report) -> str:
    data = rows(report)
    buffer = io.StringIO()
    fields = list(data[0].keys()) if data else ["identity"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows({field: csv_cell(value) for field, value in row.items()} for row in data)
    return buffer.getvalue()


def render_markdown(report: Report) -> str:
    data = rows(report)
    columns = (
        "identity",
        "kind",
        "file",
        "owner",
        "expires",
        "retire_on",
        "credentials",
        "used_by",
        "reaches",
        "can_become",
    )
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in data:
        lines.append("| " + " | ".join(markdown_cell(row[c]) for c in columns) + " |")
    return "\n".join(lines + _documents_markdown(report.inventory)) + "\n"


def _documents_markdown(inventory: Inventory) -> list[str]:
    """The permission documents and who uses them, after the identities (none: the table is left out)."""
    if not inventory.documents:
        return []
    lines = ["", "| document | kind | file | attached_to |", "|---|---|---|---|"]
    for document in sorted(inventory.documents.values(), key=lambda d: (d.location, d.id)):
        unknown = document.attachment_unknown
        otherwise = f"unknown: {readable_symbols(unknown)}" if unknown else "nothing in the scan"
        used = ", ".join(document.attached_to) or otherwise
        cells = (document.id, document.kind, str(document.location), used)
        lines.append("| " + " | ".join(markdown_cell(c) for c in cells) + " |")
    return lines
