"""Render a kustomization with `kubectl kustomize`, offline, and say where each rendered object came from.

An overlay is not a manifest: what it deploys exists only after kustomize has merged bases, patches,
namespaces and name prefixes. nhilint renders it with the user's `kubectl` (never a network fetch: remote
bases are refused before rendering, git and HTTP are pointed at nothing, Helm inflation stays off) and
scans the output.

Findings on rendered objects should point at a line a user can edit. So the overlay is rendered through a
throw-away kustomization that includes it and turns on `buildMetadata: [originAnnotations]`: kustomize then
annotates every object with the file it came from (`config.kubernetes.io/origin`), and the caller maps it
back to that file. Objects without an origin (generators) point at the kustomization itself.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nhilint.model import Location
from nhilint.parse.hcl_eval import LDict
from nhilint.parse.kubernetes import K8sObject, ManifestFile, parse_file
from nhilint.parse.yamlmarks import LOADER

TIMEOUT_SECONDS = 60
ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
_REMOTE_PREFIXES = ("http://", "https://", "git@", "ssh://", "git::", "github.com/", "gitlab.com/", "bitbucket.org/")
# Environment for kubectl: no prompts, no git transport but local files, HTTP(S) through a closed port.
_OFFLINE = {"GIT_TERMINAL_PROMPT": "0", "GIT_ALLOW_PROTOCOL": "file", "HTTP_PROXY": "http://127.0.0.1:9",
            "HTTPS_PROXY": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9",
            "https_proxy": "http://127.0.0.1:9", "NO_PROXY": "", "no_proxy": ""}


@dataclass(frozen=True, slots=True)
class Rendered:
    """The rendered stream, and the directory origin paths are relative to."""

    text: str
    origin_base: Path


def remote_resource(kustomization: Path) -> str | None:
    """The first remote base/resource/component the kustomization names (not fetched), or None."""
    try:
        data = yaml.load(kustomization.read_text(encoding="utf-8"), Loader=LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None  # kustomize reports the problem itself
    if not isinstance(data, dict):
        return None
    for key in ("resources", "bases", "components"):
        for entry in data.get(key) or []:
            if isinstance(entry, str) and (entry.startswith(_REMOTE_PREFIXES) or "://" in entry):
                return entry
    return None


def is_component(kustomization: Path) -> bool:
    """A `kind: Component` is only meaningful inside an overlay; it is not rendered on its own."""
    try:
        data = yaml.load(kustomization.read_text(encoding="utf-8"), Loader=LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and data.get("kind") == "Component"


def render(kubectl: str, kustomization: Path) -> Rendered | str:
    """The rendered objects of the kustomization's directory, or why it could not be rendered."""
    directory = kustomization.parent.resolve()
    env = {**os.environ, **_OFFLINE}
    with tempfile.TemporaryDirectory(prefix="nhilint-kustomize-") as wrapper:
        relative = os.path.relpath(directory, wrapper)
        Path(wrapper, "kustomization.yaml").write_text(
            f"resources:\n- {relative}\nbuildMetadata: [originAnnotations]\n", encoding="utf-8")
        first = _run([kubectl, "kustomize", wrapper], env)
        if isinstance(first, _Ok):
            return Rendered(first.text, Path(wrapper).resolve())
    plain = _run([kubectl, "kustomize", str(directory)], env)  # without origins, e.g. when wrapping is refused
    if isinstance(plain, _Ok):
        return Rendered(plain.text, directory)
    return plain


@dataclass(frozen=True, slots=True)
class _Ok:
    text: str


def _run(command: list[str], env: dict[str, str]) -> _Ok | str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=env,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        return f"kubectl kustomize took longer than {TIMEOUT_SECONDS} s"
    except OSError as exc:
        return f"kubectl could not run: {exc.strerror or exc}"
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        return f"kubectl kustomize failed: {lines[-1] if lines else f'exit code {done.returncode}'}"
    return _Ok(done.stdout)


def origin_path(annotations: Any, base: Path) -> tuple[Path | None, str]:
    """(file the object was written in, what configured it) from kustomize's origin annotation."""
    if not isinstance(annotations, dict):
        return None, ""
    text = annotations.get(ORIGIN_ANNOTATION)
    if not isinstance(text, str):
        return None, ""
    try:
        origin = yaml.load(text, Loader=LOADER)
    except yaml.YAMLError:
        return None, ""
    if not isinstance(origin, dict):
        return None, ""
    path = origin.get("path") or origin.get("configuredIn")
    by = origin.get("configuredBy")
    kind = by.get("kind", "") if isinstance(by, dict) else ""
    if not isinstance(path, str) or "://" in path or origin.get("repo"):
        return None, str(kind)
    return (base / path).resolve(), str(kind)


class Origins:
    """Map a rendered object back to the document it was written in (kustomize's origin annotation)."""

    def __init__(self, root: Path, fallback: Location) -> None:
        self.root = root.resolve()
        self.fallback = fallback
        self.files: dict[Path, ManifestFile] = {}

    def locate(self, obj: K8sObject, base: Path) -> Location:
        annotations = _annotations(obj)
        origin, configured_by = origin_path(annotations, base)
        annotations.pop(ORIGIN_ANNOTATION, None)
        if origin is None or not origin.is_file() or not origin.is_relative_to(self.root):
            return self.fallback
        path = origin.relative_to(self.root).as_posix()
        if configured_by:  # a generator: the line that configures it
            key = configured_by[:1].lower() + configured_by[1:] + ":"
            lines = origin.read_text(encoding="utf-8", errors="replace").splitlines()
            line = next((n for n, text in enumerate(lines, 1) if text.lstrip().startswith(key)), 1)
            return Location(path, line, line)
        if origin not in self.files:
            self.files[origin] = parse_file(origin, path)
        name = _name_text(_meta(obj).get("name")) or ""
        candidates = [o for o in self.files[origin].objects if o.kind == obj.kind]
        named = [o for o in candidates if (_name_text(_meta(o).get("name")) or "\0") in name]
        best = max(named, key=lambda o: len(_name_text(_meta(o).get("name")) or ""), default=None)
        chosen = best or (candidates[0] if len(candidates) == 1 else None)
        return chosen.location if chosen is not None else Location(path, 1, 1)


def _meta(obj: K8sObject) -> LDict:
    meta = obj.body.get("metadata")
    return meta if isinstance(meta, LDict) else LDict()


def _annotations(obj: K8sObject) -> dict[str, Any]:
    annotations = _meta(obj).get("annotations")
    return annotations if isinstance(annotations, dict) else {}


def _name_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
