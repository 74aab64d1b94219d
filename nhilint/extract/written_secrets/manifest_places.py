"""Where Kubernetes manifests hold free-form values: metadata, container env and ConfigMap data."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nhilint.extract.written_secrets.notes import decoded_text, note
from nhilint.model import LiteralSecret, Location
from nhilint.values import LDict

if TYPE_CHECKING:
    from nhilint.extract.builder import Builder


_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"  # a copy of the object: reported where written


def manifest(
    builder: Builder,
    body: LDict,
    at: Callable[[Any, str], Location],
    address: str,
    block: Location,
    config_map: bool,
    pod_spec: tuple[str, ...] | None,
) -> None:
    """Note the literal values of an object's (and its Pod template's) annotations and labels, its
    containers' `env[].value`, and a ConfigMap's `data` and `binaryData` (text only); environment
    variables and ConfigMap keys are judged by their names too."""

    def noted(attribute: str, node: LDict, key: str, value: Any, name: Any = None) -> None:
        if isinstance(value, str) and value.strip():
            secret = LiteralSecret(address, attribute, at(node, key), block, None, "kubernetes")
            note(builder, secret, value, name if isinstance(name, str) else None)

    metadata = [("metadata", body.get("metadata"))]
    spec: Any = body
    for step in pod_spec or ():
        spec = spec.get(step) if isinstance(spec, dict) else None
    if pod_spec and len(pod_spec) > 1:  # a workload's Pod template: spec.template.metadata
        template: Any = body
        for step in pod_spec[:-1]:
            template = template.get(step) if isinstance(template, dict) else None
        if isinstance(template, dict):
            metadata.append((".".join((*pod_spec[:-1], "metadata")), template.get("metadata")))
    for prefix, meta in metadata:
        for name in ("annotations", "labels"):
            holder = meta.get(name) if isinstance(meta, dict) else None
            if isinstance(holder, LDict):
                for key, value in holder.items():
                    if key != _LAST_APPLIED:
                        noted(f"{prefix}.{name}.{key}", holder, key, value)
    for kind in ("containers", "initContainers", "ephemeralContainers"):
        containers = spec.get(kind) if isinstance(spec, dict) else None
        for container in containers if isinstance(containers, list) else []:
            env = container.get("env") if isinstance(container, dict) else None
            for item in env if isinstance(env, list) else []:
                if isinstance(item, LDict):
                    label = f"{kind}[{container.get('name', '?')}].env[{item.get('name', '?')}]"
                    noted(label, item, "value", item.get("value"), item.get("name"))
    if not config_map:
        return
    data = body.get("data")
    if isinstance(data, LDict):
        for key, value in data.items():
            noted(f"data.{key}", data, key, value, key)
    binary = body.get("binaryData")
    if isinstance(binary, LDict):
        for key, value in binary.items():
            noted(f"binaryData.{key}", binary, key, decoded_text(value) if isinstance(value, str) else None, key)
