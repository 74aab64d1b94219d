"""Kubernetes manifests: YAML (multi-document) and JSON streams -> one record per API object, with its lines.

A document that is not a mapping with `apiVersion` and `kind` is skipped (an empty document, a values file
that happens to sit next to manifests); `List` kinds (`kind: List`, `kind: RoleList` from `kubectl get -o
yaml`) are unpacked into their `items`. A file that does not parse is one ParseError with the line the
loader stopped at, never an exception, so every other file is still scanned.

Helm and other Go templates are not YAML until rendered: their `{{ … }}` actions sit where YAML expects
structure, and what they render to is unknowable here. Such a file is reported ("render it first") rather
than half-read. A `{{` that is only data, inside a string (a Prometheus alert template in a ConfigMap or a
PrometheusRule), does not make the file a template: the check runs on YAML tokens, not on the raw text, and
looks for an action where YAML expects structure (`{{- if … }}`, `name: {{ … }}`). Any `{{` in a file under
a Helm chart's `templates/` directory, one naming Helm's built-in objects (`.Values`, `.Release`,
`include`…), or one in a file that is not even YAML tokens, does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.model import Location
from nhilint.model_inputs import ParseError
from nhilint.parse.yamlmarks import LOADER, KeyPath, load_all_located
from nhilint.values import LDict

TEMPLATE_REASON = "Helm/Go template: render it first (helm template …) and scan the output"
# Helm's own objects and functions (`template`/`define` are plain Go templates, as in Alertmanager configs).
_HELM_RE = re.compile(
    r"\{\{-?\s*(?:\.(?:Values|Release|Chart|Capabilities|Files|Template)\b|"
    r"(?:include|tpl|toYaml|required|lookup)\s)"
)


@dataclass(frozen=True, slots=True)
class K8sObject:
    """One API object: its `apiVersion`, `kind`, the whole mapping, and the lines it spans."""

    api_version: str
    kind: str
    body: LDict
    location: Location

    @property
    def group(self) -> str:
        """The API group (`""` for the core group of `v1`)."""
        return self.api_version.rpartition("/")[0]


# RBAC lists where a repeated key would hide a grant: the union is what the object may grant.
_RULE_LISTS = frozenset({"verbs", "resources", "apiGroups", "resourceNames", "nonResourceURLs"})
_OBJECT_LISTS = frozenset({"rules", "subjects"})


@dataclass(slots=True)
class ManifestFile:
    path: str
    objects: list[K8sObject] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)  # what was not read, keys written twice
    lines: list[str] = field(default_factory=list)  # the text, to find where nested mappings end (`span`)

    @property
    def error(self) -> ParseError | None:
        """The first problem that kept part of the file from being read (duplicates are read all the same)."""
        return next((e for e in self.errors if e.kind != "duplicate-key"), None)


Reads = Callable[[str, str], bool]
"""Whether a reader looks past the `metadata` of an object of this (apiVersion, kind). The others are skimmed:
checked for bounds and repeated keys like every document, but their body is not built (a large
CustomResourceDefinition, a dashboard in a ConfigMap nobody reads). A large file of such objects only is checked
on the parser's events without composing it (nhilint.parse.manifest_skim)."""


def parse_file(file: Path, path: str, limits: Limits = DEFAULT_LIMITS, reads: Reads | None = None) -> ManifestFile:
    """Read and parse one manifest file; `path` is its name relative to the scan root (POSIX)."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ManifestFile(path, errors=[ParseError(path, 1, "cannot read the file: not UTF-8 text", "unreadable")])
    except OSError as exc:
        reason = f"cannot read the file: {exc.strerror or type(exc).__name__}"
        return ManifestFile(path, errors=[ParseError(path, 1, reason, "unreadable")])
    return parse_text(text, path, in_chart=in_helm_chart(file), limits=limits, reads=reads)


ParseTask = tuple[Path, str, Limits, Reads | None]
"""(file, its path relative to the scan root, limits, which objects are built whole): `parse_file`'s arguments"""
PARALLEL_BYTES = 4 << 20  # below this much text, a worker process costs more than it saves


