"""Render a kustomization with `kubectl kustomize`, offline and sandboxed, and say where each object came from.

An overlay is not a manifest: what it deploys exists only after kustomize has merged bases, patches,
namespaces and name prefixes. nhilint renders it with the user's `kubectl`, but only after checking every
kustomization it reaches (nhilint.parse.kustomize_check): remote bases, `openapi` schemas, Helm charts and
paths that leave the scan root are refused before kubectl runs, each with the reason. kubectl then runs in
nhilint.parse.sandbox (PATH only, HOME in a fresh temporary directory, a kubeconfig without a usable context,
proxies pointing at a closed port, git limited to local files, a network namespace of its own where the
system allows it): it cannot reach the user's cluster, the local machine nor the network. Its time and
output are bounded; output over `limits.max_file_bytes` is reported as a limit, not read.

Only what needs kustomize is rendered (`resolve_all`): a kustomization that merely lists local files, with
a namespace, name prefix or suffix and common labels or annotations, is applied by nhilint itself over the
files it has parsed (nhilint.parse.kustomize_plain). kubectl runs for the rest, several overlays at a time,
and never for a base that an overlay already rendered or applied includes.

Findings on rendered objects should point at a line a user can edit. So the overlay is rendered through a
throw-away kustomization that includes it and turns on `buildMetadata: [originAnnotations]`: kustomize then
annotates every object with the file it came from (`config.kubernetes.io/origin`), and the caller maps it
back to that file. Objects without an origin (generators) point at the kustomization itself.

Given which objects the caller reads (`reads`), kubectl renders a slim mirror of the overlay instead, in the
same sandbox, where resource files of objects nobody reads are cut to their metadata
(nhilint.parse.kustomize_mirror): the same objects, names and origins at a fraction of kubectl's cost. The real
tree is rendered whenever the mirror might read differently, or does not render.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.model import Location
from nhilint.parse.bounded_run import Output, OverLimit, run_bounded
from nhilint.parse.kubernetes import K8sObject, ManifestFile, Reads, parse_file
from nhilint.parse.kustomize_check import is_component, refusal
from nhilint.parse.kustomize_mirror import Stubs, plan, render_slim
from nhilint.parse.kustomize_plain import Applied, apply, included_directories, is_plain
from nhilint.parse.sandbox import sandbox
from nhilint.parse.yamlmarks import LOADER
from nhilint.values import LDict

__all__ = [
    "Applied",
    "Origins",
    "OverLimit",
    "Rendered",
    "is_component",
    "origin_path",
    "refusal",
    "render",
    "resolve_all",
]

TIMEOUT_SECONDS = 60
TOOL = "kubectl kustomize"
PARALLEL_RENDERS = 4  # kubectl runs at a time (each is mostly waiting on its own process)
ORIGIN_ANNOTATION = "config.kubernetes.io/origin"


@dataclass(frozen=True, slots=True)
class Rendered:
    """The rendered stream, and the directory origin paths are relative to."""

    text: str
    origin_base: Path


def render(
    kubectl: str,
    kustomization: Path,
    root: Path,
    limits: Limits = DEFAULT_LIMITS,
    timeout: float | None = None,
    reads: Reads | None = None,
    stubs: Stubs | None = None,
) -> Rendered | OverLimit | str:
    """The rendered objects of the kustomization's directory, or why it was not rendered. With `reads`, a slim
    copy is rendered where it reads the same (nhilint.parse.kustomize_mirror), the real tree otherwise."""
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    refused = refusal(kustomization, root, limits)
    if refused is not None:
        return refused
    directory = kustomization.parent.resolve()
    slim = plan(kustomization, root, reads, limits, {} if stubs is None else stubs) if reads is not None else None
    with sandbox("nhilint-kustomize-") as box:
        if slim is not None:
            done = render_slim(kubectl, slim, root, limits, timeout, box, TOOL)
            if done is not None:
                return Rendered(*done)
        home, env, wrapper = box.home, box.env, box.directory / "wrapper"
        wrapper.mkdir()
        relative = os.path.relpath(directory, wrapper)
        Path(wrapper, "kustomization.yaml").write_text(
            f"resources:\n- {relative}\nbuildMetadata: [originAnnotations]\n", encoding="utf-8"
        )
        first = run_bounded([kubectl, "kustomize", str(wrapper)], env, home, limits, timeout, TOOL)
        if isinstance(first, Output):
            return Rendered(first.text, wrapper.resolve())
        if isinstance(first, OverLimit) or first.startswith(f"{TOOL} took"):
            return first
        plain = run_bounded([kubectl, "kustomize", str(directory)], env, home, limits, timeout, TOOL)  # without origins
    return Rendered(plain.text, directory) if isinstance(plain, Output) else plain


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


Outcome = Rendered | OverLimit | Applied | str | None  # None: not on its own (a component, an included base)


def resolve_all(
    paths: list[Path],
    root: Path,
    kubectl: str | None,
    read: Callable[[Path], ManifestFile],
    limits: Limits = DEFAULT_LIMITS,
    already_read: Callable[[Path], bool] = lambda _: False,
    reads: Reads | None = None,
) -> list[tuple[Path, Outcome]]:
    """What each kustomization deploys, in the order of `paths`: applied here when plain, rendered by kubectl
    otherwise (several at a time), or why not. A kustomization that another one of `paths` includes is read
    through that one, and on its own only if that one could not be rendered. `reads`: which objects the caller
    reads past their metadata (the others are rendered from stubs where that reads the same)."""
    stubs: Stubs = {}
    real = {path: Path(os.path.realpath(path.parent)) for path in paths}
    by_directory = {directory: path for path, directory in real.items()}
    includers: dict[Path, list[Path]] = {path: [] for path in paths}
    for path in paths:
        for directory in included_directories(path):
            base = by_directory.get(directory)
            if base is not None and base != path:
                includers[base].append(path)
    outcomes: dict[Path, Outcome] = {}
    covered: set[Path] = set()  # read through an overlay that succeeded
    pending = list(paths)
    with ThreadPoolExecutor(PARALLEL_RENDERS) as pool:
        while pending:
            wave = [p for p in pending if all(i in outcomes or i in covered for i in includers[p])] or pending
            pending = [p for p in pending if p not in wave]
            renders: dict[Path, Future[Rendered | OverLimit | str]] = {}
            for path in wave:
                if any(i in covered or isinstance(outcomes.get(i), Rendered | Applied) for i in includers[path]):
                    covered.add(path)
                elif is_component(path):
                    outcomes[path] = None
                elif (refused := refusal(path, root, limits)) is not None:
                    outcomes[path] = refused
                elif is_plain(path):
                    outcomes[path] = apply(path, read, already_read)
                elif kubectl is None:
                    outcomes[path] = "kubectl not found"
                else:
                    renders[path] = pool.submit(render, kubectl, path, root, limits, None, reads, stubs)
            for path, future in renders.items():
                outcomes[path] = future.result()
    return [(path, outcomes.get(path)) for path in paths]


class Origins:
    """Map a rendered object back to the document it was written in (kustomize's origin annotation)."""

    def __init__(self, root: Path, fallback: Location, known: dict[Path, ManifestFile] | None = None) -> None:
        self.root = root.resolve()
        self.fallback = fallback
        self.files: dict[Path, ManifestFile] = known if known is not None else {}  # parsed already: not again

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
