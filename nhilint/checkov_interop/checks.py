"""The checkov checks `nhilint scan --checkov` runs: the identity-related ones, as data, in one place.

Each id below was read from checkov's own registries (checkov 3.3.x: Terraform resource, data and graph
checks, CloudFormation and Kubernetes checks) and is about who a machine identity is, what it may do or who
may become it: IAM policies and roles, service accounts and their keys, RBAC, OIDC federation. Checks on
anything else (encryption, logging, networking, container hardening) are left to a plain checkov run.
An id the installed checkov does not know is ignored by checkov, so this list may run ahead of it.

Per check:

- `severity`: checkov reports no severity offline (it comes from its platform, which nhilint never calls),
  so this is the default, chosen for the risk to a machine identity: an admin or anyone-may-assume grant is
  critical, a privilege-escalation or unpinned OIDC trust high, reuse of default identities medium, a user
  policy low. A severity that checkov does report wins; a policy pack's `rules: {CKV_AWS_40: {severity: …}}`
  wins over both, and `CKV_AWS_40: false` turns a check off.
- `owasp`: the OWASP Non-Human Identities Top 10 item, like nhilint's own rules.
- `folds`: the nhilint rules that report the same problem. A checkov failure on the same identity and the
  same statement or block as a finding of one of these rules is folded into that finding (see merge.py): an
  administrator grant implies wildcard actions, unconstrained writes, privilege escalation and credential
  exposure, and the one fix removes them all, so the user sees one finding, not ten.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

ADMIN = ("NHI-PRIV-004",)
WILDCARD = ("NHI-PRIV-001", "NHI-PRIV-004")
BROAD = ("NHI-PRIV-001", "NHI-PRIV-002", "NHI-PRIV-004")
ANYONE = ("NHI-TRUST-001",)
ACCOUNT = ("NHI-TRUST-002",)
OIDC = ("NHI-TRUST-003",)
CONSOLE = ("NHI-CRED-003",)
STATIC_KEY = ("NHI-CRED-001", "NHI-EXP-001")
SECRET = ("NHI-CRED-002",)


@dataclass(frozen=True, slots=True)
class CheckovCheck:
    id: str
    severity: Severity
    owasp: str
    folds: tuple[str, ...] = ()


CHECKS: tuple[CheckovCheck, ...] = (
    # AWS IAM policies (Terraform and CloudFormation; CKV_AWS_2xx/35x are the non-document twins).
    CheckovCheck("CKV_AWS_1", C, "NHI5", ADMIN),  # policy document allows "*" on "*"
    CheckovCheck("CKV_AWS_62", C, "NHI5", ADMIN),  # inline/managed policy allows "*" on "*"
    CheckovCheck("CKV_AWS_274", C, "NHI5", ADMIN),  # AdministratorAccess attached to a role, user or group
    CheckovCheck("CKV_AWS_275", C, "NHI5", ADMIN),  # a policy built on AdministratorAccess
    CheckovCheck("CKV2_AWS_56", C, "NHI5", ADMIN),  # IAMFullAccess attached
    CheckovCheck("CKV_AWS_49", H, "NHI5", WILDCARD),  # document: Action "*"
    CheckovCheck("CKV_AWS_63", H, "NHI5", WILDCARD),  # policy: Action "*"
    CheckovCheck("CKV2_AWS_40", H, "NHI5", WILDCARD),  # full IAM privileges (iam:*)
    CheckovCheck("CKV_AWS_110", H, "NHI5", ADMIN),  # privilege escalation (document)
    CheckovCheck("CKV_AWS_286", H, "NHI5", ADMIN),  # privilege escalation (policy)
    CheckovCheck("CKV_AWS_107", H, "NHI5", ADMIN),  # credentials exposure (document)
    CheckovCheck("CKV_AWS_287", H, "NHI5", ADMIN),  # credentials exposure (policy)
    CheckovCheck("CKV_AWS_108", H, "NHI5", ADMIN),  # data exfiltration (document)
    CheckovCheck("CKV_AWS_288", H, "NHI5", ADMIN),  # data exfiltration (policy)
    CheckovCheck("CKV_AWS_109", H, "NHI5", BROAD),  # permissions management without constraints (document)
    CheckovCheck("CKV_AWS_289", H, "NHI5", BROAD),  # permissions management without constraints (policy)
    CheckovCheck("CKV_AWS_111", H, "NHI5", BROAD),  # write access without constraints (document)
    CheckovCheck("CKV_AWS_290", H, "NHI5", BROAD),  # write access without constraints (policy)
    CheckovCheck("CKV_AWS_355", M, "NHI5", BROAD),  # Resource "*" for restrictable actions (policy)
    CheckovCheck("CKV_AWS_356", M, "NHI5", BROAD),  # Resource "*" for restrictable actions (document)
    CheckovCheck("CKV_AWS_40", L, "NHI5"),  # policy attached to a user instead of a role or group
    # AWS trust, users and keys.
    CheckovCheck("CKV_AWS_60", C, "NHI6", ANYONE),  # role assumable by any principal
    CheckovCheck("CKV_AWS_283", C, "NHI6", ANYONE),  # document allows any AWS principal
    CheckovCheck("CKV_AWS_61", M, "NHI3", ACCOUNT),  # role trusts a whole account (account root principal)
    CheckovCheck("CKV_AWS_358", H, "NHI6", OIDC),  # GitHub OIDC trust claims (document)
    CheckovCheck("CKV_AWS_393", H, "NHI6", OIDC),  # GitHub OIDC trust claims (role)
    CheckovCheck("CKV_AWS_273", L, "NHI7"),  # IAM user instead of SSO/roles: long-lived credentials
    CheckovCheck("CKV2_AWS_22", H, "NHI10", CONSOLE),  # IAM user with console access
    CheckovCheck("CKV_AWS_348", C, "NHI7"),  # access key for the root user: worse than a static key
    CheckovCheck("CKV_AWS_249", M, "NHI9"),  # ECS task role reused as execution role
    # GCP.
    CheckovCheck("CKV_GCP_42", C, "NHI5", ADMIN),  # service account with admin roles
    CheckovCheck("CKV_GCP_115", H, "NHI5", ADMIN),  # basic roles (owner/editor/viewer) at organization
    CheckovCheck("CKV_GCP_116", H, "NHI5", ADMIN),  # … at folder
    CheckovCheck("CKV_GCP_117", H, "NHI5", ADMIN),  # … at project
    CheckovCheck("CKV_GCP_41", H, "NHI5"),  # Service Account User / Token Creator at project level
    CheckovCheck("CKV_GCP_44", H, "NHI5"),  # roles that impersonate or manage service accounts: folder
    CheckovCheck("CKV_GCP_45", H, "NHI5"),  # … organization
    CheckovCheck("CKV_GCP_49", H, "NHI5"),  # … project
    CheckovCheck("CKV_GCP_46", M, "NHI9"),  # default service account granted roles: project
    CheckovCheck("CKV_GCP_47", M, "NHI9"),  # … organization
    CheckovCheck("CKV_GCP_48", M, "NHI9"),  # … folder
    CheckovCheck("CKV_GCP_30", M, "NHI9"),  # instance runs as the default service account
    CheckovCheck("CKV_GCP_31", H, "NHI9"),  # … with full access to all Cloud APIs
    CheckovCheck("CKV2_GCP_1", M, "NHI9"),  # GKE nodes run as the default service account
    CheckovCheck("CKV2_GCP_3", H, "NHI7", STATIC_KEY),  # user-managed service account key
    CheckovCheck("CKV_GCP_118", H, "NHI6", OIDC),  # workload identity pool provider without a condition
    CheckovCheck("CKV_GCP_125", H, "NHI6", OIDC),  # GitHub OIDC trust on a workload identity provider
    # Azure.
    CheckovCheck("CKV_AZURE_39", H, "NHI5", ADMIN),  # custom subscription owner role
    CheckovCheck("CKV_AZURE_249", H, "NHI6", OIDC),  # GitHub OIDC federated credential
    CheckovCheck("CKV_AZURE_137", M, "NHI7"),  # ACR admin account: a shared static credential
    CheckovCheck("CKV_AZURE_141", M, "NHI7"),  # AKS local admin account
    # Kubernetes manifests and the Terraform kubernetes provider.
    CheckovCheck("CKV_K8S_49", H, "NHI5", WILDCARD),  # wildcards in Roles and ClusterRoles
    CheckovCheck("CKV_K8S_155", H, "NHI5", ADMIN),  # control over admission webhooks
    CheckovCheck("CKV_K8S_156", H, "NHI5", ADMIN),  # approve CertificateSigningRequests
    CheckovCheck("CKV_K8S_157", H, "NHI5", ADMIN),  # bind RoleBindings/ClusterRoleBindings
    CheckovCheck("CKV_K8S_158", H, "NHI5", ADMIN),  # escalate Roles/ClusterRoles
    CheckovCheck("CKV2_K8S_1", H, "NHI5", ADMIN),  # RoleBinding privilege escalation
    CheckovCheck("CKV2_K8S_2", H, "NHI5", ADMIN),  # create nodes/proxy or pods/exec
    CheckovCheck("CKV2_K8S_3", H, "NHI5", ADMIN),  # impersonate users, groups or service accounts
    CheckovCheck("CKV2_K8S_4", M, "NHI5", ADMIN),  # modify services/status
    CheckovCheck("CKV2_K8S_5", H, "NHI5", ADMIN),  # read all secrets
    CheckovCheck("CKV_K8S_41", M, "NHI9"),  # default service account actively used
    CheckovCheck("CKV_K8S_42", M, "NHI9"),  # default service account bound to roles
    CheckovCheck("CKV_K8S_38", L, "NHI7"),  # service account token mounted where not needed
    # GitHub provider.
    CheckovCheck("CKV_GIT_4", H, "NHI2", SECRET),  # Actions secret given as plaintext_value
)

BY_CHECK_ID: dict[str, CheckovCheck] = {check.id: check for check in CHECKS}

_SEVERITY_NAMES = {"CRITICAL": C, "HIGH": H, "MEDIUM": M, "LOW": L, "INFO": Severity.INFO}
_PLATFORMS = {"AWS": "aws", "GCP": "gcp", "AZURE": "azure", "K8S": "kubernetes", "GIT": "github"}


def platform_of(check_id: str) -> str | None:
    """`CKV_AWS_40` -> `aws`, `CKV2_K8S_3` -> `kubernetes`: the platform named in a checkov id."""
    parts = check_id.split("_")
    return _PLATFORMS.get(parts[1]) if len(parts) > 2 else None


def severity_of(check_id: str, reported: str | None) -> Severity:
    """checkov's own severity when it reports one, else this table's, else medium."""
    if reported and reported.upper() in _SEVERITY_NAMES:
        return _SEVERITY_NAMES[reported.upper()]
    check = BY_CHECK_ID.get(check_id)
    return check.severity if check else Severity.MEDIUM


def _not_run_by_nhilint(rule: Rule, ctx: Context) -> Iterator[Finding]:
    """checkov evaluates this check; nhilint only merges its results."""
    return iter(())


@dataclass(frozen=True, slots=True)
class CheckovRule(Rule):
    """A checkov check seen in a report: what reporters need (SARIF rule entries, JUnit cases, OWASP)."""

    guideline: str = ""

    @property
    def doc(self) -> str:
        text = (
            f"{self.name}\n\nReported by checkov check {self.id} and merged into this report by "
            "`nhilint scan --checkov`. Silence it with `#checkov:skip=" + self.id + ":reason` in the block."
        )
        return text + (f"\n\nGuideline: {self.guideline}" if self.guideline else "")


def rule_for(check_id: str, name: str, guideline: str | None = None) -> CheckovRule:
    check = BY_CHECK_ID.get(check_id)
    return CheckovRule(
        id=check_id,
        name=name or check_id,
        severity=check.severity if check else Severity.MEDIUM,
        owasp=check.owasp if check else "NHI5",
        summary=name or check_id,
        check=_not_run_by_nhilint,
        guideline=guideline or "",
    )
