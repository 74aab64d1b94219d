"""The model the fuzz tests generate first and then render into Terraform, CloudFormation and Kubernetes.

A test draws one model (identities with tags, inline policies, trust, GCP IAM members, Kubernetes RBAC and
the Deployments that use it), renders it in each format and compares what nhilint reads back with the model.
The vocabulary is real: IAM action names and wildcards, AWS service principals, GCP predefined roles,
Kubernetes verbs and resources, so the generated files look like the code users write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hypothesis import strategies as st

ACTIONS = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:DeleteObject",
    "s3:*",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "iam:PassRole",
    "iam:CreateAccessKey",
    "iam:*",
    "sts:AssumeRole",
    "ec2:DescribeInstances",
    "ec2:Describe*",
    "lambda:InvokeFunction",
    "secretsmanager:GetSecretValue",
    "ecr:GetAuthorizationToken",
    "cloudwatch:PutMetricData",
    "*",
)
RESOURCES = (
    "*",
    "arn:aws:s3:::acme-artifacts",
    "arn:aws:s3:::acme-artifacts/*",
    "arn:aws:s3:::acme-reports-prod/*",
    "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
    "arn:aws:sqs:eu-west-1:123456789012:jobs",
    "arn:aws:iam::123456789012:role/app-*",
    "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/*",
)
SERVICES = ("lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "codebuild.amazonaws.com")
ACCOUNTS = ("arn:aws:iam::123456789012:root", "arn:aws:iam::210987654321:root", "arn:aws:iam::999988887777:root")
OWNERS = ("team-platform", "team-data", "team-payments", "sre")
DATES = ("2026-01-31", "2026-12-31", "2027-03-31", "2027-06-30")  # tests scan as of 2026-11-22
WORDS = (
    "ci",
    "deployer",
    "reports",
    "etl",
    "billing",
    "backup",
    "ingest",
    "audit",
    "web",
    "worker",
    "vendor",
    "metrics",
    "release",
    "batch",
    "search",
)
GCP_ROLES = (
    "roles/viewer",
    "roles/editor",
    "roles/owner",
    "roles/storage.objectViewer",
    "roles/storage.admin",
    "roles/pubsub.publisher",
    "roles/logging.logWriter",
    "roles/iam.serviceAccountUser",
    "roles/cloudsql.client",
)
GCP_PROJECTS = ("acme-prod", "acme-staging")
NAMESPACES = ("payments", "search", "platform")
K8S_GROUPS = {
    "": ("pods", "secrets", "configmaps", "services", "pods/log", "*"),
    "apps": ("deployments", "statefulsets"),
    "batch": ("jobs", "cronjobs"),
}
K8S_VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "*")
BUILTIN_CLUSTER_ROLES = ("view", "edit", "admin", "cluster-admin")


@dataclass(frozen=True)
class Statement:
    effect: Literal["Allow", "Deny"]
    actions: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    name: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class Principal:
    """One trust statement: a service or an account, with an sts:ExternalId condition for accounts."""

    type: Literal["Service", "AWS"]
    value: str
    external_id: str | None = None


@dataclass(frozen=True)
class AwsIdentity:
    kind: Literal["role", "user"]
    label: str  # snake_case: the Terraform name; CamelCase of it is the CloudFormation logical id
    name: str
    tags: tuple[tuple[str, str], ...]
    policies: tuple[Policy, ...]
    trust: tuple[Principal, ...]

    @property
    def logical_id(self) -> str:
        return "".join(part.capitalize() for part in self.label.split("_"))


@dataclass(frozen=True)
class Module:
    """A local Terraform module holding some identities; its `owner` input becomes each one's owner tag."""

    name: str
    owner: str
    identities: tuple[AwsIdentity, ...]


@dataclass(frozen=True)
class GcpAccount:
    label: str
    account_id: str
    project: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class CloudModel:
    identities: tuple[AwsIdentity, ...]
    modules: tuple[Module, ...]
    gcp: tuple[GcpAccount, ...]

    def aws(self) -> list[tuple[str, AwsIdentity]]:
        """Every AWS identity with its Terraform module prefix (`module.<name>.` or empty)."""
        found = [("", i) for i in self.identities]
        for module in self.modules:
            found += [(f"module.{module.name}.", i) for i in module.identities]
        return found

    def owner_of(self, identity: AwsIdentity) -> str | None:
        for module in self.modules:
            if identity in module.identities:
                return module.owner
        return dict(identity.tags).get("owner")


@dataclass(frozen=True)
class K8sRule:
    api_group: str
    resources: tuple[str, ...]
    verbs: tuple[str, ...]


@dataclass(frozen=True)
class K8sRole:
    kind: Literal["Role", "ClusterRole"]
    name: str
    namespace: str | None
    rules: tuple[K8sRule, ...]


@dataclass(frozen=True)
class K8sAccount:
    namespace: str
    name: str
    annotations: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class K8sBinding:
    """A RoleBinding (namespace set) or ClusterRoleBinding (namespace None) of ServiceAccounts to a role."""

    name: str
    namespace: str | None
    role_kind: Literal["Role", "ClusterRole"]
    role_name: str
    subjects: tuple[K8sAccount, ...]


@dataclass(frozen=True)
class Deployment:
    namespace: str
    name: str
    account: str
    replicas: int


@dataclass(frozen=True)
class K8sModel:
    accounts: tuple[K8sAccount, ...]
    roles: tuple[K8sRole, ...]
    bindings: tuple[K8sBinding, ...]
    deployments: tuple[Deployment, ...]


