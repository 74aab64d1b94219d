"""Multi-tenant OIDC issuers: one issuer signs tokens for every customer's repositories or workspaces.

A trust that admits such an issuer without restricting the tenant (the repository, its owner, the project or
the organisation) can be used from anyone's pipeline. GCP workload identity pool providers restrict it with
an `attribute_condition` (CEL); `tenant_claims` lists the token claims that restrict it, per issuer host.
AWS reads no custom claims of a GitHub token ("Support for custom claims for OIDC is unavailable in AWS",
GitHub's AWS OIDC guide): there only `sub` restricts the tenant. GitHub lets an organisation customise the
subject (`include_claim_keys`); a subject built without the `repo`/`repository`/`repository_id` claim
(`repository_owner:acme`, `job_workflow_ref:…`) is exact yet names no repository (`unpinned_github_subject`).

Some issuers name the tenant in the audience instead: a Cognito identity pool's token carries the pool id in
`aud`, a Google ID token the OAuth client id; `AUDIENCE_ISSUERS` are those, trusted only with an `aud`
condition (the Cognito developer guide's trust policy pins `cognito-identity.amazonaws.com:aud`).
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

# issuers whose tokens name the tenant (an identity pool, an OAuth client) in `aud` -> what aud identifies
AUDIENCE_ISSUERS: dict[str, str] = {
    "cognito-identity.amazonaws.com": "identity pool",
    "accounts.google.com": "OAuth client",
}

GITHUB_ISSUER = "token.actions.githubusercontent.com"
CIRCLECI_ISSUER = "oidc.circleci.com"
# subject-template claims that name one repository (`repo:acme/app:…`, `repository:acme/app`, `repository_id:42`)
_REPOSITORY_CLAIMS = ("repo", "repository", "repository_id")

_CLAIM_RE = re.compile(r"\b(?:assertion|attribute)(?:\.([A-Za-z0-9_]+)|\[\s*['\"]([^'\"]+)['\"]\s*\])")


def tenant_claims(issuer: str) -> frozenset[str] | None:
    """The tenant claims of a multi-tenant issuer (`https://gitlab.com`, `gitlab.com/`); None for any other."""
    return TENANT_CLAIMS.get(issuer_host(issuer))


def restricts_tenant(expression: str, claims: frozenset[str]) -> bool:
    """Whether a CEL attribute condition reads a tenant claim (`assertion.X` or a mapped `attribute.X`)
    or the mapped subject (`google.subject`)."""
    if "google.subject" in expression:
        return True
    return any((match.group(1) or match.group(2)) in claims for match in _CLAIM_RE.finditer(expression))


def issuer_host(issuer: str) -> str:
    """The host of an issuer URL, a bare issuer, an OIDC provider ARN or a condition key prefix."""
    text = issuer.strip().rpartition("oidc-provider/")[2]
    return (urlsplit(text if "://" in text else f"https://{text}").hostname or "").lower()


def unpinned_github_subject(issuer: str, subject: str) -> str | None:
    """What an exact GitHub subject admits when it names no repository (`repository_owner:acme` -> every
    repository of acme); None when it names one, or for another issuer."""
    if issuer_host(issuer) != GITHUB_ISSUER or "*" in subject or "?" in subject:
        return None
    parts = subject.split(":")
    keys = parts[0::2]
    if any(key in _REPOSITORY_CLAIMS for key in keys):
        return None
    pairs = dict(zip(keys, parts[1::2], strict=False))
    if "repository_owner" in pairs:
        return f"every repository of {pairs['repository_owner']}"
    if "repository_owner_id" in pairs:
        return f"every repository of the owner with id {pairs['repository_owner_id']}"
    if "job_workflow_ref" in pairs:
        return "every repository that calls the reusable workflow it names"
    return "every repository on GitHub"


def issuer_reach(issuer: str) -> str:
    """Who can get a token of an issuer when nothing restricts the tenant. CircleCI's issuer URL is one per
    organisation (`https://oidc.circleci.com/org/<organisation id>`): its tokens come from that
    organisation's projects only, not from every CircleCI user."""
    if issuer_host(issuer) == CIRCLECI_ISSUER:
        return "every project of that CircleCI organisation"
    return "every workload of that issuer"


def claim_reach(issuer: str, claim: str, value: str) -> str:
    """Who a condition on one tenant claim other than `sub` admits (an Azure flexible credential matching
    `claims['job_workflow_ref']` only): GitHub puts the reusable workflow's path in `job_workflow_ref`, and
    any repository on GitHub that calls that workflow gets a token with it."""
    if issuer_host(issuer) == GITHUB_ISSUER:
        if claim == "job_workflow_ref":
            return f"every repository on GitHub whose workflow calls the reusable workflow {value!r}"
        if claim in ("repository_owner", "repository_owner_id"):
            return f"every repository of the owner {value!r}"
    return f"every workload of that issuer whose {claim} is {value!r}"
