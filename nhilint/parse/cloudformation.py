"""CloudFormation and SAM templates (YAML or JSON) -> a format-neutral `Template` with lines.

Only the reading happens here: parameters, conditions, mappings, SAM `Globals` and resources, each resource
with the location a user edits (its logical-id key to the end of its mapping), plus the inline suppressions
written as YAML comments or `Metadata.nhilint.ignore`. Intrinsic functions are evaluated by `cfn_eval`;
what a resource means is decided by the extractor. A file that does not parse raises `TemplateError`
with the line to show; a YAML/JSON file that is not a template at all gives None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.model import Location
from nhilint.model_inputs import Annotation, InputProblem, ParseError
from nhilint.parse.policy_merge import broader
from nhilint.parse.yamlmarks import KeyPath, LimitError, error_line, keep_both, load_document, syntax_reason
from nhilint.values import LDict

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_ANNOTATION_RE = re.compile(r"(?:^|\s)#\s*nhilint:([a-z-]+)\b[ \t]*(.*?)\s*$")
_COMMENT_RE = re.compile(r"^\s*#")


class TemplateError(ValueError):
    """A template that cannot be read: the line to point at and the reason."""

    def __init__(self, line: int, reason: str, kind: InputProblem = "syntax") -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason
        self.kind: InputProblem = kind


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    type: str
    default: Any  # None when the parameter has no Default
    has_default: bool
    no_echo: bool
    location: Location
    default_line: int


@dataclass(frozen=True, slots=True)
class Resource:
    logical_id: str
    type: str
    properties: LDict
    metadata: LDict | None
    condition: str | None
    location: Location


@dataclass(slots=True)
class Template:
    path: str  # relative to the scan root, POSIX
    parameters: dict[str, Parameter] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    transforms: tuple[str, ...] = ()
    globals: LDict = field(default_factory=LDict)
    outputs: LDict = field(default_factory=LDict)  # read for secrets written as an output's Value
    annotations: list[Annotation] = field(default_factory=list)
    lines: list[str] = field(default_factory=list, repr=False)  # the text, to find where mappings end
    problems: list[tuple[int, str]] = field(default_factory=list)  # resources that cannot be read
    errors: list[ParseError] = field(default_factory=list)  # keys written twice; limits hit while evaluating
    limits: Limits = DEFAULT_LIMITS
    # valid constructs nhilint does not expand: (line, what, why), each reported as not scanned (NHI-PARSE-002)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def sam(self) -> bool:
        return SAM_TRANSFORM in self.transforms


def read_template(file: Path, path: str, limits: Limits = DEFAULT_LIMITS) -> Template | None:
    """Read and parse one file; TemplateError when it cannot be read or parsed."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateError(1, "not UTF-8 text", "unreadable") from exc
    except OSError as exc:
        raise TemplateError(1, f"cannot read the file ({exc.strerror or type(exc).__name__})", "unreadable") from exc
    return parse_template(text, path, limits)


def template_merge(path: KeyPath, mapping: LDict, repeated: dict[str, list[Any]]) -> dict[str, str]:
    """Keys written twice in a template. A logical id given twice under `Resources` keeps both definitions,
    the second as `Id~2` (yamlmarks.keep_both), so neither can hide the other: both become model objects
    and every finding of each is reported. In a policy document the broader grant is evaluated
    (policy_merge.broader); any other key keeps its last value, as CloudFormation's JSON reading does."""
    if path == ("Resources",):
        for key, values in repeated.items():
            keep_both(mapping, key, values)
        return {key: f"both definitions are evaluated (the second as {key}~2)" for key in repeated}
    return broader(path, mapping, repeated)


def parse_template(text: str, path: str, limits: Limits = DEFAULT_LIMITS) -> Template | None:
    """The Template written in `text`, or None when the document is not a CloudFormation template."""
    if text.lstrip().startswith(("{", "[")):
        text = text.replace("\t", " ")  # JSON allows tabs only as whitespace; YAML forbids them as indentation
    try:
        loaded = load_document(text, 1, limits, template_merge)
    except yaml.composer.ComposerError as exc:
        if "single document" in str(exc):
            return None  # a multi-document stream: Kubernetes or similar, never a template
        raise TemplateError(error_line(exc), syntax_reason(exc)) from exc
    except yaml.YAMLError as exc:
        raise TemplateError(error_line(exc), syntax_reason(exc)) from exc
    except LimitError as exc:
        raise TemplateError(exc.line, exc.reason, "limit") from exc
    document = loaded.value
    if not isinstance(document, LDict) or ("Resources" not in document and "AWSTemplateFormatVersion" not in document):
        return None
    lines = text.splitlines()
    template = Template(path, lines=lines, limits=limits)
    template.errors.extend(ParseError(path, d.line, d.reason, "duplicate-key") for d in loaded.duplicates)
    resources = document.get("Resources")
    if resources is not None and not isinstance(resources, LDict):
        raise TemplateError(document.line_of("Resources"), "Resources is not a mapping")
    transform = document.get("Transform")
    items = transform if isinstance(transform, list) else [transform]
    template.transforms = tuple(t for t in items if isinstance(t, str))
    template.parameters = _parameters(document.get("Parameters"), path, lines)
    template.conditions = dict(_mapping(document.get("Conditions")))
    template.mappings = dict(_mapping(document.get("Mappings")))
    template.globals = _mapping(document.get("Globals"))
    template.outputs = _mapping(document.get("Outputs"))
    for logical_id, body in (resources or LDict()).items():
        key_line = resources.line_of(logical_id) if resources is not None else 1
        if logical_id.startswith("Fn::ForEach::"):
            template.skipped.append(
                (
                    key_line,
                    logical_id,
                    "the template uses Fn::ForEach of the AWS::LanguageExtensions transform, which nhilint does not "
                    "expand; the identities and grants it makes are not checked",
                )
            )
            continue
        if isinstance(body, LDict) and isinstance(body.get("Type"), LDict | list):
            template.skipped.append(
                (
                    key_line,
                    f"resource {logical_id}",
                    "its Type is not a plain string (a preprocessor module such as Rain's?)",
                )
            )
            continue
        resource = _resource(logical_id, body, key_line, path, lines)
        if isinstance(resource, str):
            template.problems.append((key_line, resource))
        else:
            template.resources[logical_id] = resource
    if "nhilint:" in text:  # one search of the text; most templates have no such comment
        template.annotations = _comment_annotations(lines, path, list(template.resources.values()))
    for resource in template.resources.values():
        template.annotations.extend(_metadata_annotations(resource))
    return template


