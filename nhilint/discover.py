"""Which files to scan, and as what. Honours `.gitignore` (simple patterns) and config `exclude` globs.

Terraform is known by its suffix. YAML and JSON files are classified by content, never by name:
CloudFormation (`AWSTemplateFormatVersion`, or `Resources` with `AWS::` types, SAM's `Transform`),
Kubernetes (documents with `apiVersion` and `kind`), Terraform plan JSON (`terraform show -json`), and
`kustomization.yaml` overlays. Anything else is skipped silently.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = frozenset({".git", ".terraform", ".terragrunt-cache", "node_modules", ".venv", "__pycache__", ".tox"})
TERRAFORM_SUFFIXES = (".tf", ".tf.json")
DATA_SUFFIXES = (".yaml", ".yml", ".json", ".template")
KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
SNIFF_BYTES = 1 << 20  # classify on the first MiB; templates and manifests are far smaller

_CFN_RE = re.compile(r"""AWSTemplateFormatVersion|["']?Type["']?\s*:\s*["']?AWS::[A-Za-z0-9]+::|AWS::Serverless""")
_K8S_API_RE = re.compile(r"""^\s*["']?apiVersion["']?\s*:""", re.M)
_K8S_KIND_RE = re.compile(r"""^\s*["']?kind["']?\s*:""", re.M)
_PLAN_RE = re.compile(r'"format_version"')
_PLAN_BODY_RE = re.compile(r'"(?:planned_values|resource_changes)"')


@dataclass(slots=True)
class Discovered:
    terraform: list[Path] = field(default_factory=list)
    other: dict[str, list[Path]] = field(default_factory=dict)  # cloudformation, kubernetes, tfplan, kustomize
    explicit: set[Path] = field(default_factory=set)  # files named on the command line (pre-commit mode)


def kind_of(path: Path) -> str | None:
    """terraform, cloudformation, kubernetes, tfplan, kustomize, or None for anything else."""
    name = path.name
    if name.endswith(TERRAFORM_SUFFIXES):
        return "terraform"
    if name in KUSTOMIZATION_NAMES:
        return "kustomize"
    if not name.endswith(DATA_SUFFIXES):
        return None
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return None
    if name.endswith(".json") and _PLAN_RE.search(head) and _PLAN_BODY_RE.search(head):
        return "tfplan"
    if _CFN_RE.search(head):
        return "cloudformation"
    if _K8S_API_RE.search(head) and _K8S_KIND_RE.search(head):
        return "kubernetes"
    return None


def discover(paths: list[Path], root: Path, exclude: tuple[str, ...] = ()) -> Discovered:
    found = Discovered()
    ignore = _gitignore(root) + list(exclude)
    seen: set[Path] = set()
    for given in paths:
        if given.is_file():
            found.explicit.add(given.resolve())
            _add(found, given, root, ignore, seen, explicit=True)
            continue
        # A directory named on the command line is scanned even if .gitignore covers it.
        patterns = [] if _ignored(given, root, ignore) else ignore
        for dirpath, dirnames, filenames in os.walk(given):
            dirnames[:] = sorted(
                d for d in dirnames if d not in SKIP_DIRS and not _ignored(Path(dirpath, d), root, patterns)
            )
            for name in sorted(filenames):
                _add(found, Path(dirpath, name), root, patterns, seen, explicit=False)
    return found


def _add(found: Discovered, path: Path, root: Path, ignore: list[str], seen: set[Path], explicit: bool) -> None:
    resolved = path.resolve()
    if resolved in seen:
        return
    kind = kind_of(path)
    if kind is None or (not explicit and _ignored(path, root, ignore)):
        return
    seen.add(resolved)
    if kind == "terraform":
        found.terraform.append(path)
    else:
        found.other.setdefault(kind, []).append(path)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _ignored(path: Path, root: Path, patterns: list[str]) -> bool:
    if not patterns:
        return False
    rel = _relative(path, root)
    name = path.name
    for pattern in patterns:
        anchored = pattern.startswith("/")
        clean = pattern.strip("/")
        if fnmatch.fnmatch(rel, clean) or fnmatch.fnmatch(rel, clean + "/*") or fnmatch.fnmatch(rel, clean + "/**"):
            return True
        if not anchored and "/" not in clean and fnmatch.fnmatch(name, clean):
            return True
        if fnmatch.fnmatch(rel, f"**/{clean}") if not anchored else False:
            return True
    return False


def _gitignore(root: Path) -> list[str]:
    path = root / ".gitignore"
    if not path.is_file():
        return []
    patterns = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")):
            patterns.append(line)
    return patterns
