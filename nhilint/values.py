"""The value layer every parser shares: what evaluated Terraform, YAML and JSON values are made of.

Two value types keep what plain JSON would lose:
- `Ref(address, attribute)`: a reference to another resource (`aws_iam_role.ci.arn`) is kept as the link it
  is, so extractors can connect grants and usages to identities.
- `Encoded(value)`: `jsonencode(...)` and policy documents keep their structure (with Unknowns and line
  numbers inside) instead of becoming a string.
Object literals evaluate to `LDict`, a dict that remembers the line it was written on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# What `data.aws_region.x.name` becomes: a known value meaning "the region this is deployed to", one specific
# region (never a wildcard), like the current account (nhilint.model.CURRENT_ACCOUNT).
CURRENT_REGION = "${current_region}"
# What `data.google_compute_default_service_account.x.email` becomes: the Compute Engine default service account
# of the project it names, whose number is not in the code.
DEFAULT_COMPUTE_EMAIL = "${project_number}-compute@developer.gserviceaccount.com"
_SYMBOLS = {
    "${current_account}": "<this account>",
    CURRENT_REGION: "<this region>",
    "${AWS::Region}": "<this region>",  # CloudFormation's `Fn::Sub` keeps it as written: one region, the stack's
    "${project_number}": "<project number>",
}


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value that could not be evaluated statically, with the reason a user can act on."""

    reason: str

    def __str__(self) -> str:
        return f"<unknown: {self.reason}>"


class LDict(dict[str, Any]):
    """A dict from an object literal or policy block, with the line it starts on."""

    __slots__ = ("end_line", "key_lines", "line", "path")

    def __init__(
        self, items: Iterable[tuple[str, Any]] = (), line: int = 0, end_line: int = 0, path: str | None = None
    ) -> None:
        super().__init__(items)
        self.line = line
        self.end_line = end_line or line
        self.path = path
        self.key_lines: dict[str, int] | None = None  # YAML: the line of each key, where findings point

    def line_of(self, key: str) -> int:
        """The line a key is written on (YAML), else the line of the mapping."""
        return (self.key_lines or {}).get(key, self.line)


class SourceText(str):
    """Text read by `file()`, remembering which file it came from (for line numbers in findings)."""

    path: str


def source_text(text: str, path: str) -> SourceText:
    result = SourceText(text)
    result.path = path
    return result


def stamp_path(value: Any, path: str) -> Any:
    """Record on every object literal inside value the file it was written in (where not known yet)."""
    if isinstance(value, LDict):
        if value.path is None:
            value.path = path
        for item in value.values():
            stamp_path(item, path)
    elif isinstance(value, Encoded):
        stamp_path(value.value, path)
    elif isinstance(value, list):
        for item in value:
            stamp_path(item, path)
    return value


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to another resource's attribute; its value is only known after apply."""

    address: str
    attribute: str | None = None

    def __str__(self) -> str:
        return f"{self.address}.{self.attribute}" if self.attribute else self.address


@dataclass(frozen=True, slots=True)
class Encoded:
    """The result of `jsonencode(value)` or a policy document's `.json`: a JSON string we keep as structure."""

    value: Any
    line: int = 0


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def first_unknown(values: Iterable[Any]) -> Unknown | None:
    for value in values:
        found = deep_unknown(value)
        if found is not None:
            return found
    return None


def deep_unknown(value: Any) -> Unknown | None:
    """The first Unknown anywhere inside value (Refs count as unknown text)."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Ref):
        return Unknown(f"{value} is known only after apply")
    if isinstance(value, Encoded):
        return deep_unknown(value.value)
    if isinstance(value, dict):
        return first_unknown(value.values())
    if isinstance(value, list | tuple):
        return first_unknown(value)
    return None


def to_text(value: Any) -> str | Unknown:
    """Render a value as a string the way HCL interpolation does; Unknown if it cannot be."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if value is None:
        return Unknown("null in a string")
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Ref):
        return f"${{{value}}}"  # a marker extractors can link (`serviceAccount:${google_service_account.x.email}`)
    if isinstance(value, Encoded):
        missing = deep_unknown(value.value)
        return missing if missing else json.dumps(plain(value.value), separators=(",", ":"))
    return Unknown(f"{kind_of(value)} where a string is expected")


