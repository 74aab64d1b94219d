"""Kubernetes (Terraform): ServiceAccounts, their token Secrets, RBAC bindings and the Pods that run as them.

RBAC links by name, not by reference: a binding names its role and its subjects as `namespace/name`, and a
namespace is often itself a reference to a `kubernetes_namespace`. So handlers only record what they see;
`finish()` links everything once every namespace, ServiceAccount and role of the scan is known.

The records and the grant shapes are shared with the manifest extractor (`nhilint.extract.rbac`), so a
RoleBinding in HCL and one in YAML become the same model. A Pod without `service_account_name` runs as its
namespace's `default` ServiceAccount: when no `default` is in the code the usage points at the implicit id
`kubernetes:ServiceAccount/<ns>/default` (no Identity is invented for it; rules that need it build one).
The provider sends a pod spec's `automount_service_account_token` as `true` when it is not set, which
overrides a ServiceAccount's `false`: the usage records that.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from nhilint.extract.builder import Builder
from nhilint.extract.common import identity_id, literal_secret, plain_tags
from nhilint.extract.lifecycle import comments, keyed, resolve, unevaluated
from nhilint.extract.manifests import secret_values
from nhilint.extract.rbac import (
    CLOUD_IDENTITY_ANNOTATIONS,
    PLATFORM,
    SA_TYPES,
    TOKEN_SA_ANNOTATION,
    TOKEN_SECRET_TYPE,
    Binding,
    Index,
    Link,
    Meta,
    PendingWorkload,
    Role,
    Rule,
    Subject,
    TerraformObjects,
    bind,
    implicit_service_account,
    lifecycle_keys,
)
from nhilint.extract.terraform.table import PlatformTable
from nhilint.model import Credential, Identity, K8sRule, Lifecycle, LiteralSecret, Location, Unknown, Usage
from nhilint.parse import hcl
from nhilint.parse.terraform import TfRecord, TfResource
from nhilint.values import LDict, Ref, ref_marker, to_text

# Workload type -> nested blocks down to its pod spec (`kubernetes_daemonset` is the pre-v1 spelling).
_TEMPLATE = ("spec", "template", "spec")
POD_SPECS: dict[str, tuple[str, ...]] = {
    **{
        t: _TEMPLATE
        for t in (
            "kubernetes_deployment",
            "kubernetes_deployment_v1",
            "kubernetes_stateful_set",
            "kubernetes_stateful_set_v1",
            "kubernetes_daemonset",
            "kubernetes_daemon_set_v1",
            "kubernetes_job",
            "kubernetes_job_v1",
        )
    },
    **dict.fromkeys(("kubernetes_pod", "kubernetes_pod_v1"), ("spec",)),
    **dict.fromkeys(("kubernetes_cron_job", "kubernetes_cron_job_v1"), ("spec", "job_template", *_TEMPLATE)),
}


def link(value: Any) -> Link:
    """A value as something to link by: a Ref (also from a `${…}` marker), text, or Unknown."""
    if value is None or isinstance(value, Ref | Unknown):
        return value
    if isinstance(value, list) and len(value) == 1:
        return link(value[0])
    text = to_text(value)
    return (ref_marker(text) or text) if isinstance(text, str) else text


def metadata(record: TfRecord) -> Meta:
    blocks = record.blocks("metadata")
    if not blocks:
        return Meta(Unknown("the resource has no metadata block"), None, None, None)
    meta = blocks[0]
    name = link(meta.get("name"))
    if name is None and meta.has("generate_name"):
        name = Unknown("generate_name: the name is generated at apply")
    return Meta(name, link(meta.get("namespace")), meta.get("labels"), meta.get("annotations"))


def lifecycle(builder: Builder, record: TfRecord, meta: Meta) -> Lifecycle:
    """`# nhilint:` comments, then annotations and labels (policy keys, then `nhilint.io/*`; an annotation wins
    over a label of the same key), then labels or annotations that could not be evaluated."""

    def holder_line(holder: Any, key: str) -> Location:
        line = holder.line if isinstance(holder, LDict) and holder.line else record.location.start_line
        return Location(record.path, line, line)

    holders = (("annotation", meta.annotations), ("label", meta.labels))
    sources = [
        comments(builder.annotations.get(record.location, ())),
        keyed(holders, lifecycle_keys(builder.settings), holder_line),
    ]
    unknown = next((m for m in (meta.labels, meta.annotations) if isinstance(m, Unknown | Ref)), None)
    if unknown is not None:
        sources.append(unevaluated(unknown, "metadata", record.location))
    return resolve(sources)


def _merged(meta: Meta) -> dict[str, Any]:
    """Labels and annotations in one map (an annotation wins over a label of the same key)."""
    return {k: v for m in (meta.labels, meta.annotations) if isinstance(m, dict) for k, v in m.items()}


# -- identities and credentials --------------------------------------------------------------------


def service_account(resource: TfResource, builder: Builder) -> None:
    meta = metadata(resource)
    automount = resource.get("automount_service_account_token")
    shown = to_text(automount) if automount is not None else "true"
    identity = Identity(
        id=identity_id(PLATFORM, resource.address),
        kind="k8s_service_account",
        platform=PLATFORM,
        address=resource.address,
        location=resource.location,
        name=meta.name if isinstance(meta.name, str | Unknown) else None,
        tags=plain_tags(_merged(meta)),
        lifecycle=lifecycle(builder, resource, meta),
        multiplicity=resource.multiplicity,
        attributes=(("automount_service_account_token", str(shown)),),
    )
    builder.add_identity(identity, resource.type)
    builder.side(TerraformObjects).service_accounts.append((identity.id, resource.address, meta))
    annotations = meta.annotations if isinstance(meta.annotations, dict) else {}
    for key, (types, platform) in CLOUD_IDENTITY_ANNOTATIONS.items():
        target = link(annotations.get(key))
        if isinstance(target, Ref) or (platform == "aws" and isinstance(target, str)):
            usage = Usage("", resource.address, f"{resource.type} ({key})", resource.location, link=key)
            builder.add_usage(usage, target, types, platform)


def namespace(resource: TfResource, builder: Builder) -> None:
    builder.side(TerraformObjects).namespaces.append((resource.address, metadata(resource).name))


def secret(resource: TfResource, builder: Builder) -> None:
    """A `data` value that holds a secret is a leak (judged per key as a manifest's, `secret_values`); a
    service-account-token Secret is a token that never expires."""
    written: Location | None = None
    for attr in ("data", "binary_data"):
        at = _secret_data(resource, attr)
        if at is not None:
            written = written or at
            builder.inventory.literal_secrets.append(
                LiteralSecret(resource.address, attr, at, resource.location, None, PLATFORM)
            )
    if resource.get("type") != TOKEN_SECRET_TYPE:
        return
    meta = metadata(resource)
    annotations = meta.annotations
    sa_name = link(annotations.get(TOKEN_SA_ANNOTATION)) if isinstance(annotations, dict) else link(annotations)
    credential = Credential(
        id=identity_id(PLATFORM, resource.address),
        kind="sa_token_secret",
        platform=PLATFORM,
        address=resource.address,
        location=resource.location,
        lifecycle=lifecycle(builder, resource, meta),
        secret_in_code=written,
    )
    builder.side(TerraformObjects).token_secrets.append((credential, sa_name, meta.namespace))


def _secret_data(resource: TfResource, attribute: str) -> Location | None:
    """Where the first literal value of a Secret's `data` (text) or `binary_data` (base64) that holds a secret
    is written; a literal that is not a map of literals is one (as before)."""
    expr = resource.expr(attribute)
    if not isinstance(expr, hcl.ObjectExpr):
        return literal_secret(resource, attribute)
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    for key, value in expr.items:
        name = key.name if isinstance(key, hcl.Name) else key.value if isinstance(key, hcl.Literal) else None
        if isinstance(name, str) and isinstance(value, hcl.Literal) and isinstance(value.value, str):
            values[name], lines[name] = value.value, value.line
    secret_type = resource.get("type")
    keys = secret_values.secret_keys(values, attribute == "binary_data", secret_type)
    return Location(resource.path, lines[keys[0]], lines[keys[0]]) if keys else None


# -- RBAC ------------------------------------------------------------------------------------------


def role(resource: TfResource, builder: Builder) -> None:
    rules = [_rule(block) for block in resource.blocks("rule")]
    rules += [Rule(None, d.location, "dynamic rule blocks are not evaluated") for d in _dynamic(resource, "rule")]
    selectors = [
        Unknown("match_expressions selectors are not evaluated")
        if selector.has("match_expressions") or selector.blocks("match_expressions")
        else selector.get("match_labels", {})
        for aggregation in resource.blocks("aggregation_rule")
        for selector in aggregation.blocks("cluster_role_selectors")
    ]
    kind = "ClusterRole" if "cluster_role" in resource.type else "Role"
    builder.side(TerraformObjects).roles.append(
        Role(resource.address, kind, metadata(resource), tuple(rules), tuple(selectors), resource.location)
    )


def _rule(block: TfRecord) -> Rule:
    values: dict[str, list[str]] = {}
    for attr in ("verbs", "api_groups", "resources", "resource_names", "non_resource_urls"):
        value = block.get(attr)
        items = value if isinstance(value, list) else ([] if value is None else [value])
        texts = [
            Unknown(f"{item} is known only after apply") if isinstance(item, Ref) else to_text(item) for item in items
        ]
        bad = next((t for t in texts if not isinstance(t, str)), None)
        if bad is not None:
            reason = bad.reason if isinstance(bad, Unknown) else str(bad)
            return Rule(None, block.location, f"rule {attr}: {reason}")
        values[attr] = [t for t in texts if isinstance(t, str)]
    permission = K8sRule(
        values["verbs"],
        values["api_groups"],
        values["resources"],
        values["resource_names"],
        values["non_resource_urls"],
    )
    return Rule(permission, block.location)


def binding(resource: TfResource, builder: Builder) -> None:
    role_ref = next(iter(resource.blocks("role_ref")), None)
    subjects: list[Subject | Unknown] = [
        Subject(link(s.get("kind")), link(s.get("name")), link(s.get("namespace"))) for s in resource.blocks("subject")
    ]
    subjects += [Unknown("dynamic subject blocks are not evaluated") for _ in _dynamic(resource, "subject")]
    builder.side(TerraformObjects).bindings.append(
        Binding(
            resource.address,
            "cluster_role_binding" in resource.type,
            metadata(resource).namespace,
            link(role_ref.get("kind")) if role_ref else None,
            link(role_ref.get("name")) if role_ref else Unknown("the binding has no role_ref block"),
            role_ref.location if role_ref else resource.location,
            tuple(subjects),
            resource.location,
        )
    )


def _dynamic(record: TfRecord, name: str) -> list[TfRecord]:
    return [d for d in record.blocks("dynamic") if d.block.labels[:1] == (name,)]


# -- workloads -------------------------------------------------------------------------------------


def workload(resource: TfResource, builder: Builder) -> None:
    records: list[TfRecord] = [resource]
    for part in POD_SPECS[resource.type]:
        records = [child for record in records for child in record.blocks(part)]
    if records:
        spec = records[0]
        account = link(spec.get("service_account_name")) or None  # "" is the default account too
        automount = spec.get("automount_service_account_token")
        attributes = [("automount_service_account_token", "true" if automount is None else str(to_text(automount)))]
        tokens = [
            _projected_token(token)
            for volume in spec.blocks("volume")
            for projected in volume.blocks("projected")
            for sources in projected.blocks("sources")
            for token in sources.blocks("service_account_token")
        ]
        if tokens:
            attributes.append(("projected_tokens", ";".join(tokens)))
        builder.side(TerraformObjects).workloads.append(
            PendingWorkload(
                resource.address,
                resource.type,
                metadata(resource).namespace,
                account,
                resource.location,
                tuple(attributes),
            )
        )


def _projected_token(token: TfRecord) -> str:
    """`audience=<aud>,expirationSeconds=<n>` of a projected token (the API server and 3600 s by default)."""
    audience = token.get("audience")
    seconds = token.get("expiration_seconds")
    return (
        f"audience={'api' if audience is None else to_text(audience)},"
        f"expirationSeconds={3600 if seconds is None else to_text(seconds)}"
    )


# -- linking, after every resource is seen ---------------------------------------------------------


def finish(builder: Builder) -> None:
    index = _index(builder)
    recorded = builder.side(TerraformObjects)
    for credential, sa_name, sa_namespace in recorded.token_secrets:
        of: str | Unknown | None = None
        if sa_name is not None:
            ns = index.namespace_of(sa_namespace, "default")
            found = index.account(sa_name, ns)
            of = found if found is not None else Unknown(f"ServiceAccount {ns}/{sa_name} is not in the scanned code")
        builder.add_credential(replace(credential, of=of), None, ())
    for address, type_, namespace_value, account, location, attributes in recorded.workloads:
        ns = index.namespace_of(namespace_value, "default")
        name = "default" if account is None else account
        found = index.account(name, ns)
        if found is None and name == "default" and isinstance(ns, str) and "${" not in ns:
            found = implicit_service_account(ns)
        if isinstance(found, str):
            builder.add_usage(Usage(found, address, type_, location, attributes), None, (), PLATFORM)
    for item in recorded.bindings:
        bind(builder, index, item, recorded.roles)


def _index(builder: Builder) -> Index:
    recorded = builder.side(TerraformObjects)
    namespaces = {address: name for address, name in recorded.namespaces}
    index = Index(namespaces, {}, {}, {})
    bare: dict[str, list[str]] = {}
    for identity_id_, address, meta in recorded.service_accounts:
        ns = index.namespace_of(meta.namespace, "default")
        index.sa_namespace[address] = ns
        index.sa_by_address[address] = identity_id_
        identity = builder.inventory.identities[identity_id_]
        builder.inventory.identities[identity_id_] = replace(
            identity, attributes=(*identity.attributes, ("namespace", ns if isinstance(ns, str) else str(ns)))
        )
        if isinstance(ns, str) and isinstance(meta.name, str):
            index.sa_by_name[(ns, meta.name)] = identity_id_
            for type_ in SA_TYPES:
                builder.register(address, identity_id_, type_, f"{ns}/{meta.name}")
            bare.setdefault(meta.name, []).append(identity_id_)
    for name, ids in bare.items():  # a bare name only where it is unambiguous
        for type_ in SA_TYPES:
            builder.by_name.pop((type_, name), None)
            if len(ids) == 1:
                builder.by_name[(type_, name)] = ids[0]
    return index


def _with_v1(*types: str) -> tuple[str, ...]:
    return tuple(t for type_ in types for t in (type_, f"{type_}_v1"))


TABLE = PlatformTable(
    name=PLATFORM,
    finisher=finish,
    handlers={
        **dict.fromkeys(_with_v1("kubernetes_service_account"), service_account),
        **dict.fromkeys(_with_v1("kubernetes_namespace"), namespace),
        **dict.fromkeys(_with_v1("kubernetes_secret"), secret),
        **dict.fromkeys(_with_v1("kubernetes_role", "kubernetes_cluster_role"), role),
        **dict.fromkeys(_with_v1("kubernetes_role_binding", "kubernetes_cluster_role_binding"), binding),
        **dict.fromkeys(POD_SPECS, workload),
    },
)
