"""Kubernetes manifests (YAML/JSON, and rendered kustomize overlays) -> the same model as the Terraform provider.

Objects read: `ServiceAccount` (identity `kubernetes:ServiceAccount/<ns>/<name>`), `Secret` (a
`service-account-token` Secret is a credential of its ServiceAccount; a `data`/`stringData` value that holds a
secret is a LiteralSecret — where, never what: see `secret_values`), `Role`/`ClusterRole` (rules and aggregation),
`RoleBinding`/`ClusterRoleBinding` (grants, shared with the Terraform extractor through
`nhilint.extract.rbac`), and the Pods of `Pod`, `Deployment`, `StatefulSet`, `DaemonSet`,
`ReplicaSet`, `ReplicationController`, `Job` and `CronJob`, and of any other kind with a Pod template
(Knative Services, Argo Rollouts, custom resources: see `pod_templates`) (usages), and custom resources
naming a ServiceAccount in `spec.serviceAccountName` (an operator runs their Pods as it: `operator_account`).
An object without `metadata.namespace` is in `default`, as `kubectl apply` would put it. Kinds are matched
with their API group, so a CRD that happens to be called `Role` is not mistaken for RBAC.

A Pod without `serviceAccountName` runs as its namespace's `default` ServiceAccount, which the API server
creates and which is rarely written down. The usage is recorded against the implicit id
`kubernetes:ServiceAccount/<ns>/default` all the same — that is what the Pod runs as — but no Identity is
invented: one would need an owner and a retirement hook that nobody can add. Rules that report on it build
a transient identity marked `implicit=true`.

Lifecycle comes from labels and annotations (the policy's keys, then `nhilint.io/owner`, `…/expires`,
`…/retire-on`); `nhilint.io/ignore: "NHI-K8S-001 -- reason until 2027-01-01"` (several separated by `;`)
suppresses findings on the object. Cloud-identity annotations are linked by `nhilint.extract.links`.

The same object written twice (a base scanned as a file and again inside a rendered overlay) is read once.
Linking runs at the end of each call against everything seen so far, so a binding in an overlay finds a
ServiceAccount in a plain file, and one in HCL (`kubernetes_service_account`) as well.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nhilint.extract import written_secrets
from nhilint.extract.builder import Builder
from nhilint.extract.lifecycle import keyed, resolve
from nhilint.extract.manifests import collisions, secret_values
from nhilint.extract.manifests.pod_templates import (
    BUILT_IN,
    custom_resource,
    may_embed_template,
    operator_account,
    pod_spec_path,
)
from nhilint.extract.manifests.rbac_objects import read_binding, read_role
from nhilint.extract.manifests.source import Source
from nhilint.extract.manifests.source import items as _items
from nhilint.extract.manifests.source import text as _text
from nhilint.extract.rbac import (
    PLATFORM,
    TOKEN_SA_ANNOTATION,
    TOKEN_SECRET_TYPE,
    Binding,
    Index,
    Role,
    TerraformObjects,
    bind,
    implicit_service_account,
    lifecycle_keys,
    terraform_accounts,
)
from nhilint.extract.tag_text import plain_tags
from nhilint.model import Credential, Identity, Lifecycle, LiteralSecret, Location, Unknown, Usage
from nhilint.model_inputs import Annotation, ParseError, ToolRender, is_outside_root
from nhilint.parse.kubernetes import K8sObject, ManifestFile, parse_file, parse_text
from nhilint.parse.kustomize_plain import under_kustomization
from nhilint.values import LDict, to_text

IGNORE_ANNOTATION = "nhilint.io/ignore"
RBAC_GROUP = "rbac.authorization.k8s.io"
CLUSTER_KINDS = frozenset({"ClusterRole", "ClusterRoleBinding"})
RBAC_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})
POD_SPECS = BUILT_IN  # the built-in workload kinds; others are found by `pod_spec_path`


@dataclass(slots=True)
class State:
    """What every call has seen (kept on the Builder, `builder.side(State)`): ServiceAccounts, roles, objects,
    usages."""

    accounts: dict[tuple[str, str], str] = field(default_factory=dict)  # the first copy of each
    copies: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)  # (file, id) of every copy
    roles: list[Role] = field(default_factory=list)
    seen: set[tuple[str, str, str]] = field(default_factory=set)
    usages: set[tuple[str, str]] = field(default_factory=set)
    files: dict[Path, ManifestFile] = field(default_factory=dict)  # parsed files a kustomization may name
    kustomized: dict[Path, bool] = field(default_factory=dict)  # directories with a kustomization above
    read: set[Path] = field(default_factory=set)  # manifest files scanned as written
    declared: dict[collisions.Key, list[Location]] = field(default_factory=dict)  # where each object is written


@dataclass(slots=True)
class Batch:
    """What one call links at its end."""

    token_secrets: list[tuple[Credential, str | None, str]] = field(default_factory=list)
    workloads: list[tuple[str, str, str, str | None, Location, tuple[tuple[str, str], ...]]] = field(
        default_factory=list
    )
    bindings: list[Binding] = field(default_factory=list)


def extract(paths: list[Path], root: Path, builder: Builder) -> None:
    """Plain manifest files (parsed in a worker process too when there are many: parse_files)."""
    from nhilint.parse.kubernetes import parse_files

    state, batch = _state(builder), Batch()
    real_root = root.resolve()
    files = [(file, file.resolve()) for file in sorted(paths)]
    tasks = [(file, _relative(file, real_root, real), builder.limits, reads_body) for file, real in files]
    for (file, real), manifest in zip(files, parse_files(tasks), strict=True):
        state.read.add(real)
        kustomized = under_kustomization(file, root, state.kustomized)
        if kustomized:  # a kustomization may read it again
            state.files[real] = manifest
        builder.inventory.errors.extend(manifest.errors)
        # a file under a kustomization may be a patch of an object written elsewhere: not a second copy
        copies = not kustomized
        for obj in manifest.objects:
            source = Source(obj.location, manifest.lines)
            read_object(obj, source, builder, state, batch, rendered=False, copies=copies)
    _link(builder, state, batch)


def extract_kustomizations(paths: list[Path], root: Path, builder: Builder) -> None:
    """Render each kustomization with `kubectl kustomize` and read its objects; note those not rendered."""
    from nhilint.parse import kustomize  # only with a kustomization: the renderer's imports cost ~10 ms

    state, batch = _state(builder), Batch()
    real_root = root.resolve()

    def read(file: Path) -> ManifestFile:
        if file not in state.files:
            state.files[file] = parse_file(file, _relative(file, real_root), builder.limits, reads_body)
        return state.files[file]

    outcomes = kustomize.resolve_all(
        sorted(paths), root, shutil.which("kubectl"), read, builder.limits, state.read.__contains__, reads_body
    )
    for file, rendered in outcomes:  # kubectl only where needed; it refuses what could leave the sandbox
        path = _relative(file, real_root)
        where = Location(path, 1, 1)
        if rendered is None:
            continue
        if isinstance(rendered, kustomize.Applied):
            for obj in rendered.objects:
                source = Source(obj.location, rendered.files[obj.location.path].lines)
                read_object(obj, source, builder, state, batch, rendered=True)
            continue
        if isinstance(rendered, kustomize.OverLimit):
            builder.inventory.errors.append(rendered.error(path))
            continue
        if isinstance(rendered, str):
            if is_outside_root(rendered):  # a safety event (NHI-PARSE-006), not only a note
                builder.inventory.errors.append(
                    ParseError(path, 1, f"overlay not rendered: {rendered}", "outside-root")
                )
            else:
                builder.unresolved(f"kustomization {path}", f"overlay not rendered: {rendered}", where)
            continue
        manifest = parse_text(rendered.text, path, limits=builder.limits, reads=reads_body)
        if manifest.error is not None:
            builder.unresolved(f"kustomization {path}", f"rendered output not read: {manifest.error.reason}", where)
            continue
        builder.inventory.rendered.append(ToolRender(f"kustomization {path}", "kubectl kustomize", where))
        origins = kustomize.Origins(root, where, state.files)
        for obj in manifest.objects:
            source = Source(origins.locate(obj, rendered.origin_base))
            read_object(obj, source, builder, state, batch, rendered=True)
    _link(builder, state, batch)


def reads_body(api_version: str, kind: str) -> bool:
    """Whether `read_object` looks past an object's metadata; the parser skims the others' bodies."""
    group = api_version.rpartition("/")[0]
    if group == "":
        return kind in ("ServiceAccount", "Secret", "ConfigMap") or (group, kind) in POD_SPECS
    return (
        (group == RBAC_GROUP and kind in RBAC_KINDS)
        or (group, kind) in POD_SPECS
        or may_embed_template(group)
        or custom_resource(group)  # `spec.serviceAccountName` an operator runs Pods as
    )


def _state(builder: Builder) -> State:
    return builder.side(State)


def _relative(file: Path, real_root: Path, real: Path | None = None) -> str:
    """`file` relative to the (resolved) scan root; `real`: the file already resolved."""
    try:
        return (real or file.resolve()).relative_to(real_root).as_posix()
    except ValueError:
        return file.as_posix()


# -- one object ------------------------------------------------------------------------------------


def read_object(
    obj: K8sObject, source: Source, builder: Builder, state: State, batch: Batch, rendered: bool, copies: bool = False
) -> None:
    """One object; with `copies`, a second one of the same kind, namespace and name is kept and reported."""
    meta = obj.body.get("metadata")
    meta = meta if isinstance(meta, LDict) else LDict()
    name = _name(meta)
    namespace = None if obj.kind in CLUSTER_KINDS else _text(meta.get("namespace")) or "default"
    key = (obj.kind, namespace or "", str(name))
    if rendered and key in state.seen:
        return  # the same object as a scanned file already gave
    state.seen.add(key)
    shown = name if isinstance(name, str) else "<generated>" if meta.get("generateName") else "<unnamed>"
    address = "/".join(p for p in (obj.kind, namespace, shown) if p)
    if copies and isinstance(name, str) and collisions.tracked(obj.group, obj.kind):
        where = (obj.group, obj.kind, namespace or "", name)
        again, collided = collisions.collision(state.declared, where, obj.location)
        if collided is not None:
            builder.inventory.errors.append(collided)
        if again and (obj.group, obj.kind) == ("", "ServiceAccount"):  # both kept: the second's id has its file
            address = collisions.with_file(address, obj.location)
    _ignores(meta, source, builder)
    group = obj.group
    pod_spec = pod_spec_path(group, obj.kind, obj.body)
    written_secrets.manifest(
        builder,
        obj.body,
        source.at,
        address,
        source.location,
        (group, obj.kind) == ("", "ConfigMap"),
        pod_spec,
    )
    if group == "" and obj.kind == "ServiceAccount":
        _service_account(obj, meta, source, builder, state, address, name, namespace or "default")
    elif group == "" and obj.kind == "Secret":
        _secret(obj, meta, source, builder, batch, address, namespace or "default")
    elif group == RBAC_GROUP and obj.kind in ("Role", "ClusterRole"):
        state.roles.append(read_role(obj, meta, source, address, name, namespace))
    elif group == RBAC_GROUP and obj.kind in ("RoleBinding", "ClusterRoleBinding"):
        batch.bindings.append(read_binding(obj, source, address, namespace))
    elif pod_spec is not None:
        _workload(obj, source, batch, address, namespace or "default", pod_spec)
    operated = operator_account(group, obj.body)
    if operated is not None:  # an operator runs this resource's Pods as the ServiceAccount it names
        batch.workloads.append((address, obj.kind, namespace or "default", operated, source.location, ()))


def _name(meta: LDict) -> str | Unknown:
    name = _text(meta.get("name"))
    if name:
        return name
    if meta.get("generateName"):
        return Unknown("generateName: the name is chosen by the API server")
    return Unknown("the object has no metadata.name")


def _mapping(meta: LDict, key: str) -> LDict:
    value = meta.get(key)
    return value if isinstance(value, LDict) else LDict()


def _ignores(meta: LDict, source: Source, builder: Builder) -> None:
    annotations = _mapping(meta, "annotations")
    value = annotations.get(IGNORE_ANNOTATION)
    if not isinstance(value, str):
        return
    at = source.at(annotations, IGNORE_ANNOTATION)
    for part in value.split(";"):
        note = Annotation("ignore", part.strip(), at, source.location)
        if part.strip() and note not in builder.inventory.annotations:  # a base read again inside an overlay
            builder.inventory.annotations.append(note)


def lifecycle(builder: Builder, meta: LDict, source: Source) -> Lifecycle:
    """Owner, purpose, expiry, retire-on from annotations (which win) and labels, by the policy's keys.

    Manifests have no `# nhilint:` comment source (suppressions use the `nhilint.io/ignore` annotation).
    """
    holders = (("annotation", _mapping(meta, "annotations")), ("label", _mapping(meta, "labels")))
    return resolve([keyed(holders, lifecycle_keys(builder.settings), source.at)])


def _service_account(
    obj: K8sObject,
    meta: LDict,
    source: Source,
    builder: Builder,
    state: State,
    address: str,
    name: str | Unknown,
    namespace: str,
) -> None:
    identity_id = f"{PLATFORM}:{address}"
    if identity_id in builder.inventory.identities:
        return  # the same object again (read from a file and inside a rendered overlay)
    automount = obj.body.get("automountServiceAccountToken")
    attributes = [
        ("automount_service_account_token", "true" if automount is None else str(to_text(automount))),
        ("namespace", namespace),
    ]
    for key, attribute in (("imagePullSecrets", "image_pull_secrets"), ("secrets", "secrets")):
        names = [_text(item.get("name")) for item in _items(obj.body.get(key)) if isinstance(item, dict)]
        if any(names):
            attributes.append((attribute, ",".join(n for n in names if n)))
    tags = {
        k: v
        for holder in (_mapping(meta, "labels"), _mapping(meta, "annotations"))
        for k, v in holder.items()
        if k != "kubectl.kubernetes.io/last-applied-configuration"
    }
    identity = Identity(
        identity_id,
        "k8s_service_account",
        PLATFORM,
        address,
        source.location,
        name,
        plain_tags(tags),
        lifecycle(builder, meta, source),
        attributes=tuple(attributes),
    )
    builder.add_identity(identity, "ServiceAccount")
    if isinstance(name, str):  # every copy, for the references written beside it (rbac.Index.account)
        state.copies.setdefault((namespace, name), []).append((source.location.path, identity_id))
    if isinstance(name, str) and (namespace, name) not in state.accounts:  # other links go to the first copy
        builder.by_name.pop(("ServiceAccount", name), None)  # bare names are ambiguous across namespaces
        builder.register(address, identity_id, "ServiceAccount", f"{namespace}/{name}")
        state.accounts[(namespace, name)] = identity_id


def _secret(
    obj: K8sObject, meta: LDict, source: Source, builder: Builder, batch: Batch, address: str, namespace: str
) -> None:
    written: Location | None = None
    for attribute in ("data", "stringData"):
        values = obj.body.get(attribute)
        if not isinstance(values, LDict) or "sops" in obj.body:
            continue
        keys = secret_values.secret_keys(values, attribute == "data", obj.body.get("type"))
        if keys:  # one finding per attribute, at its first key that holds a secret
            at = source.at(values, keys[0])
            written = written or at
            builder.inventory.literal_secrets.append(
                LiteralSecret(address, attribute, at, source.location, None, PLATFORM)
            )
    if obj.body.get("type") != TOKEN_SECRET_TYPE:
        return
    credential = Credential(
        f"{PLATFORM}:{address}",
        "sa_token_secret",
        PLATFORM,
        address,
        source.location,
        lifecycle=lifecycle(builder, meta, source),
        secret_in_code=written,
    )
    batch.token_secrets.append((credential, _text(_mapping(meta, "annotations").get(TOKEN_SA_ANNOTATION)), namespace))


# -- workloads ----------------------------------------------------------------------------------


def _workload(
    obj: K8sObject, source: Source, batch: Batch, address: str, namespace: str, path: tuple[str, ...]
) -> None:
    spec: Any = obj.body
    for key in path:
        spec = spec.get(key) if isinstance(spec, dict) else None
    if not isinstance(spec, dict):
        return
    account = _text(spec.get("serviceAccountName")) or _text(spec.get("serviceAccount")) or None
    attributes: list[tuple[str, str]] = []
    automount = spec.get("automountServiceAccountToken")
    if automount is not None:
        attributes.append(("automount_service_account_token", str(to_text(automount))))
    projected = [volume.get("projected") for volume in _items(spec.get("volumes")) if isinstance(volume, dict)]
    tokens = [
        _projected_token(source_["serviceAccountToken"])
        for sources in projected
        if isinstance(sources, dict)
        for source_ in _items(sources.get("sources"))
        if isinstance(source_, dict) and isinstance(source_.get("serviceAccountToken"), dict)
    ]
    if tokens:
        attributes.append(("projected_tokens", ";".join(tokens)))
    batch.workloads.append((address, obj.kind, namespace, account, source.location, tuple(attributes)))


def _projected_token(token: dict[str, Any]) -> str:
    """`audience=<aud>,expirationSeconds=<n>` (the API server and 3600 s when not set)."""
    audience = _text(token.get("audience")) or "api"
    seconds = _text(token.get("expirationSeconds")) or "3600"
    return f"audience={audience},expirationSeconds={seconds}"


# -- linking ---------------------------------------------------------------------------------------


def _link(builder: Builder, state: State, batch: Batch) -> None:
    index = Index({}, {}, {}, {**terraform_accounts(builder), **state.accounts}, state.copies)
    for credential, sa_name, namespace in batch.token_secrets:
        of: str | Unknown | None = None
        if sa_name is not None:
            found = index.account(sa_name, namespace, credential.location.path)
            of = (
                found
                if found is not None
                else Unknown(f"ServiceAccount {namespace}/{sa_name} is not in the scanned code")
            )
        builder.add_credential(replace(credential, of=of), None, ())
    for address, kind, namespace, account, location, attributes in batch.workloads:
        name = account or "default"
        found = index.account(name, namespace, location.path)
        if found is None and name == "default":
            found = implicit_service_account(namespace)
        if isinstance(found, str) and (found, address) not in state.usages:
            state.usages.add((found, address))
            builder.add_usage(Usage(found, address, kind, location, attributes), None, (), PLATFORM)
    roles = [*state.roles, *builder.side(TerraformObjects).roles]
    for item in batch.bindings:
        bind(builder, index, item, roles)