def kind_of(value: Any) -> str:
    """What the user wrote, in their words (`a mapping`, `a list`), for a reason: never an internal class name
    (`LDict`) that says nothing to someone reading a template."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    if isinstance(value, Ref):
        return "a reference"
    if isinstance(value, Unknown):
        return "a value nhilint cannot evaluate"
    return "a value of another kind"


# `${type.name.attr}` markers, with a root directory, module prefixes and instance keys
# (`envs/prod/module.a["x"].aws_iam_role.r[0].arn`); IAM policy variables such as `${aws:username}` do not match.
_KEY = r'(?:\[(?:"[^"]*"|\d+)\])?'
_ADDRESS = rf"(?:[A-Za-z0-9_.-]+/)*(?:module\.[A-Za-z0-9_-]+{_KEY}\.)*[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z0-9_-]+{_KEY}"
_REF_MARKER_RE = re.compile(rf"\$\{{({_ADDRESS})(?:\.([A-Za-z0-9_.]+))?\}}")
# The scope of an address (the root module's directory, a CloudFormation template's path and `#`), where it
# leaks into text: inside a marker, or before a reference said to be known only after apply.
_TF_REFERENCE = rf"(?:module\.[A-Za-z0-9_-]+{_KEY}\.)*[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z0-9_-]+{_KEY}"
_SCOPE = rf"(?:[^\s${{}}#()]+#(?=[A-Za-z0-9~]+[.}}\s])|(?:[A-Za-z0-9_.-]+/)+(?={_TF_REFERENCE}))"
_SCOPED_MARKER_RE = re.compile(rf"\$\{{{_SCOPE}(?P<reference>[^${{}}]*)\}}")
_SCOPED_UNKNOWN_RE = re.compile(rf"(?<![\w./#-]){_SCOPE}(?=\S* is known only after apply)")


def refs_in_text(text: str) -> list[tuple[Ref, int]]:
    """Resource references rendered into a string as markers, each with the offset where it ends."""
    return [(Ref(m.group(1), m.group(2)), m.end()) for m in _REF_MARKER_RE.finditer(text)]


def ref_marker(text: str) -> Ref | None:
    """The Ref when a string is exactly one marker, e.g. `${aws_iam_role.ci.arn}`."""
    match = _REF_MARKER_RE.fullmatch(text)
    return Ref(match.group(1), match.group(2)) if match else None


def readable_references(text: str) -> str:
    """A message with each `${module.project.project_id}` marker written as the reference it is, said unknown once:
    `module.project.project_id (not known before apply)`; the current account and region read as such.
    IAM policy variables (`${aws:username}`) stay."""
    said: set[str] = set()

    def readable(match: re.Match[str]) -> str:
        reference = f"{match.group(1)}.{match.group(2)}" if match.group(2) else match.group(1)
        if reference in said:
            return reference
        said.add(reference)
        first = match.group(1).rsplit("/", 1)[-1].split(".", 1)[0]  # `var`, `data`, `module`, a resource type
        if first in ("var", "local", "each", "count"):
            return f"{reference} (not evaluated)"
        if first == "data":
            return f"{reference} (read from the cloud at plan time)"
        return f"{reference} (not known before apply)"

    text = readable_symbols(text)
    return _REF_MARKER_RE.sub(readable, text) if "${" in text else text


def readable_symbols(text: str) -> str:
    """Text as a reader sees it, the one place every output renders values, findings and inventory alike:
    - the symbolic values the evaluator writes (`${current_account}`, `${current_region}`, `${AWS::Region}`,
      `${project_number}`) in words (`<this account>`…);
    - a reference as the user wrote it, without the internal address's scope: `${live/aws_s3_bucket.b.arn}` ->
      `${aws_s3_bucket.b.arn}`, `${templates/app.yaml#Bucket.Arn}` -> `${Bucket.Arn}` (the interpolation syntax of
      Terraform and `Fn::Sub`), and so in a reason such as `live/aws_s3_bucket.b.arn is known only after apply`.
    Ids never pass through here (they keep the scope that tells two root modules apart)."""
    if "${" in text:
        for symbol, shown in _SYMBOLS.items():
            text = text.replace(symbol, shown)
        text = _SCOPED_MARKER_RE.sub(r"${\g<reference>}", text)
    if "/" in text or "#" in text:
        text = _SCOPED_UNKNOWN_RE.sub("", text)
    return text


def value_size(value: Any, cap: int) -> int:
    """Characters plus elements of a value, counted without recursion and only up to just past `cap`.

    Lists can share elements (`[local.a, local.a]`), so a value built in a few steps can expand to far more
    than the memory it takes; this counts the expanded size, the one that rendering would allocate.
    """
    size = 0
    stack = [value]
    while stack and size <= cap:
        item = stack.pop()
        size += 1
        if isinstance(item, str):
            size += len(item)
        elif isinstance(item, Encoded):
            stack.append(item.value)
        elif isinstance(item, dict):
            size += sum(len(k) for k in item)
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return size


def plain(value: Any) -> Any:
    """Strip LDict/Encoded wrappers (for JSON output and comparisons)."""
    if isinstance(value, Encoded):
        return plain(value.value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class IndexStep:
    key: Any


def get_path(value: Any, steps: list[Any]) -> Any:
    """Follow attribute names and index steps into a value."""
    for step in steps:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Ref):
            attr = step if isinstance(step, str) else None
            return Ref(value.address, attr if value.attribute is None else f"{value.attribute}.{attr}")
        key = step.key if isinstance(step, IndexStep) else step
        if isinstance(key, Unknown):
            return key
        if isinstance(value, dict):
            text = to_text(key)
            if isinstance(text, Unknown) or text not in value:
                return Unknown(f"key {key!r} not found")
            value = value[text]
        elif isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
            if not -len(value) <= key < len(value):
                return Unknown(f"index {key} out of range")
            value = value[key]
        elif isinstance(value, list) and isinstance(key, str):
            value = [get_path(v, [key]) for v in value]
        else:
            return Unknown(f"cannot take {key!r} of {kind_of(value)}")
    return value
