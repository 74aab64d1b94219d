"""What kustomize would reach before it runs: a kustomization is refused, with the reason, if rendering it
could touch the network, run Helm, or read outside the scan root.

kustomize fetches remote bases (`https://…`, `git@…`, `github.com/org/repo`), resource files and schemas over
HTTP (`openapi: {path: https://…}`), and inflates Helm charts (`helmCharts`, `HelmChartInflationGenerator`),
which downloads charts and runs their templates. It also tries an entry as a remote URL when no local file of
that name exists. So every kustomization the overlay reaches (its bases and components, followed through the
tree) is read here, and every path it names must be a local file or directory inside the scan root.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.model_inputs import LEAVES_ROOT
from nhilint.parse.yamlmarks import LOADER

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
REMOTE_PREFIXES = ("http://", "https://", "git@", "ssh://", "git::", "github.com/", "gitlab.com/", "bitbucket.org/")
# Keys that kustomize never resolves offline.
REFUSED_KEYS = {
    "openapi": "openapi schemas are not loaded (kustomize may fetch them over HTTP)",
    "helmCharts": "helmCharts are not inflated (Helm would download the chart and run its templates)",
    "helmChartInflationGenerator": "helmChartInflationGenerator is not run (Helm would download the chart and "
    "run its templates)",
    "helmGlobals": "helmGlobals: Helm charts are not inflated (Helm would download the chart and run its templates)",
}
# Keys that list kustomizations (followed) or resource files.
RESOURCE_KEYS = ("resources", "bases", "components")
# Keys that list other files or plugin configurations (which may be inline YAML text).
FILE_KEYS = ("generators", "transformers", "validators", "crds", "configurations", "patchesStrategicMerge")
ENTRY_KEYS = ("patches", "patchesJson6902", "replacements")  # entries with a `path:`
GENERATOR_KEYS = ("configMapGenerator", "secretGenerator", "helmChartInflationGenerator")
_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")


def refusal(kustomization: Path, root: Path, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why the kustomization must not be rendered, or None when everything it reaches is local and inside."""
    real_root = Path(os.path.realpath(root))
    pending, seen = [kustomization], set()
    while pending:
        file = pending.pop()
        real = os.path.realpath(file)
        if real in seen:
            continue
        seen.add(real)
        data = load(Path(real), limits)
        if isinstance(data, str):
            return data
        where = _shown(Path(real), real_root)
        for key, reason in REFUSED_KEYS.items():
            if key in data:
                return f"{reason} ({where})"
        for key, entry in named_paths(data):
            problem = local_path(entry, Path(real).parent, real_root)
            if isinstance(problem, str):
                return f"{problem} ({where}, {key})"
            if key in RESOURCE_KEYS and problem.is_dir():
                pending.extend(problem / name for name in KUSTOMIZATION_NAMES if (problem / name).is_file())
        for key, inline in _inline_plugins(data):
            if "HelmChartInflationGenerator" in inline or "helmCharts" in inline:
                return f"{REFUSED_KEYS['helmCharts']} ({where}, inline {key})"
    return None


def is_component(kustomization: Path) -> bool:
    """A `kind: Component` is only meaningful inside an overlay; it is not rendered on its own."""
    data = load(kustomization, DEFAULT_LIMITS)
    return isinstance(data, dict) and data.get("kind") == "Component"


def load(path: Path, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any] | str:
    """The kustomization's mapping; an empty one when kustomize will report the problem itself."""
    try:
        if os.stat(path).st_size > limits.max_file_bytes:
            return f"{_shown(path, path.parent)} is larger than {limits.describe('max_file_bytes')}"
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def named_paths(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(key, path) for every file or directory the kustomization names."""
    for key in (*RESOURCE_KEYS, *FILE_KEYS):
        for entry in _list(data.get(key)):
            if isinstance(entry, str) and "\n" not in entry:  # a multi-line entry is an inline configuration
                yield key, entry.strip()
    for key in ENTRY_KEYS:
        for entry in _list(data.get(key)):
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                yield key, entry["path"]
    for key in GENERATOR_KEYS:
        for generator in _list(data.get(key)):
            if not isinstance(generator, dict):
                continue
            for field in ("files", "envs"):
                for entry in _list(generator.get(field)):
                    if isinstance(entry, str):
                        yield key, entry.split("=", 1)[-1]
            if isinstance(generator.get("env"), str):
                yield key, generator["env"]


def _inline_plugins(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for key in ("generators", "transformers", "validators"):
        for entry in _list(data.get(key)):
            if isinstance(entry, str) and "\n" in entry:
                yield key, entry
            elif isinstance(entry, dict):
                yield key, yaml.safe_dump(entry)


def local_path(entry: str, directory: Path, real_root: Path) -> Path | str:
    """The real local path an entry names, or why it is refused (remote, missing, outside the scan root)."""
    if entry.startswith(REMOTE_PREFIXES) or "://" in entry:
        return f"remote resource {_USERINFO.sub('', entry)} is not fetched"
    try:
        real = Path(os.path.realpath(directory / entry))
        exists = real.exists()
    except (OSError, RuntimeError, ValueError):
        return f"{_shown(directory / entry, real_root)} cannot be resolved"
    if not real.is_relative_to(real_root):
        return f"{_shown(directory / entry, real_root)} {LEAVES_ROOT}"
    if not exists:  # kustomize would try it as a remote URL
        return f"{_shown(directory / entry, real_root)} does not exist (it is not fetched as a remote resource)"
    return real


def _shown(path: Path, root: Path) -> str:
    absolute = Path(os.path.abspath(path))
    return absolute.relative_to(root).as_posix() if absolute.is_relative_to(root) else path.name


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
