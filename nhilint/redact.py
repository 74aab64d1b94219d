"""The one redaction layer at the output boundary: no reporter prints a secret value read from the code.

Taint by value. Parsers register each value that comes from a sensitive source in `Inventory.sensitive`
(value -> source; built per scan, never printed, never cached):

- Terraform variables declared `sensitive = true` (their default, tfvars or module input value);
- variables whose name says they hold a secret (`db_password`, `api_token`…, `nhilint.secrets.secret_name`),
  and tfvars values the secret detector flags. Not every tfvars value: the issue names tfvars as a sensitive
  source, but tfvars mostly hold role names, account ids and regions, and hiding those would empty the
  inventory; a tfvars value is sensitive when its variable is declared sensitive, is named like a secret, or
  the detector recognises it;
- CloudFormation parameter defaults marked `NoEcho: true`, and defaults of parameters named like secrets.

A reporter passes what it prints through a `Redactor`: any string containing a registered value (substring
match for values of at least `MIN_SUBSTRING` characters, so `prefix-${var.token}` is caught after
interpolation; shorter values only when they are the whole string) has that value replaced by
`<redacted: SOURCE>`, and any string the detector (`nhilint.secrets`) flags is replaced whole by
`<redacted: KIND>`. This works through interpolation, `merge()` and module inputs without changing the
value layer. Values are redacted on the model or on the JSON document before formatting, so escaping in a
format (JSON, CSV, XML, GitHub annotations) cannot let a value slip past.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from nhilint.model import Inventory
from nhilint.secrets import detect_many

if TYPE_CHECKING:
    from nhilint.result import Report

T = TypeVar("T")
MIN_SUBSTRING = 6
_SKIP_FIELDS = frozenset({"sensitive", "_indexes"})


def marker(source: str) -> str:
    return f"<redacted: {source}>"


class Redactor:
    """Replaces secret values in strings, dicts, lists, tuples and model dataclasses (a new object; the
    input is not changed). Detector results are kept per redactor, so a value is judged once."""

    def __init__(self, sensitive: Mapping[str, str] | None = None) -> None:
        items = sorted((sensitive or {}).items(), key=lambda item: -len(item[0]))
        self._substrings = [(value, marker(source)) for value, source in items if len(value) >= MIN_SUBSTRING]
        self._whole = {value: marker(source) for value, source in items if value and len(value) < MIN_SUBSTRING}
        self._memo: dict[str, str] = {}

    def text(self, value: str) -> str:
        if value not in self._memo:
            self._prepare([value])
        return self._memo[value]

    def apply(self, obj: T) -> T:
        """`obj` with every string redacted; strings are judged in one detector session first."""
        self._prepare(_strings(obj, []))
        result: T = self._walk(obj)
        return result

    def document(self, doc: T) -> T:
        """A document built for one output (dicts, lists, tuples, strings, numbers), redacted; the document
        itself when no string in it changes.

        Why: a reporter builds a fresh document and only serialises it, so copying it unchanged (the usual
        case: nothing in it is secret) would walk it a second time for nothing. Anything else in it (a model
        object, the inventory) takes `apply`'s copying walk."""
        strings: list[str] = []
        if not _document_strings(doc, strings):
            return self.apply(doc)
        self._prepare(strings)
        memo = self._memo
        if all(memo[value] == value for value in strings):
            return doc
        result: T = self._walk(doc)
        return result

    def _prepare(self, values: Iterable[str]) -> None:
        fresh = [v for v in dict.fromkeys(values) if v not in self._memo]
        replaced = {v: self._registered(v) for v in fresh}
        kinds = detect_many(replaced.values())
        for value, text in replaced.items():
            self._memo[value] = marker(kinds[text]) if text in kinds else text

    def _registered(self, value: str) -> str:
        if value in self._whole:
            return self._whole[value]
        for secret, shown in self._substrings:
            if secret in value:
                value = value.replace(secret, shown)
        return value

    def _walk(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return self._memo[obj]
        if isinstance(obj, dict):
            return {self._walk(k): self._walk(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self._walk(item) for item in obj]
        if isinstance(obj, tuple):
            return tuple(self._walk(item) for item in obj)
        if isinstance(obj, Inventory):
            return Inventory(
                **{
                    f.name: self._walk(getattr(obj, f.name))
                    for f in dataclasses.fields(obj)
                    if f.name not in _SKIP_FIELDS
                }
            )
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            changes = {f.name: self._walk(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.init}
            return dataclasses.replace(obj, **changes)
        return obj


def _strings(obj: Any, out: list[str]) -> list[str]:
    """Every string in `obj` (dict keys too), depth first, appended to `out`."""
    if isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            _strings(key, out)
            _strings(value, out)
    elif isinstance(obj, list | tuple):
        for item in obj:
            _strings(item, out)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if f.name not in _SKIP_FIELDS:
                _strings(getattr(obj, f.name), out)
    return out


_SCALARS = (int, float, type(None))  # bool is an int


def _document_strings(obj: Any, out: list[str]) -> bool:
    """`_strings` of a plain document, in the same order; False when it holds anything but containers,
    strings and numbers (then `out` is incomplete)."""
    if isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, dict):
        for key, value in obj.items():  # strings appended here: most leaves are, and a call per leaf is half the cost
            if isinstance(key, str):
                out.append(key)
            elif not _document_strings(key, out):
                return False
            if isinstance(value, str):
                out.append(value)
            elif not _document_strings(value, out):
                return False
    elif isinstance(obj, list | tuple):
        for item in obj:
            if isinstance(item, str):
                out.append(item)
            elif not _document_strings(item, out):
                return False
    elif not isinstance(obj, _SCALARS) or dataclasses.is_dataclass(obj):
        return False
    return True


def for_inventory(inventory: Inventory) -> Redactor:
    return Redactor(inventory.sensitive)


def report(found: Report, inventory: bool = True) -> Report:
    """The report with its findings (and, unless `inventory` is false, its inventory) redacted."""
    redactor = for_inventory(found.inventory)
    parts: dict[str, Any] = {
        "findings": found.findings,
        "suppressed": found.suppressed,
        "baselined": found.baselined,
        "stale_baseline": found.stale_baseline,
        "changes": found.changes,
    }
    if inventory:
        parts["inventory"] = found.inventory
    redacted: dict[str, Any] = redactor.apply(parts)
    return dataclasses.replace(found, **redacted)