def parse_files(tasks: Sequence[ParseTask]) -> Iterator[ManifestFile]:
    """`parse_file` for each task, in order, each file parsed as the one before it is used. With more than
    PARALLEL_BYTES to read and more than one CPU, the tasks are cut into runs of about equal size: this process
    parses the first while workers parse the rest (a few large files, CRDs or dashboards, are most of a large
    tree's parsing)."""
    from nhilint.parse import workers

    jobs = workers.cpus()
    sizes = [_size(task[0]) for task in tasks] if jobs > 1 else []
    runs = _runs(tasks, sizes, jobs) if sum(sizes) >= PARALLEL_BYTES else []
    if len(runs) < 2:
        yield from (parse_file(*task) for task in tasks)
        return
    with workers.process_pool(len(runs) - 1) as pool:
        futures = [pool.submit(_parse_run, run) for run in runs[1:]]
        yield from (parse_file(*task) for task in runs[0])
        for future in futures:
            yield from future.result()


def _parse_run(tasks: list[ParseTask]) -> list[ManifestFile]:
    return [parse_file(*task) for task in tasks]


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:  # parse_file reports it
        return 0


def _runs(tasks: Sequence[ParseTask], sizes: list[int], count: int) -> list[list[ParseTask]]:
    """Consecutive runs of tasks, at most `count`, each about an equal share of the bytes."""
    share = sum(sizes) / count
    runs: list[list[ParseTask]] = [[]]
    total = 0
    for task, size in zip(tasks, sizes, strict=True):
        if total + size / 2 > share * len(runs) and len(runs) < count:  # most of the task past the share
            runs.append([])
        runs[-1].append(task)
        total += size
    return [run for run in runs if run]


def parse_text(
    text: str, path: str, in_chart: bool = False, limits: Limits = DEFAULT_LIMITS, reads: Reads | None = None
) -> ManifestFile:
    """Parse manifest text; objects carry locations in `path`. Each document is read within the limits on
    its own, so one hostile document (or a syntax error late in the stream) keeps the others' objects.
    `reads`: which objects are built whole (default: all); the others only to their `metadata`."""
    from nhilint.parse import manifest_skim

    if "{{" in text:
        line = template_line(text, in_chart)
        if line is not None:
            return ManifestFile(path, errors=[ParseError(path, line, TEMPLATE_REASON)])
    stream = None
    if reads is not None and manifest_skim.worth_trying(text, reads):  # objects nobody reads, from events
        stream = manifest_skim.skim_stream(text, limits, reads)
    if stream is None:
        stream = load_all_located(text, limits, rbac_broader, _skim(reads) if reads is not None else None)
    lines = text.splitlines()
    result = ManifestFile(path, lines=lines)
    for problem in stream.problems:
        reason = problem.reason if problem.kind == "limit" else f"invalid YAML: {problem.reason}"
        result.errors.append(ParseError(path, problem.line, reason, "limit" if problem.kind == "limit" else "syntax"))
    for document in stream.documents:
        result.errors.extend(ParseError(path, d.line, d.reason, "duplicate-key") for d in document.duplicates)
        _collect(document.value, path, lines, result.objects)
    return result


def _skim(reads: Reads) -> Callable[[yaml.Node], frozenset[str] | None]:
    from nhilint.parse import manifest_skim  # its keys: what a skimmed object is built to

    def skim(node: yaml.Node) -> frozenset[str] | None:
        if not isinstance(node, yaml.MappingNode):
            return None
        top = {k.value: v for k, v in node.value if type(k) is yaml.ScalarNode and k.value in ("apiVersion", "kind")}
        api_version, kind = top.get("apiVersion"), top.get("kind")
        if type(api_version) is not yaml.ScalarNode or type(kind) is not yaml.ScalarNode:
            return None
        if kind.value.endswith("List") or reads(str(api_version.value), str(kind.value)):
            return None
        return manifest_skim.KEPT

    return skim


