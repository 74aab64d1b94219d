"""Render a Helm chart with `helm template`, offline and sandboxed, like kustomizations with kubectl.

A chart's templates are not manifests: what it deploys exists only once Helm has rendered them with the
chart's default values. nhilint runs the user's `helm`, but only after checking the chart: a dependency
that is not vendored under `charts/` (Helm would need a repository, so the network), or a file or link that
leaves the scan root, is refused before helm runs, with the reason. helm then runs as kubectl does for
kustomize (nhilint.parse.sandbox): PATH only, HOME and every Helm directory (config, cache, data, plugins,
repositories, registry) in a fresh temporary directory, a kubeconfig without a usable context, proxies
pointing at a closed port, its own network namespace where the system allows it. `helm template` never
contacts a cluster (`lookup` returns nothing); its time and output are bounded.

Each object of the output follows a `# Source: <chart>/templates/<file>` comment: findings point at that
template file (its first line: the rendered lines have no counterpart in the template).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.model_inputs import LEAVES_ROOT
from nhilint.parse.bounded_run import Output, OverLimit, run_bounded
from nhilint.parse.sandbox import sandbox

TIMEOUT_SECONDS = 60
RELEASE = "release-name"  # what `helm template` calls the release when none is given
_SOURCE_RE = re.compile(r"^# Source: (?P<path>\S.*?)\s*$")
HELM_DIRECTORIES = {
    "HELM_CACHE_HOME": ".cache/helm",
    "HELM_CONFIG_HOME": ".config/helm",
    "HELM_DATA_HOME": ".local/share/helm",
    "HELM_PLUGINS": ".local/share/helm/plugins",
    "HELM_REGISTRY_CONFIG": ".config/helm/registry/config.json",
    "HELM_REPOSITORY_CONFIG": ".config/helm/repositories.yaml",
    "HELM_REPOSITORY_CACHE": ".cache/helm/repository",
}


@dataclass(frozen=True, slots=True)
class Chart:
    """The rendered stream and the chart directory its `# Source:` paths start in."""

    text: str
    directory: Path

    def source_of(self, line: int) -> Path | None:
        """The template file the object starting at `line` (1-based) of the output was rendered from."""
        lines = self.text.splitlines()
        for number in range(min(line, len(lines)), 0, -1):
            match = _SOURCE_RE.match(lines[number - 1])
            if match:
                parts = PurePosixPath(match["path"]).parts
                return self.directory.joinpath(*parts[1:]) if len(parts) > 1 else None
        return None


def chart_directories(chart_files: list[Path]) -> list[Path]:
    """The charts to render: each `Chart.yaml`'s directory, except subcharts (rendered with their parent)."""
    directories = sorted({file.parent for file in chart_files})
    chosen = set(directories)
    return [d for d in directories if not any(p.name == "charts" and p.parent in chosen for p in d.parents)]


def refusal(chart: Path, root: Path) -> str | None:
    """Why the chart cannot be rendered offline inside the scan root; None when it can."""
    real_root = Path(os.path.realpath(root))
    for directory, subdirectories, files in os.walk(chart):
        for name in [*subdirectories, *files]:
            path = Path(directory, name)
            if not Path(os.path.realpath(path)).is_relative_to(real_root):
                return f"{path.relative_to(chart).as_posix()} {LEAVES_ROOT}"
    try:
        data = yaml.safe_load((chart / "Chart.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return "Chart.yaml cannot be read"
    if not isinstance(data, dict):
        return "Chart.yaml is not a mapping"
    for dependency in data.get("dependencies") or []:
        if not isinstance(dependency, dict):
            return "a dependency of Chart.yaml is not a mapping"
        name = str(dependency.get("alias") or dependency.get("name") or "")
        repository = str(dependency.get("repository") or "")
        vendored = name and ((chart / "charts" / str(dependency.get("name"))).is_dir() or _archive(chart, dependency))
        if not vendored and repository and not repository.startswith("file://"):
            return f"dependency {name or '?'} comes from {repository}; vendor it under charts/ (helm dependency build)"
    return None


def _archive(chart: Path, dependency: dict[str, object]) -> bool:
    return any((chart / "charts").glob(f"{dependency.get('name')}-*.tgz"))


def helm_environment(env: dict[str, str], home: Path) -> dict[str, str]:
    """The sandbox's environment with every Helm directory inside its throw-away HOME."""
    return env | {name: str(home / relative) for name, relative in HELM_DIRECTORIES.items()}


def render(
    helm: str, chart: Path, root: Path, limits: Limits = DEFAULT_LIMITS, timeout: float | None = None
) -> Chart | OverLimit | str:
    """The chart rendered with its default values, or why it was not rendered."""
    refused = refusal(chart, root)
    if refused is not None:
        return refused
    directory = chart.resolve()
    with sandbox("nhilint-helm-") as box:
        command = [helm, "template", RELEASE, str(directory), "--namespace", "default"]
        env = helm_environment(box.env, box.home)
        outcome = run_bounded(
            command, env, box.home, limits, TIMEOUT_SECONDS if timeout is None else timeout, "helm template"
        )
    return Chart(outcome.text, directory) if isinstance(outcome, Output) else outcome
