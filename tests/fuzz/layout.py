"""How a rendered model is laid out: block order, files, file names and whitespace, none of which may matter.

A Layout is drawn independently of the model: a seed that orders blocks and spreads them over files, and a
Style (indentation, attribute alignment, blank lines, list forms). Two layouts of one model must give the same
findings except for their file and line. The YAML and HCL emitters here are small on purpose: every choice
they make is one a user might make by hand, and each is a Style switch.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class Style:
    indent: int = 2
    align: bool = True  # `terraform fmt` alignment of `=` (HCL) / padded keys
    blank: int = 1  # blank lines between blocks
    seq_indent: bool = False  # YAML: `- item` indented under its key (both forms are valid)
    flow: bool = False  # YAML: short scalar lists as `[a, b]`
    singletons: bool = False  # one action/resource as a bare string rather than a one-element list
    quote_all: bool = False  # YAML: quote every string
    json_indent: int = 2
    trailing_blank: bool = True


@dataclass(frozen=True)
class Layout:
    seed: int
    max_files: int
    style: Style

    def place(self, blocks: list[Any], names: tuple[str, ...]) -> list[tuple[str, list[Any]]]:
        """Shuffle `blocks` and deal them into 1..max_files files named from `names` (never empty files)."""
        rng = random.Random(self.seed)
        order = list(blocks)
        rng.shuffle(order)
        count = max(1, min(self.max_files, len(order), len(names)))
        chosen = rng.sample(list(names), count)
        cuts = sorted(rng.sample(range(1, len(order)), count - 1)) if count > 1 else []
        bounds = [0, *cuts, len(order)]
        return [(chosen[i], order[bounds[i] : bounds[i + 1]]) for i in range(count)]


styles = st.builds(
    Style,
    indent=st.sampled_from((2, 4)),
    align=st.booleans(),
    blank=st.integers(1, 2),
    seq_indent=st.booleans(),
    flow=st.booleans(),
    singletons=st.booleans(),
    quote_all=st.booleans(),
    json_indent=st.sampled_from((1, 2, 4)),
    trailing_blank=st.booleans(),
)
layouts = st.builds(Layout, seed=st.integers(0, 2**16), max_files=st.integers(1, 3), style=styles)
CANONICAL = Layout(0, 1, Style())


def listish(values: tuple[str, ...], style: Style) -> str | list[str]:
    """An IAM Action/Resource value: a bare string for one element when the style says so."""
    return values[0] if style.singletons and len(values) == 1 else list(values)


# --- HCL -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """An HCL expression written as is (a reference, `var.owner`), not quoted."""

    text: str


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def hcl_value(value: Any, level: int, style: Style) -> str:
    pad = " " * (style.indent * (level + 1))
    end = " " * (style.indent * level)
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        if all(isinstance(v, str | Raw) for v in value):
            return "[" + ", ".join(hcl_value(v, level, style) for v in value) + "]"
        items = ",\n".join(pad + hcl_value(v, level + 1, style) for v in value)
        return f"[\n{items}\n{end}]"
    if isinstance(value, dict):
        return "{\n" + hcl_body(value, level + 1, style) + end + "}"
    raise TypeError(type(value))


def hcl_body(attributes: dict[str, Any], level: int, style: Style) -> str:
    pad = " " * (style.indent * level)
    keys = {k: k if _IDENT.fullmatch(k) else json.dumps(k) for k in attributes}
    width = max((len(k) for k in keys.values()), default=0) if style.align else 0
    return "".join(f"{pad}{keys[k].ljust(width)} = {hcl_value(v, level, style)}\n" for k, v in attributes.items())


def hcl_block(header: str, attributes: dict[str, Any], style: Style) -> str:
    return f"{header} {{\n{hcl_body(attributes, 1, style)}}}\n"


def join_blocks(blocks: list[str], style: Style) -> str:
    text = ("\n" * style.blank).join(blocks)
    return text + ("\n" if style.trailing_blank else "")


# --- YAML ------------------------------------------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9_./:*-]*")
_SPECIAL = re.compile(r"(?i)(y|n|yes|no|true|false|on|off|null|~)")


def yaml_scalar(value: Any, style: Style) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if style.quote_all or not _PLAIN.fullmatch(text) or _SPECIAL.fullmatch(text) or ": " in text:
        return json.dumps(text)
    return text


def yaml_lines(value: Any, level: int, style: Style) -> list[str]:
    """Block-style YAML for a mapping or a sequence at `level` (each line without a newline)."""
    pad = " " * (style.indent * level)
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{pad}{yaml_scalar(key, style)}:"
            lines += _nested(head, item, level, style)
        return lines
    for item in value:
        if isinstance(item, dict) and item:
            inner = yaml_lines(item, level + 1, style)
            first = inner[0][len(pad) + style.indent :]
            lines.append(f"{pad}- {' ' * (style.indent - 2)}{first}")
            lines += inner[1:]
        elif isinstance(item, list | dict):
            lines.append(f"{pad}- {'[]' if isinstance(item, list) else '{}'}")
        else:
            lines.append(f"{pad}- {yaml_scalar(item, style)}")
    return lines


def _nested(head: str, item: Any, level: int, style: Style) -> list[str]:
    if isinstance(item, list) and (not item or (style.flow and all(isinstance(i, str) for i in item))):
        return [f"{head} [{', '.join(yaml_scalar(i, style) for i in item)}]"]
    if isinstance(item, dict) and not item:
        return [f"{head} {{}}"]
    if isinstance(item, dict):
        return [head, *yaml_lines(item, level + 1, style)]
    if isinstance(item, list):
        return [head, *yaml_lines(item, level + (1 if style.seq_indent else 0), style)]
    return [f"{head} {yaml_scalar(item, style)}"]


def yaml_document(value: dict[str, Any], style: Style) -> str:
    return "\n".join(yaml_lines(value, 0, style)) + "\n"
