"""Kubernetes (Terraform): ServiceAccounts, their token Secrets, RBAC bindings and the Pods that run as them.

RBAC links by name, not by reference: a binding names its role and its subjects as `namespace/name`, and a
namespace is often itself a reference to a `kubernetes_namespace`. So handlers only record what they see;
`finish()` links everything once every namespace, ServiceAccount and role of the scan is known.

Grants follow the shape `nhilint.analyse.privilege.admin_role` reads: built-in or out-of-code roles are
`permission_type="role"` with `ClusterRole/<name>`; rules of in-code roles are `permission_type="k8s_rule"`
formatted `verb,verb resource,resource[ names=a,b]`, where a resource of a named API group is written
`group/resource` and one of the core group (`""`) or of every group (`"*"`) is written bare.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from nhilint.extract.builder import Builder
from nhilint.extract.common import Handler, add_literal_secret, identity_id, literal_secret, plain_tags
from nhilint.model import Credential, Grant, Identity, Lifecycle, Location, Unknown, Usage
from nhilint.parse.hcl_eval import LDict, Ref, ref_marker, to_text
from nhilint.parse.terraform import TfRecord, TfResource

PLATFORM = "kubernetes"
SA_TYPES = ("kubernetes_service_account", "kubernetes_service_account_v1")  # by_name keys, either spelling
BUILTIN_CLUSTER_ROLES = frozenset({"cluster-admin", "admin", "edit", "view"})
TOKEN_SECRET_TYPE = "kubernetes.io/service-account-token"
TOKEN_SA_ANNOTATION = "kubernetes.io/service-account.name"
# Annotations read as lifecycle facts in addition to the policy's owner/purpose/expires/retire-on keys.
LIFECYCLE_ANNOTATIONS = {"owner": "nhilint.io/owner", "purpose": "nhilint.io/purpose",
                         "expires": "nhilint.io/expires", "retire_on": "nhilint.io/retire-on"}
# ServiceAccount annotations that make its Pods run as a cloud identity: annotation -> (types, platform).
CLOUD_IDENTITY_ANNOTATIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "eks.amazonaws.com/role-arn": (("aws_iam_role",), "aws"),
    "iam.gke.io/gcp-service-account": (("google_service_account",), "gcp"),
    "azure.workload.identity/client-id": (("azurerm_user_assigned_identity",), "azure"),
}
# Workload type -> nested blocks down to its pod spec (`kubernetes_daemonset` is the pre-v1 spelling).
_TEMPLATE = ("spec", "template", "spec")
POD_SPECS: dict[str, tuple[str, ...]] = {
    **{t: _TEMPLATE for t in ("kubernetes_deployment", "kubernetes_deployment_v1", "kubernetes_stateful_set",
                              "kubernetes_stateful_set_v1", "kubernetes_daemonset", "kubernetes_daemon_set_v1",
                              "kubernetes_job", "kubernetes_job_v1")},
    **dict.fromkeys(("kubernetes_pod", "kubernetes_pod_v1"), ("spec",)),
    **dict.fromkeys(("kubernetes_cron_job", "kubernetes_cron_job_v1"), ("spec", "job_template", *_TEMPLATE)),
}

Link = Ref | str | Unknown | None


@dataclass(frozen=True, slots=True)
class Meta:
    name: Link
    namespace: Link
    labels: Any
    annotations: Any


@dataclass(frozen=True, slots=True)
class Rule:
    permission: str | None  # rendered as a k8s_rule permission; None when it could not be evaluated
    location: Location
    unknown: str | None = None


@dataclass(frozen=True, slots=True)
class Role:
    address: str
    kind: str  # Role | ClusterRole
    meta: Meta
    rules: tuple[Rule, ...]
    selectors: tuple[Any, ...]  # aggregation_rule match_labels (a dict, or Unknown)
    location: Location


@dataclass(frozen=True, slots=True)
class Subject:
    kind: Link
    name: Link
    namespace: Link


@dataclass(frozen=True, slots=True)
class Binding:
    address: str
    cluster: bool
    namespace: Link
    role_kind: Link
    role_name: Link
    role_ref: Location
    subjects: tuple[Subject | Unknown, ...]
    location: Location


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
    """Lifecycle from labels and annotations (policy keys, then `nhilint.io/*`), then `# nhilint:` comments."""
    settings = builder.settings
    keys = {fact: (*tags, LIFECYCLE_ANNOTATIONS[fact]) for fact, tags in settings.lifecycle_keys.items()}
    extended = replace(settings, owner_tags=keys["owner"], purpose_tags=keys["purpose"],
                       expires_tags=keys["expires"], retire_on_tags=keys["retire_on"])
    reader = replace(builder, settings=extended)  # shares annotations; lifecycle() only reads
    known = [m for m in (meta.labels, meta.annotations) if isinstance(m, dict)]
    result = reader.lifecycle(record.location, _merged(meta) if known else None, "metadata")
    unknown = next((m for m in (meta.labels, meta.annotations) if m is not None and not isinstance(m, dict)), None)
    fallback = reader.lifecycle(record.location, unknown, "metadata") if unknown is not None else None
    facts = {}
    for name in ("owner", "purpose", "expires", "retire_on"):
        fact = result.get(name)
        if fact is not None and fact.source.startswith("metadata:"):
            key = fact.source.removeprefix("metadata:")
            holder = next((m for m in reversed(known) if key in m), None)
            source = "annotation" if holder is meta.annotations else "label"
            line = holder.line if isinstance(holder, LDict) and holder.line else record.location.start_line
            fact = replace(fact, source=f"{source}:{key}", location=Location(record.path, line, line))
        elif fallback is not None:
            fact = fallback.get(name)
        facts[name] = fact
    return Lifecycle(**facts)


def _merged(meta: Meta) -> dict[str, Any]:
    """Labels and annotations in one map (an annotation wins over a label of the same key)."""
    return {k: v for m in (meta.labels, meta.annotations) if isinstance(m, dict) for k, v in m.items()}


# -- identities and credentials --------------------------------------------------------------------


def service_account(resource: TfResource, builder: Builder) -> None:
    meta = metadata(resource)
    automount = resource.get("automount_service_account_token")
    shown = to_text(automount) if automount is not None else "true"
    identity = Identity(
        id=identity_id(PLATFORM, resource.address), kind="k8s_service_account", platform=PLATFORM,
        address=resource.address, location=resource.location,
        name=meta.name if isinstance(meta.name, str | Unknown) else None, tags=plain_tags(_merged(meta)),
        lifecycle=lifecycle(builder, resource, meta), multiplicity=resource.multiplicity,
        attributes=(("automount_service_account_token", str(shown)),),
    )
    builder.add_identity(identity, resource.type)
    builder.extra["k8s:service_accounts"].append((identity.id, resource.address, meta))
    annotations = meta.annotations if isinstance(meta.annotations, dict) else {}
    for key, (types, platform) in CLOUD_IDENTITY_ANNOTATIONS.items():
        target = link(annotations.get(key))
        if isinstance(target, Ref) or (platform == "aws" and isinstance(target, str)):
            usage = Usage("", resource.address, f"{resource.type} ({key})", resource.location)
            builder.add_usage(usage, target, types, platform)


def namespace(resource: TfResource, builder: Builder) -> None:
    builder.extra["k8s:namespaces"].append((resource.address, metadata(resource).name))


def secret(resource: TfResource, builder: Builder) -> None:
    """A literal `data` value is a leak; a service-account-token Secret is a token that never expires."""
    for attr in ("data", "binary_data"):
        add_literal_secret(resource, builder, attr, PLATFORM)
    if resource.get("type") != TOKEN_SECRET_TYPE:
        return
    meta = metadata(resource)
    annotations = meta.annotations
    sa_name = link(annotations.get(TOKEN_SA_ANNOTATION)) if isinstance(annotations, dict) else link(annotations)
    written = literal_secret(resource, "data") or literal_secret(resource, "binary_data")
    credential = Credential(
        id=identity_id(PLATFORM, resource.address), kind="sa_token_secret", platform=PLATFORM,
        address=resource.address, location=resource.location, lifecycle=lifecycle(builder, resource, meta),
        secret_in_code=written,
    )
    builder.extra["k8s:token_secrets"].append((credential, sa_name, meta.namespace))


# -- RBAC ------------------------------------------------------------------------------------------


def role(resource: TfResource, builder: Builder) -> None:
    rules = [_rule(block) for block in resource.blocks("rule")]
    rules += [Rule(None, d.location, "dynamic rule blocks are not evaluated") for d in _dynamic(resource, "rule")]
    selectors = [Unknown("match_expressions selectors are not evaluated")
                 if selector.has("match_expressions") or selector.blocks("match_expressions")
                 else selector.get("match_labels", {})
                 for aggregation in resource.blocks("aggregation_rule")
                 for selector in aggregation.blocks("cluster_role_selectors")]
    kind = "ClusterRole" if "cluster_role" in resource.type else "Role"
    builder.extra["k8s:roles"].append(Role(resource.address, kind, metadata(resource), tuple(rules),
                                           tuple(selectors), resource.location))


def _rule(block: TfRecord) -> Rule:
    values: dict[str, list[str]] = {}
    for attr in ("verbs", "api_groups", "resources", "resource_names", "non_resource_urls"):
        value = block.get(attr)
        items = value if isinstance(value, list) else ([] if value is None else [value])
        texts = [Unknown(f"{item} is known only after apply") if isinstance(item, Ref) else to_text(item)
                 for item in items]
        bad = next((t for t in texts if not isinstance(t, str)), None)
        if bad is not None:
            reason = bad.reason if isinstance(bad, Unknown) else str(bad)
            return Rule(None, block.location, f"rule {attr}: {reason}")
        values[attr] = [t for t in texts if isinstance(t, str)]
    groups = values["api_groups"] or [""]
    targets: list[str] = []
    for group in groups:
        for resource in values["resources"]:
            folded = resource if group in ("", "*") else f"{group}/{resource}"
            if folded not in targets:
                targets.append(folded)
    targets += values["non_resource_urls"]
    permission = f"{','.join(values['verbs'])} {','.join(targets)}"
    if values["resource_names"]:
        permission += f" names={','.join(values['resource_names'])}"
    return Rule(permission, block.location)


def binding(resource: TfResource, builder: Builder) -> None:
    role_ref = next(iter(resource.blocks("role_ref")), None)
    subjects: list[Subject | Unknown] = [
        Subject(link(s.get("kind")), link(s.get("name")), link(s.get("namespace")))
        for s in resource.blocks("subject")
    ]
    subjects += [Unknown("dynamic subject blocks are not evaluated") for _ in _dynamic(resource, "subject")]
    builder.extra["k8s:bindings"].append(Binding(
        resource.address, "cluster_role_binding" in resource.type, metadata(resource).namespace,
        link(role_ref.get("kind")) if role_ref else None,
        link(role_ref.get("name")) if role_ref else Unknown("the binding has no role_ref block"),
        role_ref.location if role_ref else resource.location, tuple(subjects), resource.location,
    ))


def _dynamic(record: TfRecord, name: str) -> list[TfRecord]:
    return [d for d in record.blocks("dynamic") if d.block.labels[:1] == (name,)]


# -- workloads -------------------------------------------------------------------------------------


def workload(resource: TfResource, builder: Builder) -> None:
    records: list[TfRecord] = [resource]
    for part in POD_SPECS[resource.type]:
        records = [child for record in records for child in record.blocks(part)]
    if records:
        account = link(records[0].get("service_account_name")) or None  # "" is the default account too
        builder.extra["k8s:workloads"].append((resource.address, resource.type, metadata(resource).namespace,
                                               account, resource.location))


# -- linking, after every resource is seen ---------------------------------------------------------


@dataclass(slots=True)
class Index:
    """Namespaces and ServiceAccounts of the scan, by address and by `namespace/name`."""

    namespaces: dict[str, Link]
    sa_namespace: dict[str, str | Unknown]  # SA address -> namespace
    sa_by_address: dict[str, str]  # address -> identity id
    sa_by_name: dict[tuple[str, str], str]

    def namespace_of(self, value: Link, default: str) -> str | Unknown:
        """A namespace as text: literal, the name of an in-code namespace, or a `${address}` marker."""
        if value is None:
            return default
        if isinstance(value, Ref):
            if value.address in self.namespaces:  # its name, or a marker that matches every reference to it
                named = self.namespaces[value.address]
                return named if isinstance(named, str) else f"${{{value.address}}}"
            if value.address in self.sa_namespace and (value.attribute or "").endswith("namespace"):
                return self.sa_namespace[value.address]
            return f"${{{value}}}"
        return value

    def account(self, name: Link, namespace: str | Unknown) -> str | Unknown | None:
        """The identity id of a ServiceAccount; None when it is a literal name not created in the code."""
        if isinstance(name, Ref):
            found = self.sa_by_address.get(name.address)
            return found or Unknown(f"{name} is not in the scanned code")
        if not isinstance(name, str):
            return name or Unknown("the ServiceAccount has no name")
        if isinstance(namespace, Unknown):
            return Unknown(f"namespace of ServiceAccount {name}: {namespace.reason}")
        return self.sa_by_name.get((namespace, name))


def finish(builder: Builder) -> None:
    index = _index(builder)
    for credential, sa_name, sa_namespace in builder.extra.get("k8s:token_secrets", []):
        of: str | Unknown | None = None
        if sa_name is not None:
            ns = index.namespace_of(sa_namespace, "default")
            found = index.account(sa_name, ns)
            of = found if found is not None else Unknown(f"ServiceAccount {ns}/{sa_name} is not in the scanned code")
        builder.add_credential(replace(credential, of=of), None, ())
    for address, type_, namespace_value, account, location in builder.extra.get("k8s:workloads", []):
        ns = index.namespace_of(namespace_value, "default")
        found = index.account("default" if account is None else account, ns)
        if isinstance(found, str):
            builder.add_usage(Usage(found, address, type_, location), None, (), PLATFORM)
    roles: list[Role] = builder.extra.get("k8s:roles", [])
    for item in builder.extra.get("k8s:bindings", []):
        _bind(builder, index, item, roles)


def _index(builder: Builder) -> Index:
    namespaces = {address: name for address, name in builder.extra.get("k8s:namespaces", [])}
    index = Index(namespaces, {}, {}, {})
    bare: dict[str, list[str]] = {}
    for identity_id_, address, meta in builder.extra.get("k8s:service_accounts", []):
        ns = index.namespace_of(meta.namespace, "default")
        index.sa_namespace[address] = ns
        index.sa_by_address[address] = identity_id_
        identity = builder.inventory.identities[identity_id_]
        builder.inventory.identities[identity_id_] = replace(identity, attributes=(*identity.attributes,
                                                                                   ("namespace", str(ns))))
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


def _bind(builder: Builder, index: Index, item: Binding, roles: list[Role]) -> None:
    namespace_ = None if item.cluster else index.namespace_of(item.namespace, "default")
    scope: tuple[str, ...] = ("cluster",)
    scope_unknown = None
    if isinstance(namespace_, Unknown):
        scope, scope_unknown = ("namespace/<unknown>",), f"namespace: {namespace_.reason}"
    elif namespace_ is not None:
        scope = (f"namespace/{namespace_}",)
    templates = [replace(g, unknown=g.unknown or scope_unknown)
                 for g in _role_grants(item, namespace_, scope, roles, index)]
    for subject in item.subjects:
        principal, unknown = _principal(subject, namespace_ or "default", index)
        for grant in templates:
            builder.add_grant(replace(grant, principal=principal, unknown=grant.unknown or unknown), None, ())


def _role_grants(item: Binding, namespace_: str | Unknown | None, scope: tuple[str, ...], roles: list[Role],
                 index: Index) -> list[Grant]:
    kind = item.role_kind if isinstance(item.role_kind, str) else "ClusterRole"
    binding_kind = "ClusterRoleBinding" if item.cluster else "RoleBinding"
    via = f"{binding_kind} {item.address}"
    found = _find_role(item.role_name, kind, namespace_, roles, index)
    if found is not None:
        label = f"{via} of {found.kind} {found.address}"
        grants = [_rule_grant(rule, found, label, scope) for rule in found.rules]
        for selector in found.selectors:
            if isinstance(selector, Unknown):
                grants.append(Grant(None, (), scope, label, found.address, found.location, found.location,
                                    "k8s_rule", unknown=f"aggregation_rule: {selector.reason}", platform=PLATFORM))
                continue
            for other in roles:
                if other.kind == "ClusterRole" and other is not found and _matches(selector, other.meta.labels):
                    grants += [_rule_grant(rule, other, f"{label} (aggregated from {other.address})", scope)
                               for rule in other.rules]
        return grants
    name = item.role_name
    if isinstance(name, str):
        where = "built-in" if kind == "ClusterRole" and name in BUILTIN_CLUSTER_ROLES else "not in the scanned code"
        return [Grant(None, (f"{kind}/{name}",), scope, f"{via} of {kind} {name} ({where})", item.address,
                      item.role_ref, item.location, "role", platform=PLATFORM)]
    reason = f"{name} is not in the scanned code" if isinstance(name, Ref) else f"role_ref name: {_reason(name)}"
    return [Grant(None, (), scope, via, item.address, item.role_ref, item.location, "role", unknown=reason,
                  platform=PLATFORM)]


def _find_role(name: Link, kind: str, namespace_: str | Unknown | None, roles: list[Role],
               index: Index) -> Role | None:
    if isinstance(name, Ref):
        return next((r for r in roles if r.address == name.address), None)
    if not isinstance(name, str):
        return None
    for candidate in roles:
        if candidate.kind != kind or candidate.meta.name != name:
            continue
        if kind == "ClusterRole" or index.namespace_of(candidate.meta.namespace, "default") == namespace_:
            return candidate
    return None


def _rule_grant(rule: Rule, owner: Role, via: str, scope: tuple[str, ...]) -> Grant:
    permissions = (rule.permission,) if rule.permission is not None else ()
    return Grant(None, permissions, scope, via, owner.address, rule.location, owner.location, "k8s_rule",
                 unknown=rule.unknown, platform=PLATFORM)


def _matches(selector: Any, labels: Any) -> bool:
    if not isinstance(selector, dict) or not isinstance(labels, dict) or not selector:
        return False
    return all(key in labels and to_text(labels[key]) == to_text(value) for key, value in selector.items())


def _principal(subject: Subject | Unknown, namespace_: str | Unknown, index: Index) -> tuple[str | None, str | None]:
    """An identity id, or `group:…`/`user:…`/`serviceaccount:ns/name` for subjects the code does not create."""
    if isinstance(subject, Unknown):
        return None, subject.reason
    kind = subject.kind
    if kind == "ServiceAccount":
        ns = namespace_ if subject.namespace is None else index.namespace_of(subject.namespace, "default")
        found = index.account(subject.name, ns)
        if isinstance(found, str):
            return found, None
        if found is None:
            return f"serviceaccount:{ns}/{subject.name}", None
        return None, found.reason
    if kind in ("User", "Group") and isinstance(subject.name, str):
        return f"{kind.lower()}:{subject.name}", None
    if not isinstance(kind, str):
        return None, f"subject kind: {_reason(kind)}"
    return None, f"{kind} subject name: {_reason(subject.name)}"


def _reason(value: Link) -> str:
    if isinstance(value, Unknown):
        return value.reason
    if isinstance(value, Ref):
        return f"{value} is known only after apply"
    return "not set" if value is None else f"unsupported value {value!r}"


def _with_v1(*types: str) -> tuple[str, ...]:
    return tuple(t for type_ in types for t in (type_, f"{type_}_v1"))


TERRAFORM: dict[str, Handler] = {
    **dict.fromkeys(_with_v1("kubernetes_service_account"), service_account),
    **dict.fromkeys(_with_v1("kubernetes_namespace"), namespace),
    **dict.fromkeys(_with_v1("kubernetes_secret"), secret),
    **dict.fromkeys(_with_v1("kubernetes_role", "kubernetes_cluster_role"), role),
    **dict.fromkeys(_with_v1("kubernetes_role_binding", "kubernetes_cluster_role_binding"), binding),
    **dict.fromkeys(POD_SPECS, workload),
}