def rbac_broader(path: KeyPath, mapping: LDict, repeated: dict[str, list[Any]]) -> dict[str, str]:
    """Repeated keys of a manifest: RBAC lists (`rules`, `subjects`, and a rule's `verbs`, `resources`,
    `apiGroups`, `resourceNames`, `nonResourceURLs`) become the union of their values, the broader grant, so
    a second `verbs:` cannot hide the first from review; any other key keeps its last value, as kubectl."""
    in_rule = len(path) >= 2 and path[-2] == "rules" and isinstance(path[-1], int)
    how: dict[str, str] = {}
    for key, values in repeated.items():
        if ((key in _OBJECT_LISTS) or (in_rule and key in _RULE_LISTS)) and all(isinstance(v, list) for v in values):
            union: list[Any] = []
            for value in values:
                union.extend(item for item in value if item not in union)
            mapping[key] = union
            how[key] = "the union of the values is evaluated (the broader grant)"
        else:
            how[key] = "the last value is used, as kubectl does"
    return how


def _collect(value: object, path: str, lines: list[str], out: list[K8sObject]) -> None:
    if not isinstance(value, LDict):
        return
    api_version, kind = value.get("apiVersion"), value.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not api_version or not kind:
        return
    items = value.get("items")
    if kind.endswith("List") and isinstance(items, list):
        for item in items:
            _collect(item, path, lines, out)
        return
    start, end = span(value, lines)
    out.append(K8sObject(api_version, kind, value, Location(path, start, end)))


def span(node: LDict, lines: list[str]) -> tuple[int, int]:
    """The first and last line a mapping is written on.

    The loader's end mark is where the *next* token starts: the line of the following `---`, list item or
    key, and trailing blank and comment lines are inside it. Those are trimmed here, so a suppression or a
    finding range covers the object and nothing after it.
    """
    start = node.line
    end = min(node.end_line, len(lines))
    if end <= start:
        return start, max(start, end)
    first = lines[start - 1]
    column = len(first) - len(first.lstrip(" -"))  # where the mapping's keys start (after `- ` of an item)
    while end > start:
        text = lines[end - 1]
        stripped = text.strip()
        indent = len(text) - len(text.lstrip(" "))
        if (
            not stripped
            or stripped.startswith("#")
            or stripped in ("---", "...")
            or (indent < column and not stripped.startswith(("}", "]")))
        ):
            end -= 1
            continue
        break
    return start, end


def template_line(text: str, in_chart: bool = False) -> int | None:
    """The line of the first Go-template action that is not plain string data, or None."""
    for number, line in enumerate(text.splitlines(), 1):
        if "{{" in line and (in_chart or _HELM_RE.search(line)):
            return number
    try:
        for token in yaml.scan(text, Loader=LOADER):
            if isinstance(token, yaml.FlowMappingStartToken) and text.startswith("{{", token.start_mark.index):
                return int(token.start_mark.line) + 1
    except yaml.YAMLError as exc:  # a template that is not even YAML tokens
        mark = getattr(exc, "problem_mark", None)
        return _first_marker(text, mark.line + 1 if mark is not None else None)
    return None


def _first_marker(text: str, near: int | None) -> int:
    numbers = [n for n, line in enumerate(text.splitlines(), 1) if "{{" in line]
    if near is not None:
        before = [n for n in numbers if n <= near]
        if before:
            return before[-1]
    return numbers[0] if numbers else (near or 1)


def in_helm_chart(file: Path) -> bool:
    """Whether a file sits under a chart's `templates/` directory (a `Chart.yaml` beside that directory)."""
    return any(parent.name == "templates" and (parent.parent / "Chart.yaml").is_file() for parent in file.parents)
