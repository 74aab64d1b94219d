"""How deeply a JSON text nests, found by counting brackets, before a recursive parser sees it.

`json.loads`, the YAML composer and the tree walks after them recurse once per nesting level; a file of
600 nested brackets must be reported (max_depth, NHI-PARSE-004), not crash the scan with RecursionError.
"""

from __future__ import annotations


def json_depth(text: str, limit: int | None = None) -> tuple[int, int]:
    """(deepest nesting, the line it is reached on); stops early once `limit` is exceeded. Strings are skipped."""
    depth = deepest = 0
    line = deepest_line = 1
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            elif ch == "\n":
                line += 1
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest, deepest_line = depth, line
                if limit is not None and deepest > limit:
                    break
        elif ch in "]}":
            depth -= 1
        elif ch == "\n":
            line += 1
    return deepest, deepest_line
