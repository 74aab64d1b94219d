"""`# nhilint:verb text` comments in Terraform files, each attached to the top-level block it is above or in."""

from __future__ import annotations

import re

from nhilint.model import Location
from nhilint.model_inputs import Annotation
from nhilint.parse.hcl import Block, Body

_ANNOTATION_RE = re.compile(r"(?:^|\s)(?:#|//|/\*)\s*nhilint:([a-z-]+)\b[ \t]*(.*?)\s*(?:\*/)?\s*$")
_COMMENT_RE = re.compile(r"^\s*(#|//|/\*|\*)")


def comment_annotations(path: str, body: Body, text_lines: list[str]) -> list[Annotation]:
    """`# nhilint:verb text` comments, each attached to the top-level block it is above or inside."""
    found: list[tuple[int, str, str]] = []
    for number, text in enumerate(text_lines, start=1):
        if "nhilint:" in text:
            match = _ANNOTATION_RE.search(text)
            if match:
                found.append((number, match.group(1), match.group(2)))
    if not found:
        return []
    blocks = [b for b in body.blocks if b.type in ("resource", "data", "module")]
    result: list[Annotation] = []
    for number, verb, text in found:
        target = _block_for_comment(text_lines, blocks, number)
        if target is None:
            continue
        result.append(
            Annotation(
                verb,
                text,
                Location(path, number, number),
                Location(path, target.line, target.end_line),
            )
        )
    return result


def _block_for_comment(lines: list[str], blocks: list[Block], line: int) -> Block | None:
    for block in blocks:
        if block.line <= line <= block.end_line:
            return block
    below = line + 1
    while below <= len(lines) and _COMMENT_RE.match(lines[below - 1]):
        below += 1
    for block in blocks:
        if block.line == below:
            return block
    return None
