"""Reading and parsing Terraform files into SourceFiles, in worker processes when a scan has many.

Parsing is where a large scan spends its time, so above PARALLEL_THRESHOLD files it runs in a process pool
whose workers return fully converted trees. A file that cannot be read or parsed becomes a ParseError
naming the line and the token type or limit, never its text. Nothing here evaluates.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from pathlib import Path

from nhilint.limits import Limits
from nhilint.model_inputs import ParseError
from nhilint.parse import hcl
from nhilint.parse.cache import ParseCache
from nhilint.parse.hcl import Body, HclLimitError, HclSyntaxError
from nhilint.parse.terraform.records import SourceFile
from nhilint.parse.tfjson_values import JsonSyntaxError

PARALLEL_THRESHOLD = 200  # below this many files, starting worker processes costs more than it saves

ParseTask = tuple[Path, str, Container[str] | None, ParseCache | None, bool, Limits]
"""(path, path relative to the scan root, resource types read, cache, read only for context, limits)"""

Parsed = tuple[str, SourceFile | ParseError]


def parse_files(tasks: list[ParseTask]) -> Iterator[Parsed]:
    """Parse files in order: here one by one, lazily converted; a large scan in worker processes."""
    from nhilint.parse import workers

    jobs = workers.cpus()
    if len(tasks) < PARALLEL_THRESHOLD or jobs < 2:
        for task in tasks:
            yield parse_file(task, lazy=True)
        return
    with workers.process_pool(jobs) as pool:
        yield from pool.map(parse_file, tasks, chunksize=max(1, len(tasks) // (jobs * 8)))


_DECLARATION_RE = re.compile(
    r'^[ \t]*(?:variable|locals|provider|data|module|output)\b|^[ \t]*resource[ \t]+"([^"]+)"', re.M
)


def declares_anything_read(text: str, resource_types: Container[str] | None) -> bool:
    """Whether a file holds a block extraction can use: any declaration, or a resource of a read type."""
    for match in _DECLARATION_RE.finditer(text):
        if match.group(1) is None or resource_types is None or match.group(1) in resource_types:
            return True
    return False


def parse_file(task: ParseTask, lazy: bool = False) -> Parsed:
    """Read and parse one file (in this process, or in a worker that returns a fully converted tree).

    A context file (a sibling of a file named for pre-commit, a called module's file) that declares
    nothing extraction reads is not parsed at all: its findings are not reported, so nothing is lost.
    """
    path, rel, resource_types, cache, context, limits = task
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return rel, ParseError(rel, 1, f"cannot read file: {exc}")

    def keep(type_: str, labels: tuple[str, ...]) -> bool:
        return type_ != "resource" or resource_types is None or (bool(labels) and labels[0] in resource_types)

    if context and path.name.endswith(".tf") and not declares_anything_read(text, resource_types):
        return rel, SourceFile(rel, Body({}, []), text.splitlines())
    if cache is not None and path.name.endswith(".tf.json"):
        cache = cache.variant("json", cache.holds_secret)  # the same text read as HCL is another tree, or an error
    cached = cache.get(text) if cache is not None else None
    if cached is not None:
        return rel, SourceFile(rel, cached, text.splitlines())
    try:
        if path.name.endswith(".tf.json"):
            from nhilint.parse.tfjson import body_from_json  # PyYAML (for line numbers): only with such a file

            body = body_from_json(text, limits)
        else:
            body = hcl.parse_hcl(text, keep, lazy and cache is None, limits)
    except HclSyntaxError as exc:
        return rel, ParseError(rel, exc.line, exc.reason)
    except JsonSyntaxError as exc:
        return rel, ParseError(rel, exc.lineno, exc.reason)
    except HclLimitError as exc:
        return rel, ParseError(rel, exc.line, exc.reason, "limit")
    except RecursionError:  # a shape the depth check does not measure: still never a crash
        return rel, ParseError(rel, 1, f"{limits.describe('max_depth')} exceeded: nested too deeply", "limit")
    if cache is not None:
        cache.put(text, body)
    return rel, SourceFile(rel, body, text.splitlines())
