"""The model every stage shares: identities, credentials, grants, trusts, usages and findings.

Parsers produce format-specific records; extractors turn them into these objects; rules read only these.
Everything is frozen so a rule cannot change what another rule sees.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

# typed permissions and references, re-exported
from nhilint.model_agents import AgentTool
from nhilint.model_documents import DocumentKind as DocumentKind
from nhilint.model_documents import PermissionDocument as PermissionDocument
from nhilint.model_inputs import Annotation, ParseError, ToolRender, Unresolved
from nhilint.model_refs import ActionPattern as ActionPattern
from nhilint.model_refs import K8sRule as K8sRule
from nhilint.model_refs import Location as Location
from nhilint.model_refs import Membership as Membership
from nhilint.model_refs import Permission as Permission
from nhilint.model_refs import PolicyRef as PolicyRef
from nhilint.model_refs import RoleRef as RoleRef
from nhilint.model_refs import TargetRef as TargetRef
from nhilint.model_stores import KeyVault
from nhilint.values import Unknown as Unknown  # the model holds Unknowns; defined in the value layer

# What every format's "the account this is deployed to" becomes (`data.aws_caller_identity.x.account_id`,
# `${AWS::AccountId}`): a known value meaning "our own account", not a third party.
CURRENT_ACCOUNT = "${current_account}"


# The closed value sets of the model: mypy checks every construction site against them.
CloudPlatform = Literal["aws", "gcp", "azure", "kubernetes", "github", "vault", "tls"]
SaasPlatform = Literal["okta", "auth0", "cloudflare", "datadog", "snowflake", "mongodbatlas"]
Platform = Literal[CloudPlatform, SaasPlatform]
IdentityKind = Literal[
    "ai_agent",
    "api_token",
    "role",
    "user",
    "group",
    "service_linked_role",
    "service_account",
    "application",
    "service_principal",
    "managed_identity",
    "approle",
    "k8s_service_account",
]
CredentialKind = Literal[
    "ai_api_key",
    "agent_api_key",
    "agent_oauth_client",
    "api_token",
    "access_key",
    "console_password",
    "secret",
    "api_key",
    "service_account_key",
    "client_secret",
    "sp_password",
    "managed_identity",
    "approle_secret_id",
    "vault_token",
    "private_key",
    "certificate",
    "ci_secret",
    "deploy_key",
    "sa_token_secret",
    "public_key",
]
# How a Grant's permissions read: IAM action patterns, an attached managed policy, a group membership, a role
# (GCP, Azure, Kubernetes role references), Kubernetes RBAC rules.
# An IAM statement's Effect; anything else is read as an unknown Allow (nhilint.iam.policy), never skipped.
Effect = Literal["Allow", "Deny"]
PermissionType = Literal[
    "action", "managed_policy", "group", "role", "k8s_rule", "app_role", "scope", "permission_group"
]


class Severity(enum.IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Fact:
    """A lifecycle fact (owner, expiry, retire-on…) and where it came from.

    `value` is a string, or Unknown when the code sets it but nhilint cannot evaluate it. `source` says
    where it came from: `tag:owner`, `default_tags:owner`, `comment`, `parent:<id>`, `module input …`.
    """

    value: str | Unknown
    source: str
    location: Location | None = None

    @property
    def known(self) -> bool:
        return isinstance(self.value, str)


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """Who owns a subject, why it exists, and when it goes away."""

    owner: Fact | None = None
    purpose: Fact | None = None
    expires: Fact | None = None
    retire_on: Fact | None = None

    def get(self, name: str) -> Fact | None:
        value: Fact | None = getattr(self, name)
        return value


@dataclass(frozen=True, slots=True)
class Identity:
    """A non-human principal the code creates: role, user, service account, service principal, AI agent
    (`ai_agent`: a Bedrock agent, an AgentCore runtime or gateway, a Vertex AI reasoning engine)…"""

    id: str
    kind: IdentityKind
    platform: Platform
    address: str
    location: Location
    name: str | Unknown | None = None
    tags: tuple[tuple[str, str], ...] = ()
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    multiplicity: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()

    def attribute(self, key: str) -> str | None:
        return dict(self.attributes).get(key)


@dataclass(frozen=True, slots=True)
class Credential:
    """A secret or key that lets something act as an identity.

    `long_lived` means nothing in the code makes it expire or rotate. `secret_in_code` is the location of a
    literal secret value; the value itself is never stored.
    """

    id: str
    kind: CredentialKind
    platform: Platform
    address: str
    location: Location
    of: str | Unknown | None = None
    expires: Fact | None = None
    rotation: Fact | None = None
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    static: bool = True
    secret_in_code: Location | None = None
    attributes: tuple[tuple[str, str], ...] = ()

    def attribute(self, key: str) -> str | None:
        return dict(self.attributes).get(key)

    @property
    def kept_in(self) -> str | None:
        """The id of the scan's credential this one's secret is kept in (`KEPT_IN`), if any."""
        return self.attribute(KEPT_IN)


@dataclass(frozen=True, slots=True)
class Condition:
    """One IAM condition: operator, key and values (values may hold Unknown)."""

    operator: str
    key: str
    values: tuple[str | Unknown, ...]


@dataclass(frozen=True, slots=True)
class Grant:
    """What a principal may do, and where the permission comes from.

    For AWS policies one Grant is one statement (`permissions` are action patterns, `not_actions` marks
    NotAction); for role-based systems `permissions` are role names (`roles/editor`, `Owner`,
    `ClusterRole/cluster-admin`) or Kubernetes `verb resource` pairs. `principal` is an identity id, an
    external principal, or None for a policy attached to nothing. `unknown` says what could not be evaluated.
    """

    principal: str | None
    permissions: tuple[Permission, ...]
    scope: tuple[str, ...]
    via: str
    source: str
    location: Location
    block: Location
    permission_type: PermissionType = "action"
    effect: Effect = "Allow"
    not_actions: bool = False
    not_resources: bool = False
    conditions: tuple[Condition, ...] = ()
    unknown: str | None = None
    platform: Platform = "aws"
    document: str | None = None  # the id of the PermissionDocument its permissions are written in, if any


@dataclass(frozen=True, slots=True)
class TrustPrincipal:
    """One principal admitted by a trust statement: `AWS`, `Service`, `Federated`, `*`, a k8s subject…

    `provider` is the issuer (host and path) of the OIDC identity provider a `Federated` principal names, when
    extract knows it: from the provider's ARN, or the URL of a provider created in the scanned code. It is
    derived from `identifier` (which then reads `oidc-provider/<issuer>`), so equality ignores it.
    """

    type: str
    identifier: str | Unknown
    provider: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Trust:
    """Who may become an identity: one assume-role statement, federated credential or impersonation grant."""

    identity: str
    principals: tuple[TrustPrincipal, ...]
    actions: tuple[str, ...]
    conditions: tuple[Condition, ...]
    via: str
    location: Location
    block: Location
    effect: Effect = "Allow"
    unknown: str | None = None
    platform: str = field(kw_only=True)  # whose trust it is (`aws`, `gcp`, `azure`): every extractor says


@dataclass(frozen=True, slots=True)
class Usage:
    """A workload that runs as an identity: a Lambda role, an instance profile, a Pod's ServiceAccount.

    `attributes` are facts about this use that differ per workload (a Pod's `automountServiceAccountToken`).
    `link` names the cross-platform link that draws the edge, when it is one: the workload-identity
    annotation of a ServiceAccount (`eks.amazonaws.com/role-arn`) that makes its Pods run as a cloud identity.
    """

    identity: str
    workload: str
    kind: str
    location: Location
    attributes: tuple[tuple[str, str], ...] = ()
    link: str | None = None

    def attribute(self, key: str) -> str | None:
        return dict(self.attributes).get(key)


# Credential attribute: the id of the scan's credential its secret is kept in (an AgentCore provider's secret).
KEPT_IN = "kept_in"


@dataclass(frozen=True, slots=True)
class LiteralSecret:
    """A secret value written in the code. Only where it is; the value itself is never kept."""

    address: str
    attribute: str
    location: Location
    block: Location
    of: str | None = None
    platform: str = "aws"


@dataclass(slots=True)
class Inventory:
    """Everything extracted from one scan. Built by extractors, then read-only for analysis and rules."""

    identities: dict[str, Identity] = field(default_factory=dict)
    credentials: list[Credential] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    trusts: list[Trust] = field(default_factory=list)
    usages: list[Usage] = field(default_factory=list)
    literal_secrets: list[LiteralSecret] = field(default_factory=list)
    agent_tools: list[AgentTool] = field(default_factory=list)
    key_vaults: list[KeyVault] = field(default_factory=list)  # Azure Key Vaults and how they authorize access
    unresolved: list[Unresolved] = field(default_factory=list)
    rendered: list[ToolRender] = field(default_factory=list)  # read from a tool's output (NHI-PARSE-010)
    errors: list[ParseError] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    documents: dict[str, PermissionDocument] = field(default_factory=dict)  # permission documents by id
    # value -> sensitive source (`sensitive var.db_password`, `NoEcho parameter DbPassword`): what reporters
    # redact (nhilint/redact.py). Built per scan; never printed, never cached.
    sensitive: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _indexes: dict[str, tuple[int, dict[Any, list[Any]]]] = field(default_factory=dict, repr=False, compare=False)

    def grants_of(self, identity_id: str) -> list[Grant]:
        return self._by("grants", self.grants, "principal").get(identity_id, [])

    def trusts_of(self, identity_id: str) -> list[Trust]:
        return self._by("trusts", self.trusts, "identity").get(identity_id, [])

    def usages_of(self, identity_id: str) -> list[Usage]:
        return self._by("usages", self.usages, "identity").get(identity_id, [])

    def credentials_of(self, identity_id: str) -> list[Credential]:
        return self._by("credentials", self.credentials, "of").get(identity_id, [])

    def credentials_kept_in(self, credential_id: str) -> list[Credential]:
        """The credentials whose secret is kept in this one (`Credential.kept_in`), in order."""
        return self._by("kept_in", self.credentials, "kept_in").get(credential_id, [])

    def _by(self, name: str, items: list[Any], attribute: str) -> dict[Any, list[Any]]:
        """An index of `items` by one attribute, rebuilt when the list grows (lookups are for finished scans;
        per-identity reports would otherwise be quadratic)."""
        cached = self._indexes.get(name)
        if cached is None or cached[0] != len(items):
            index: dict[Any, list[Any]] = {}
            for item in items:
                key = getattr(item, attribute)
                if isinstance(key, str):
                    index.setdefault(key, []).append(item)
            cached = (len(items), index)
            self._indexes[name] = cached
        return cached[1]


@dataclass(frozen=True, slots=True)
class Finding:
    """One violation of one rule by one identity (or credential, or file)."""

    rule_id: str
    severity: Severity
    message: str
    location: Location
    identity: str | None = None
    address: str | None = None
    kind: str | None = None
    platform: str | None = None
    evidence: str = ""
    block: Location | None = None
    unknown: bool = False

    @property
    def sort_key(self) -> tuple[str, int, str, str, str, str]:
        """A total order: findings that share a line and rule (one per module instance) keep one order in every
        run, whatever order sets and parallel parsing produced them in."""
        return (
            self.location.path,
            self.location.start_line,
            self.rule_id,
            self.identity or "",
            self.message,
            self.evidence,
        )


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding silenced by an inline suppression, kept for the report."""

    finding: Finding
    reason: str
    until: date | None
