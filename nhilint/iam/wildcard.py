"""IAM action patterns matched as fnmatch matches them, without a regex for the common forms.

Why: policies are mostly exact actions, `*`, `service:*` and `service:Get*`; a string test answers those
far faster than compiling (and calling) fnmatch's regex. The other forms (`?`, `[`, an inner `*`) use
fnmatch's own translation, compiled once per pattern, so every answer is `fnmatch.fnmatchcase(key, pattern)`
(tests/iam/test_wildcard.py). Patterns and keys are compared as given: callers lower-case both.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable

_WILD = frozenset("*?[")  # what fnmatch reads specially


@functools.lru_cache(maxsize=8192)
def any_of(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a key matches any of the patterns: an exact set, one `startswith` over every prefix, then regexes."""
    exact: set[str] = set()
    prefixes: list[str] = []
    regexes: list[Callable[[str], re.Match[str] | None]] = []
    for pattern in patterns:
        if _WILD.isdisjoint(pattern):
            exact.add(pattern)
        elif pattern.endswith("*") and _WILD.isdisjoint(pattern[:-1]):
            prefixes.append(pattern[:-1])
        else:
            regexes.append(_regex(pattern))
    starts = tuple(prefixes)
    if "" in starts:
        return lambda key: True
    found = frozenset(exact)
    if not regexes:
        return lambda key: key in found or key.startswith(starts)
    return lambda key: key in found or key.startswith(starts) or any(r(key) is not None for r in regexes)


def one(pattern: str) -> Callable[[str], bool]:
    """Whether a key matches the pattern (cached as a one-pattern set)."""
    return any_of((pattern,))


@functools.lru_cache(maxsize=4096)
def _regex(pattern: str) -> Callable[[str], re.Match[str] | None]:
    return re.compile(fnmatch.translate(pattern)).match
