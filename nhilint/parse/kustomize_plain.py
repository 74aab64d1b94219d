"""A kustomization that only lists local manifests is applied here, over the files already parsed.

Most kustomizations in real repositories (kube-prometheus's root one, a base of an overlay) are a list of
local files, perhaps with a `namespace`, a name prefix or suffix, and common labels or annotations. Rendering
such a list with `kubectl kustomize` costs seconds (and needs kubectl) to produce what nhilint has already
read; applying those few transformations itself costs nothing and keeps every object at the exact lines of
its own file. Anything else (patches, components, generators, replacements, other transformers, Helm) is
left to kubectl (nhilint.parse.kustomize).

Here too is `under_kustomization`, which every Kubernetes scan asks of each file: a scan without a
kustomization does not import the renderer (its thread pool, subprocess and temporary directories).

What is applied, as kustomize 5 does it (tests compare both when kubectl is installed):
- `namespace`: set on every object except cluster-scoped kinds; a Namespace object is renamed to it; a
  binding's ServiceAccount subject named `default` moves to it;
- `namePrefix` / `nameSuffix`: every name except a Namespace's and a CustomResourceDefinition's;
- then references to renamed or moved objects of the same kustomization follow them: a Pod template's
  `serviceAccountName`, a binding's `roleRef` and its ServiceAccount `subjects`;
- `commonLabels`, `labels` (with `includeTemplates` or `includeSelectors`) and `commonAnnotations`: added to
  every object's metadata, and labels and annotations to Pod templates as kustomize does.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nhilint.parse.kubernetes import K8sObject, ManifestFile
from nhilint.parse.kustomize_check import KUSTOMIZATION_NAMES, load
from nhilint.values import LDict

# Keys that only say what to read and how to rename, label or place it; with anything else kubectl renders.
PLAIN_KEYS = frozenset(
    {
        "apiVersion",
        "kind",
        "resources",
        "bases",
        "namespace",
        "namePrefix",
        "nameSuffix",
        "commonLabels",
        "labels",
        "commonAnnotations",
    }
)
CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PersistentVolume",
        "StorageClass",
        "PriorityClass",
        "APIService",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "CSIDriver",
        "CSINode",
        "Node",
        "IngressClass",
        "RuntimeClass",
        "PodSecurityPolicy",
        "VolumeAttachment",
        "CertificateSigningRequest",
        "FlowSchema",
        "PriorityLevelConfiguration",
        "ComponentStatus",
    }
)
NOT_RENAMED = frozenset({"Namespace", "CustomResourceDefinition"})
POD_TEMPLATES = {  # kind -> keys down to the Pod template (its metadata and spec)
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
SELECTORS = {kind: (*path[:-1], "selector") for kind, path in POD_TEMPLATES.items() if kind != "CronJob"}

Reader = Callable[[Path], ManifestFile]


@dataclass(slots=True)
class Applied:
    """The objects a plain kustomization produces, each at the lines of the file it was written in."""

    objects: list[K8sObject] = field(default_factory=list)
    files: dict[str, ManifestFile] = field(default_factory=dict)  # by path, for the lines of each object


def is_plain(kustomization: Path) -> bool:
    """Whether the kustomization, and every kustomization it includes, only lists local resources and
    renames, places or labels them (references and reachability are checked by kustomize_check first)."""
    seen: set[str] = set()
    pending = [kustomization]
    while pending:
        file = pending.pop()
        real = os.path.realpath(file)
        if real in seen:
            continue
        seen.add(real)
        data = load(Path(real))
        if not isinstance(data, dict) or not data or not set(data) <= PLAIN_KEYS or not _plain_labels(data):
            return False
        if data.get("kind", "Kustomization") != "Kustomization":
            return False
        for entry in _entries(data):
            target = Path(real).parent / entry
            if target.is_dir():
                found = [target / name for name in KUSTOMIZATION_NAMES if (target / name).is_file()]
                if not found:
                    return False
                pending.append(found[0])
            elif not target.is_file() or not Path(os.path.realpath(target)).is_relative_to(Path(real).parent):
                return False  # kustomize itself refuses a file outside the kustomization's directory
    return True


def included_directories(kustomization: Path) -> list[Path]:
    """The real directories of the kustomizations this one includes (its bases), directly."""
    data = load(kustomization)
    if not isinstance(data, dict):
        return []
    out = []
    for key in ("resources", "bases", "components"):
        for entry in data.get(key) or []:
            if isinstance(entry, str) and "://" not in entry:
                target = kustomization.parent / entry.strip()
                if target.is_dir():
                    out.append(Path(os.path.realpath(target)))
    return out


def apply(kustomization: Path, read: Reader, already_read: Callable[[Path], bool] = lambda _: False) -> Applied:
    """The objects of a plain kustomization (is_plain), with its transformations and its bases' applied.
    `already_read`: files scanned as they are; where nothing transforms them, they are not read again."""
    result = Applied()
    result.objects = _apply(Path(os.path.realpath(kustomization)), read, result, set(), already_read, False)
    return result


def transforms(data: dict[str, Any]) -> bool:
    """Whether a kustomization changes the objects it lists (else it deploys them as they are written)."""
    return any(data.get(key) for key in PLAIN_KEYS - {"apiVersion", "kind", "resources", "bases"})


def _apply(
    kustomization: Path,
    read: Reader,
    result: Applied,
    stack: set[Path],
    already_read: Callable[[Path], bool],
    transformed: bool,
) -> list[K8sObject]:
    data = load(kustomization)
    assert isinstance(data, dict)
    if kustomization in stack:
        return []
    stack = stack | {kustomization}
    transformed = transformed or transforms(data)
    objects: list[_Object] = []
    for entry in _entries(data):
        target = Path(os.path.realpath(kustomization.parent / entry))
        if target.is_dir():
            inner = next(target / name for name in KUSTOMIZATION_NAMES if (target / name).is_file())
            objects.extend(_Object(o) for o in _apply(inner, read, result, stack, already_read, transformed))
        elif not transformed and already_read(target):
            continue  # deployed as written, and read so already
        else:
            manifest = read(target)
            result.files.setdefault(manifest.path, manifest)
            objects.extend(_Object(o) for o in manifest.objects)
    _transform(objects, data)
    return [o.result() for o in objects]


def _entries(data: dict[str, Any]) -> list[str]:
    return [e.strip() for key in ("resources", "bases") for e in (data.get(key) or []) if isinstance(e, str)]


def _plain_labels(data: dict[str, Any]) -> bool:
    """`labels` entries that only add pairs (no `fields`: a custom field spec is a transformer of its own);
    label and annotation values that are text (kustomize refuses others)."""
    for entry in data.get("labels") or []:
        if not isinstance(entry, dict) or not set(entry) <= {"pairs", "includeSelectors", "includeTemplates"}:
            return False
        if not _text_map(entry.get("pairs") or {}):
            return False
    return all(_text_map(data.get(key) or {}) for key in ("commonLabels", "commonAnnotations")) and all(
        isinstance(data.get(key) or "", str) for key in ("namespace", "namePrefix", "nameSuffix")
    )


def _text_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


class _Object:
    """One object being transformed: a copy of what changes (metadata, names in references), the original
    untouched (it was read as a plain file already)."""

    def __init__(self, obj: K8sObject) -> None:
        self.obj = obj
        self.body = _copy(obj.body)
        meta = self.body.get("metadata")
        self.meta = meta if isinstance(meta, LDict) else None
        self.original = (self.namespace, self.name)

    @property
    def kind(self) -> str:
        return self.obj.kind

    @property
    def name(self) -> str:
        name = self.meta.get("name") if self.meta is not None else None
        return name if isinstance(name, str) else ""

    @property
    def namespace(self) -> str:
        namespace = self.meta.get("namespace") if self.meta is not None else None
        return namespace if isinstance(namespace, str) else ""

    def set(self, key: str, value: str) -> None:
        if self.meta is not None:
            self.meta[key] = value

    def result(self) -> K8sObject:
        return K8sObject(self.obj.api_version, self.obj.kind, self.body, self.obj.location)


def _copy(value: Any) -> Any:
    """A copy of a mapping and everything in it, keeping the lines (a scalar is shared: it is immutable)."""
    if isinstance(value, LDict):
        copy = LDict(((k, _copy(v)) for k, v in value.items()), value.line, value.end_line, value.path)
        copy.key_lines = value.key_lines
        return copy
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _transform(objects: list[_Object], data: dict[str, Any]) -> None:
    namespace = data.get("namespace") or ""
    prefix, suffix = data.get("namePrefix") or "", data.get("nameSuffix") or ""
    for obj in objects:
        obj.original = (obj.namespace, obj.name)
    if namespace:
        for obj in objects:
            if obj.kind == "Namespace":
                obj.set("name", namespace)
            elif obj.kind not in CLUSTER_SCOPED:
                obj.set("namespace", namespace)
            if obj.kind in ("RoleBinding", "ClusterRoleBinding"):
                for subject in _subjects(obj):
                    if subject.get("kind") == "ServiceAccount" and subject.get("name") == "default":
                        subject["namespace"] = namespace
    if prefix or suffix:
        for obj in objects:
            if obj.kind not in NOT_RENAMED and obj.name:
                obj.set("name", f"{prefix}{obj.name}{suffix}")
    if namespace or prefix or suffix:
        _follow_references(objects)
    labels, template_labels, selector_labels = _labels(data)
    annotations = data.get("commonAnnotations") or {}
    for obj in objects:
        _add(obj.meta, "labels", labels)
        _add(obj.meta, "annotations", annotations)
        template = _at(obj.body, POD_TEMPLATES.get(obj.kind, ()))
        if template is not None:
            _add(_child(template, "metadata"), "labels", template_labels)
            _add(_child(template, "metadata"), "annotations", annotations)
        selector = _at(obj.body, SELECTORS.get(obj.kind, ()))
        if selector is not None:
            _add(selector, "matchLabels", selector_labels)


def _follow_references(objects: list[_Object]) -> None:
    """Point references at the new names and namespaces of the objects they named (kustomize's nameref)."""

    def target(kind: str, name: Any, namespace: str | None) -> _Object | None:
        found = [
            o
            for o in objects
            if o.kind == kind
            and o.original[1] == name
            and (
                namespace is None or namespace in (o.original[0], o.namespace) or (not namespace and not o.original[0])
            )
        ]
        return found[0] if len(found) == 1 else None

    for obj in objects:
        template = _at(obj.body, (*POD_TEMPLATES.get(obj.kind, ("-",)), "spec")) if obj.kind in POD_TEMPLATES else None
        if obj.kind == "Pod":
            template = obj.body.get("spec") if isinstance(obj.body.get("spec"), LDict) else None
        if template is not None:
            for key in ("serviceAccountName", "serviceAccount"):
                account = target("ServiceAccount", template.get(key), obj.original[0])
                if account is not None and key in template:
                    template[key] = account.name
        if obj.kind in ("RoleBinding", "ClusterRoleBinding"):
            role_ref = obj.body.get("roleRef")
            if isinstance(role_ref, LDict):
                kind = role_ref.get("kind")
                role = target(str(kind), role_ref.get("name"), obj.original[0] if kind == "Role" else None)
                if role is not None:
                    role_ref["name"] = role.name
            for subject in _subjects(obj):
                if subject.get("kind") == "ServiceAccount":
                    account = target("ServiceAccount", subject.get("name"), str(subject.get("namespace") or ""))
                    if account is not None:
                        subject["name"] = account.name
                        if account.namespace:
                            subject["namespace"] = account.namespace


def _subjects(obj: _Object) -> list[LDict]:
    subjects = obj.body.get("subjects")
    return [s for s in subjects if isinstance(s, LDict)] if isinstance(subjects, list) else []


def _labels(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(labels for metadata, for Pod templates, for selectors)."""
    common = dict(data.get("commonLabels") or {})
    metadata, template, selector = dict(common), dict(common), dict(common)
    for entry in data.get("labels") or []:
        pairs = entry.get("pairs") or {}
        metadata.update(pairs)
        if entry.get("includeSelectors"):
            template.update(pairs)
            selector.update(pairs)
        elif entry.get("includeTemplates"):
            template.update(pairs)
    return metadata, template, selector


def _add(holder: LDict | None, key: str, values: dict[str, str]) -> None:
    if holder is None or not values:
        return
    current = holder.get(key)
    if not isinstance(current, LDict):
        current = LDict(line=holder.line, end_line=holder.line, path=holder.path)
        current.key_lines = {}
        holder[key] = current
    for name, value in values.items():
        current[name] = value


def _at(body: LDict, path: tuple[str, ...]) -> LDict | None:
    if not path:
        return None
    node: Any = body
    for step in path:
        node = node.get(step) if isinstance(node, LDict) else None
    return node if isinstance(node, LDict) else None


def _child(holder: LDict, key: str) -> LDict:
    value = holder.get(key)
    if not isinstance(value, LDict):
        value = LDict(line=holder.line, end_line=holder.line, path=holder.path)
        holder[key] = value
    return value


def _may_read_again(kustomization: Path) -> bool:
    """Whether the kustomization may need its files' objects again: all but a plain list of files (whose
    objects are deployed as written and were read so)."""
    data = load(kustomization)
    return not (isinstance(data, dict) and is_plain(kustomization) and not transforms(data))


def under_kustomization(file: Path, root: Path, memo: dict[Path, bool]) -> bool:
    """Whether a directory from the file's up to the scan root holds a kustomization that may read the file
    again (rendered by kubectl or transformed): then its parse is kept, not repeated."""
    directory, top = file.parent, root
    trail: list[Path] = []
    found = False
    while True:
        if directory in memo:
            found = memo[directory]
            break
        trail.append(directory)
        kustomization = next((directory / n for n in KUSTOMIZATION_NAMES if (directory / n).is_file()), None)
        if kustomization is not None and _may_read_again(kustomization):
            found = True
            break
        if directory == top or directory.parent == directory:
            break
        directory = directory.parent
    for seen in trail:
        memo[seen] = found
    return found
