"""Multi-tenant OIDC issuers: one issuer signs tokens for every customer's repositories or workspaces.

A trust that admits such an issuer without restricting the tenant (the repository, its owner, the project or
the organisation) can be used from anyone's pipeline. GCP workload identity pool providers restrict it with
an `attribute_condition` (CEL); `tenant_claims` lists the token claims that restrict it, per issuer host.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# issuer host -> the token claims that name the tenant (a repository, project, workspace or their owner)
TENANT_CLAIMS: dict[str, frozenset[str]] = {
    "token.actions.githubusercontent.com": frozenset(
        {"sub", "repository", "repository_id", "repository_owner", "repository_owner_id", "job_workflow_ref"}
    ),
    "gitlab.com": frozenset({"sub", "project_path", "project_id", "namespace_path", "namespace_id"}),
    "app.terraform.io": frozenset(
        {"sub", "terraform_organization_name", "terraform_organization_id", "terraform_workspace_id"}
    ),
    "oidc.circleci.com": frozenset({"sub", "oidc.circleci.com/project-id"}),
}

_CLAIM_RE = re.compile(r"\b(?:assertion|attribute)(?:\.([A-Za-z0-9_]+)|\[\s*['\"]([^'\"]+)['\"]\s*\])")


def tenant_claims(issuer: str) -> frozenset[str] | None:
    """The tenant claims of a multi-tenant issuer (`https://gitlab.com`, `gitlab.com/`); None for any other."""
    text = issuer.strip()
    host = urlsplit(text if "://" in text else f"https://{text}").hostname or ""
    return TENANT_CLAIMS.get(host.lower())


def restricts_tenant(expression: str, claims: frozenset[str]) -> bool:
    """Whether a CEL attribute condition reads a tenant claim (`assertion.X` or a mapped `attribute.X`)
    or the mapped subject (`google.subject`)."""
    if "google.subject" in expression:
        return True
    return any((match.group(1) or match.group(2)) in claims for match in _CLAIM_RE.finditer(expression))
