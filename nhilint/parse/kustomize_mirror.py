"""Render a slim copy of an overlay: the objects nobody reads are cut down to their metadata before kubectl runs.

An overlay over a base of CustomResourceDefinitions makes `kubectl kustomize` parse and print megabytes that
nhilint then skims (`kubernetes.Reads`). So before kubectl runs, what the overlay reaches (every kustomization,
followed as nhilint.parse.kustomize_check follows them, and every file they name) is mirrored into the sandbox
under the same paths relative to the scan root: a resource file whose documents are all skimmed is replaced by
stubs that keep each document's `apiVersion`, `kind` and `metadata` as written (nhilint.parse.kustomize_stub),
every other file is copied as it is. kustomize then applies name prefixes, namespaces, labels and annotations to
the stubs as to the objects, and its origin annotations name the same relative paths, which the caller maps back
to the real files (the wrapper stands at a path of the scan root that does not exist).

The slim copy is rendered only where it cannot render a read object differently; otherwise (`plan` is None) the
real tree is rendered as before: `replacements` or `vars` anywhere (a value may come from a skimmed object),
a patch that may reach a stubbed object (a target without a plain `kind`, a label or annotation selector, a
target or patch kind that a stub holds, a patch's own kind skimmed), a generator that merges into a stubbed kind,
`crds`, `configurations`, plugin generators/transformers/validators, any key not known here, a link on the way
to a file (the mirror holds real paths), a patch that cannot be parsed cheaply, a file over
`limits.max_file_bytes` or a mirror over `MAX_TOTAL_FILES` x that, and output that the full render might push
over the limit. The caller renders the real tree as well when the slim render fails for any reason.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nhilint.limits import Limits
from nhilint.parse.bounded_run import Output, run_bounded
from nhilint.parse.kubernetes import Reads
from nhilint.parse.kustomize_check import KUSTOMIZATION_NAMES, RESOURCE_KEYS, load, local_path, named_paths
from nhilint.parse.kustomize_plain import PLAIN_KEYS
from nhilint.parse.kustomize_stub import Stub, stub
from nhilint.parse.sandbox import Sandbox
from nhilint.parse.yamlmarks import LOADER
from nhilint.regular_file import open_regular, read_at_most

WRAPPER = ".nhilint-render"  # the wrapper's directory in the mirror; origins resolve against it in the scan root
MAX_TOTAL_FILES = 4  # the mirror holds at most this many times `max_file_bytes`
MAX_PATCH_BYTES = 1 << 20  # a patch read here to learn what it targets: larger ones render the real tree
# What the mirror knows how kustomize applies: the plain keys and patches, images, replicas and generators.
KNOWN_KEYS = PLAIN_KEYS | {
    "metadata",
    "components",
    "images",
    "replicas",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "buildMetadata",
    "sortOptions",
}
GENERATED = {"configMapGenerator": "ConfigMap", "secretGenerator": "Secret"}
_PLAIN_KIND = re.compile(r"^[A-Za-z0-9]+$")
Stubs = dict[Path, "Stub | None"]
"""Stubs made so far, by real path (None: copied as written), shared by the overlays of one scan."""


class _Full(Exception):
    """Render the real tree."""


def _regular_bytes(real: Path, limit: int) -> bytes:
    """A regular file's bytes, opened without following a link and never a pipe: the path was checked when the
    mirror was planned, and may have been swapped since (`_Full` when it is not such a file or over `limit`)."""
    try:
        with open_regular(real) as handle:
            data = read_at_most(handle, limit + 1)
    except OSError:
        raise _Full from None
    if len(data) > limit:
        raise _Full
    return data


@dataclass(frozen=True, slots=True)
class Plan:
    """What the mirror holds: each real file with its stub (None: copied as written), and the bytes left out."""

    files: dict[Path, Stub | None]
    removed: int
    directory: Path  # the overlay's real directory


def plan(kustomization: Path, root: Path, reads: Reads, limits: Limits, stubs: Stubs) -> Plan | None:
    """The mirror of what the overlay reaches, or None when the real tree must be rendered (or nothing is
    stubbed)."""
    real_root = Path(os.path.realpath(root))
    if os.path.lexists(real_root / WRAPPER):
        return None
    try:
        return _Planner(root, reads, limits, stubs).plan(kustomization)
    except (_Full, OSError, UnicodeDecodeError, ValueError):
        return None


def render_slim(
    kubectl: str, found: Plan, root: Path, limits: Limits, timeout: float, box: Sandbox, tool: str
) -> tuple[str, Path] | None:
    """(output, the directory its origin paths are relative to) of the mirror, or None if it did not render."""
    real_root = Path(os.path.realpath(root))
    mirror = box.directory / "mirror"
    try:
        for real, cut in found.files.items():
            target = mirror / real.relative_to(real_root)
            target.parent.mkdir(parents=True, exist_ok=True)
            if cut is not None:
                target.write_text(cut.text, encoding="utf-8")
                continue
            target.write_bytes(_regular_bytes(real, limits.max_file_bytes))
        wrapper = mirror / WRAPPER
        wrapper.mkdir()
        overlay = os.path.relpath(mirror / found.directory.relative_to(real_root), wrapper)
        (wrapper / "kustomization.yaml").write_text(
            f"resources:\n- {overlay}\nbuildMetadata: [originAnnotations]\n", encoding="utf-8"
        )
    except (_Full, OSError, ValueError):
        return None
    out = run_bounded([kubectl, "kustomize", str(wrapper)], box.env, box.home, limits, timeout, tool)
    if not isinstance(out, Output) or len(out.text) + found.removed > limits.max_file_bytes:
        return None  # the full render might be over the limit: it decides
    return out.text, real_root / WRAPPER


class _Planner:
    def __init__(self, root: Path, reads: Reads, limits: Limits, stubs: Stubs) -> None:
        self.real_root, self.reads, self.limits, self.stubs = Path(os.path.realpath(root)), reads, limits, stubs
        self.roots = (str(self.real_root), os.path.normpath(os.path.abspath(root)))  # named from either
        self.resources: set[Path] = set()  # files named as resources: stubbed when all skimmed
        self.others: set[Path] = set()  # kustomizations, patches, generator inputs: copied as written
        self.patched: set[str] = set()  # kinds a patch may reach
        self.merged: set[str] = set()  # kinds a generator merges into
        self.total = 0

    def plan(self, kustomization: Path) -> Plan | None:
        pending, seen = [kustomization], set[Path]()
        while pending:
            file = pending.pop()
            real = self._real(file)
            if real in seen:
                continue
            seen.add(real)
            data = load(real, self.limits)
            if isinstance(data, str) or set(data) - KNOWN_KEYS:
                raise _Full
            self.others.add(real)
            self._patches(data, real.parent)
            for key, kind in GENERATED.items():
                if any(isinstance(g, dict) and g.get("behavior") not in (None, "create") for g in _list(data.get(key))):
                    self.merged.add(kind)
            for key, entry in named_paths(data):
                target = self._local(entry, real.parent)
                if key in RESOURCE_KEYS and target.is_dir():
                    pending.extend(target / name for name in KUSTOMIZATION_NAMES if (target / name).is_file())
                elif not target.is_file():
                    raise _Full
                else:
                    (self.resources if key in ("resources", "bases") else self.others).add(target)
        files: dict[Path, Stub | None] = {}
        removed = 0
        for real in sorted(self.resources | self.others):
            self._size(real)
            cut = self._stub(real) if real not in self.others else None
            files[real] = cut
            if cut is not None:
                removed += max(0, cut.printed - len(cut.text))  # the most the real render prints beyond the stubs
                if cut.kinds & (self.patched | self.merged):
                    raise _Full
        if not removed:
            return None
        return Plan(files, removed, Path(os.path.realpath(kustomization.parent)))

    def _real(self, file: Path) -> Path:
        """The file's real path, `_Full` when a link below the scan root is on the way (the mirror holds real
        paths only, and `..` after a link is not where it seems)."""
        written = os.path.normpath(os.path.abspath(file))
        base = next((b for b in self.roots if written == b or written.startswith(b.rstrip(os.sep) + os.sep)), None)
        real = Path(os.path.realpath(file))
        if base is None or real != self.real_root / os.path.relpath(written, base):
            raise _Full
        return real

    def _local(self, entry: str, directory: Path) -> Path:
        target = local_path(entry, directory, self.real_root)
        if isinstance(target, str):
            raise _Full
        return self._real(directory / entry)

    def _size(self, real: Path) -> int:
        size = real.stat().st_size
        self.total += size
        if size > self.limits.max_file_bytes or self.total > MAX_TOTAL_FILES * self.limits.max_file_bytes:
            raise _Full
        return size

    def _stub(self, real: Path) -> Stub | None:
        if real not in self.stubs:
            text = _regular_bytes(real, self.limits.max_file_bytes).decode("utf-8")
            self.stubs[real] = stub(text, self.reads, self.limits)
        return self.stubs[real]

    def _patches(self, data: dict[str, Any], directory: Path) -> None:
        """The kinds the kustomization's patches may reach (`_Full` when that cannot be told)."""
        for entry in _list(data.get("patches")):
            if not isinstance(entry, dict):
                raise _Full
            target = entry.get("target")
            if target is not None:
                self.patched.add(_target_kind(target))
            text = entry.get("patch")
            if isinstance(entry.get("path"), str):
                text = self._patch_text(entry["path"], directory)
            if not isinstance(text, str):
                raise _Full
            for document in _documents(text):
                if isinstance(document, dict) or target is None:  # a strategic merge patch names its object
                    self.patched.add(self._own_kind(document))
        for entry in _list(data.get("patchesJson6902")):
            if not isinstance(entry, dict):
                raise _Full
            self.patched.add(_target_kind(entry.get("target")))
        for entry in _list(data.get("patchesStrategicMerge")):
            if not isinstance(entry, str):
                raise _Full
            text = entry if "\n" in entry else self._patch_text(entry.strip(), directory)
            self.patched.update(self._own_kind(document) for document in _documents(text))

    def _patch_text(self, entry: str, directory: Path) -> str:
        return _regular_bytes(self._local(entry, directory), MAX_PATCH_BYTES).decode("utf-8")

    def _own_kind(self, document: Any) -> str:
        """A strategic merge patch's kind; `_Full` when it is not plain, or skimmed."""
        kind = document.get("kind") if isinstance(document, dict) else None
        version = document.get("apiVersion") if isinstance(document, dict) else None
        if not isinstance(kind, str) or not _PLAIN_KIND.match(kind):
            raise _Full
        if not isinstance(version, str) or not self.reads(version, kind):
            raise _Full
        return kind


def _target_kind(target: Any) -> str:
    """A patch target's kind; `_Full` when it may select any kind or selects by label or annotation."""
    if not isinstance(target, dict) or "labelSelector" in target or "annotationSelector" in target:
        raise _Full
    kind = target.get("kind")
    if not isinstance(kind, str) or not _PLAIN_KIND.match(kind):
        raise _Full
    return kind


def _documents(text: str) -> list[Any]:
    try:
        return [d for d in yaml.load_all(text, Loader=LOADER) if d is not None]
    except yaml.YAMLError as exc:
        raise _Full from exc


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