labels = st.lists(st.sampled_from(WORDS), min_size=1, max_size=2, unique=True).map("_".join)
statements = st.builds(
    Statement,
    effect=st.sampled_from(("Allow", "Allow", "Allow", "Deny")),
    actions=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=4, unique=True).map(tuple),
    resources=st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=3, unique=True).map(tuple),
)
principals = st.one_of(
    st.builds(Principal, type=st.just("Service"), value=st.sampled_from(SERVICES)),
    st.builds(
        Principal,
        type=st.just("AWS"),
        value=st.sampled_from(ACCOUNTS),
        external_id=st.one_of(st.none(), st.sampled_from(("acme-7f3a", "vendor-2291"))),
    ),
)


@st.composite
def tag_sets(draw: st.DrawFn, owner: bool = True) -> tuple[tuple[str, str], ...]:
    tags: list[tuple[str, str]] = []
    if owner and draw(st.booleans()):
        tags.append(("owner", draw(st.sampled_from(OWNERS))))
    if draw(st.booleans()):
        tags.append(("expires", draw(st.sampled_from(DATES))))
    if draw(st.booleans()):
        tags.append(("environment", draw(st.sampled_from(("prod", "staging")))))
    return tuple(draw(st.permutations(tags)))


@st.composite
def aws_identities(draw: st.DrawFn, label: str, owner_tag: bool = True) -> AwsIdentity:
    kind = draw(st.sampled_from(("role", "role", "user")))
    policy_names = draw(
        st.lists(st.sampled_from(("read", "write", "deploy", "logs", "admin")), max_size=2, unique=True)
    )
    policies = tuple(Policy(n, tuple(draw(st.lists(statements, min_size=1, max_size=3)))) for n in policy_names)
    trust: tuple[Principal, ...] = ()
    if kind == "role":
        trust = tuple(draw(st.lists(principals, min_size=1, max_size=2, unique_by=lambda p: (p.type, p.value))))
    return AwsIdentity(kind, label, label.replace("_", "-"), draw(tag_sets(owner_tag)), policies, trust)


@st.composite
def cloud_models(draw: st.DrawFn, max_identities: int = 4) -> CloudModel:
    names = draw(st.lists(labels, min_size=1, max_size=max_identities, unique=True))
    in_module = draw(st.lists(st.booleans(), min_size=len(names), max_size=len(names)))
    root = tuple(draw(aws_identities(n)) for n, m in zip(names, in_module, strict=True) if not m)
    grouped = [n for n, m in zip(names, in_module, strict=True) if m]
    modules: list[Module] = []
    if grouped:
        split = draw(st.integers(1, len(grouped)))
        for index, chunk in enumerate((grouped[:split], grouped[split:])):
            if chunk:
                members = tuple(draw(aws_identities(n, owner_tag=False)) for n in chunk)
                modules.append(Module(("service", "pipeline")[index], draw(st.sampled_from(OWNERS)), members))
    gcp_names = draw(st.lists(labels, max_size=2, unique=True))
    gcp = tuple(
        GcpAccount(
            n,
            n.replace("_", "-") + "-sa",
            draw(st.sampled_from(GCP_PROJECTS)),
            tuple(draw(st.lists(st.sampled_from(GCP_ROLES), max_size=2, unique=True))),
        )
        for n in gcp_names
    )
    return CloudModel(root, tuple(modules), gcp)


k8s_rules = st.sampled_from(sorted(K8S_GROUPS)).flatmap(
    lambda group: st.builds(
        K8sRule,
        api_group=st.just(group),
        resources=st.lists(st.sampled_from(K8S_GROUPS[group]), min_size=1, max_size=2, unique=True).map(tuple),
        verbs=st.lists(st.sampled_from(K8S_VERBS), min_size=1, max_size=3, unique=True).map(tuple),
    )
)


@st.composite
def k8s_models(draw: st.DrawFn, max_accounts: int = 3, namespaces: tuple[str, ...] = NAMESPACES) -> K8sModel:
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(namespaces), labels.map(lambda s: s.replace("_", "-"))),
            min_size=1,
            max_size=max_accounts,
            unique=True,
        )
    )
    accounts = []
    for namespace, name in keys:
        notes = draw(st.lists(st.sampled_from(("owner", "nhilint.io/owner", "nhilint.io/expires")), max_size=1))
        values = {"nhilint.io/expires": draw(st.sampled_from(DATES)), "owner": draw(st.sampled_from(OWNERS))}
        accounts.append(K8sAccount(namespace, name, tuple((k, values.get(k, values["owner"])) for k in notes)))
    roles = []
    for name in draw(
        st.lists(st.sampled_from(("reader", "deployer", "operator", "log-reader")), max_size=3, unique=True)
    ):
        cluster = draw(st.booleans())
        roles.append(
            K8sRole(
                "ClusterRole" if cluster else "Role",
                name,
                None if cluster else draw(st.sampled_from(namespaces)),
                tuple(draw(st.lists(k8s_rules, min_size=1, max_size=3))),
            )
        )
    bindings = []
    targets = [(r.kind, r.name, r.namespace) for r in roles] + [("ClusterRole", b, None) for b in BUILTIN_CLUSTER_ROLES]
    for index in range(draw(st.integers(0, 3))):
        kind, name, namespace = draw(st.sampled_from(targets))
        if kind == "ClusterRole" and draw(st.booleans()):
            namespace = draw(st.one_of(st.none(), st.sampled_from(namespaces)))
        subjects = tuple(draw(st.lists(st.sampled_from(accounts), min_size=1, max_size=2, unique=True)))
        bindings.append(K8sBinding(f"{name}-binding-{index}", namespace, kind, name, subjects))  # type: ignore[arg-type]
    deployments = [
        Deployment(a.namespace, a.name, a.name, draw(st.integers(1, 3)))
        for a in draw(st.lists(st.sampled_from(accounts), max_size=2, unique=True))
    ]
    return K8sModel(tuple(accounts), tuple(roles), tuple(bindings), tuple(deployments))