def _mapping(value: Any) -> LDict:
    return value if isinstance(value, LDict) else LDict()


def _parameters(value: Any, path: str, lines: list[str]) -> dict[str, Parameter]:
    params: dict[str, Parameter] = {}
    for name, body in _mapping(value).items():
        if not isinstance(body, LDict):
            continue
        line = value.line_of(name)
        no_echo = body.get("NoEcho")
        params[name] = Parameter(
            name=name,
            type=str(body.get("Type", "String")),
            default=body.get("Default"),
            has_default="Default" in body,
            no_echo=no_echo is True or str(no_echo).lower() == "true",
            location=Location(path, line, tight_end(lines, line, body.end_line)),
            default_line=body.line_of("Default"),
        )
    return params


def _resource(logical_id: str, body: Any, key_line: int, path: str, lines: list[str]) -> Resource | str:
    """The resource, or the reason it cannot be read."""
    if not isinstance(body, LDict):
        return f"resource {logical_id} is not a mapping"
    type_ = body.get("Type")
    if not isinstance(type_, str) or not type_:
        return f"resource {logical_id} has no Type"
    properties = body.get("Properties")
    if properties is None:
        properties = LDict(line=body.line, end_line=body.line, path=path)
    if not isinstance(properties, LDict):
        return f"Properties of resource {logical_id} is not a mapping"
    metadata = body.get("Metadata")
    condition = body.get("Condition")
    return Resource(
        logical_id=logical_id,
        type=type_,
        properties=properties,
        metadata=metadata if isinstance(metadata, LDict) else None,
        condition=condition if isinstance(condition, str) else None,
        location=Location(path, key_line, tight_end(lines, key_line, body.end_line)),
    )


def tight_end(lines: list[str], start: int, end: int) -> int:
    """The last line of a mapping that starts at `start`.

    PyYAML's end mark of a block mapping is the next token (the next key, after blank lines and comments);
    for a flow mapping (JSON) it is the closing brace. Lines at or left of the start line's indentation
    that are not closing brackets belong to what follows.
    """
    if start < 1 or start > len(lines):
        return start
    first = lines[start - 1]
    indent = len(first) - len(first.lstrip(" "))  # this runs for every mapping evaluated: no helper calls
    last = min(end, len(lines))
    while last > start:
        text = lines[last - 1]
        stripped = text.strip()
        if (
            stripped
            and stripped[0] != "#"
            and (last < end or stripped[0] in "}]" or len(text) - len(text.lstrip(" ")) > indent)
        ):
            return last
        last -= 1
    return start


def _comment_annotations(lines: list[str], path: str, resources: list[Resource]) -> list[Annotation]:
    """`# nhilint:verb text` comments inside a resource or directly above it (only comment lines between)."""
    found: list[Annotation] = []
    for number, text in enumerate(lines, start=1):
        if "nhilint:" not in text:
            continue
        match = _ANNOTATION_RE.search(text)
        if match is None:
            continue
        target = _resource_for_comment(lines, resources, number)
        if target is not None:
            found.append(Annotation(match.group(1), match.group(2), Location(path, number, number), target.location))
    return found


def _resource_for_comment(lines: list[str], resources: list[Resource], line: int) -> Resource | None:
    inside = [r for r in resources if r.location.start_line <= line <= r.location.end_line]
    if inside:
        return min(inside, key=lambda r: r.location.end_line - r.location.start_line)
    below = line + 1
    while below <= len(lines) and _COMMENT_RE.match(lines[below - 1]):
        below += 1
    return next((r for r in resources if r.location.start_line == below), None)


def _metadata_annotations(resource: Resource) -> list[Annotation]:
    """`Metadata: {nhilint: {ignore: [{rule, reason, until}]}}` as the same annotations a comment gives."""
    nhilint = resource.metadata.get("nhilint") if resource.metadata is not None else None
    if not isinstance(nhilint, LDict) or "ignore" not in nhilint:
        return []
    entries = nhilint["ignore"]
    items = entries if isinstance(entries, list) else [entries]
    path = resource.location.path
    result = []
    for item in items:
        line = item.line if isinstance(item, LDict) and item.line else nhilint.line_of("ignore")
        result.append(Annotation("ignore", _ignore_text(item), Location(path, line, line), resource.location))
    return result


def _ignore_text(item: Any) -> str:
    """An ignore entry in the text form suppress.parse reads: `NHI-XXX-000 -- reason until YYYY-MM-DD`."""
    if not isinstance(item, dict):
        return str(item)
    rules = item.get("rule", item.get("rules", ""))
    ids = ", ".join(str(r) for r in rules) if isinstance(rules, list) else str(rules)
    text = ids
    reason = item.get("reason")
    if reason is not None and str(reason).strip():
        text += f" -- {str(reason).strip()}"
    until = item.get("until")
    if until is not None:
        text += f" until {until}"
    return text
