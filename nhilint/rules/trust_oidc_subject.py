"""OIDC federation must pin the subject.

A role trusting an OIDC provider (GitHub Actions, GitLab, Terraform Cloud, an EKS cluster) without a
condition on `<issuer>:sub` can be assumed by every workload that provider issues tokens to: any
repository on GitHub, any pipeline on gitlab.com. A `sub` with a wildcard admits every repository of an
organisation (`repo:acme/*`) or every branch and pull request of a repository (`repo:acme/app:*`).
A condition that only excludes subjects (`StringNotEquals`, `StringNotLike`, `Null`) restricts nothing. An
exact GitHub subject built from a custom template without the repository (`repository_owner:acme`,
`job_workflow_ref:…`) admits every repository of the owner (the same holds for Azure federated identity
credentials, whose `subject` is matched exactly: an organisation-wide subject is wildcard-free yet admits
the whole organisation). Issuers that name the tenant in `aud` (a Cognito identity pool, a Google OAuth
client; `oidc_issuers.AUDIENCE_ISSUERS`) must be trusted with an `aud` condition: without it any identity
pool or Google client, in any account, is admitted. For GitHub, GitLab and Terraform Cloud `aud` is chosen by
the workflow that requests the token and STS checks it against the OIDC provider's client IDs, so a
missing `aud` condition narrows nothing that `sub` would not and is not reported. SAML providers are not
checked here.

GCP workload identity federation: a pool provider for a multi-tenant issuer (GitHub, GitLab, Terraform Cloud,
CircleCI; `oidc_issuers`) without an `attribute_condition`, or with one that reads no tenant claim
(repository, owner, project, organisation), admits every repository or workspace on that issuer (CircleCI's
issuer URL is per organisation, `oidc.circleci.com/org/<id>`: every project of that organisation). A GCP
pool of a single-tenant issuer (a company's own Keycloak, an AWS account) is not reported. An Azure flexible
credential that matches another tenant claim but not `sub` (`claims['job_workflow_ref']` only) is reported
with what that claim admits (every repository calling that reusable workflow).

Anti-pattern::

    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/*"]
    }

Best practice::

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/deploy:environment:production"]
    }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Identity, Severity, TargetRef, Trust, TrustPrincipal, Unknown
from nhilint.rules.base import Context, Rule, label
from nhilint.rules.oidc_issuers import (
    AUDIENCE_ISSUERS,
    claim_reach,
    issuer_host,
    issuer_reach,
    restricts_tenant,
    tenant_claims,
    unpinned_github_subject,
)

NOT_OIDC = (
    "saml-provider/",
    "cognito-identity.amazonaws.com",
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
)


def issuer_of(identifier: str, provider: str | None) -> str | None:
    """The OIDC issuer a Federated principal admits (extract names it when it knows the provider)."""
    if any(marker in identifier for marker in NOT_OIDC):
        return None
    if provider is not None:
        return provider
    if isinstance(identifier, TargetRef):
        return f"the OIDC provider {identifier.named('arn')}"
    return identifier


def describe_wildcard(value: str) -> str:
    if value.strip() in ("*", "repo:*", "repo:*:*"):
        return "any subject"
    if value.startswith("repo:"):
        repo, _, ref = value[5:].partition(":")
        if "*" in repo:
            return "any repository of " + repo.split("/", 1)[0] if "/" in repo else "any repository"
        if "*" in ref:
            return f"any branch, tag, environment or pull request of {repo}"
    return "subjects matching a wildcard"


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    identities = ctx.inventory.identities
    for trust in ctx.inventory.trusts:
        subject = identities.get(trust.identity)
        if subject is None or trust.effect != "Allow":
            continue
        for principal in trust.principals:
            if principal.type != "Federated":
                continue
            yield from _check_principal(rule, ctx, trust, subject, principal)
        if trust.platform == "gcp":
            yield from _check_attribute_conditions(rule, ctx, trust, subject)


_ATTRIBUTE_CONDITION = ":attribute_condition"


def _check_attribute_conditions(rule: Rule, ctx: Context, trust: Trust, subject: Identity) -> Iterator[Finding]:
    """A GCP pool provider's CEL `attribute_condition` must restrict the tenant of a multi-tenant issuer."""
    for condition in trust.conditions:
        if condition.operator != "CEL" or not condition.key.endswith(_ATTRIBUTE_CONDITION):
            continue
        issuer = condition.key.removesuffix(_ATTRIBUTE_CONDITION)
        claims = tenant_claims(issuer)
        if claims is None:
            continue
        for value in condition.values:
            if isinstance(value, Unknown):
                what = f"the attribute_condition that restricts who may assume {label(subject)}"
                yield _unevaluated(rule, ctx, trust, subject, what, value)
            elif not restricts_tenant(value, claims):
                yield rule.finding(
                    f"{label(subject)} trusts OIDC issuer {issuer} with an attribute_condition ({value!r}) that "
                    f"does not restrict the repository, project or owner: {issuer_reach(issuer)} may assume it",
                    trust.location,
                    subject,
                    f"{trust.via}: {condition.key} {value}",
                    trust.block,
                )


def _check_principal(
    rule: Rule, ctx: Context, trust: Trust, subject: Identity, principal: TrustPrincipal
) -> Iterator[Finding]:
    identifier = principal.identifier
    if isinstance(identifier, Unknown):
        yield _unevaluated(rule, ctx, trust, subject, f"the identity provider trusted by {label(subject)}", identifier)
        return
    audience_of = AUDIENCE_ISSUERS.get(issuer_host(identifier))
    if audience_of is not None and trust.platform == "aws":
        yield from _check_audience(rule, ctx, trust, subject, issuer_host(identifier), audience_of)
        return
    issuer = issuer_of(identifier, principal.provider)
    if issuer is None or (trust.platform == "gcp" and tenant_claims(issuer) is None):
        return
    sub_conditions = [c for c in trust.conditions if c.key.lower().endswith(":sub") and _narrows(c.operator)]
    if not sub_conditions:
        yield rule.finding(
            f"{label(subject)} trusts OIDC issuer {issuer} without a condition on the subject (sub)"
            + _other_claims(trust, issuer),
            trust.location,
            subject,
            f"{trust.via}: Federated {issuer}",
            trust.block,
        )
        return
    for condition in sub_conditions:
        for value in condition.values:
            if isinstance(value, Unknown):
                yield _unevaluated(rule, ctx, trust, subject, f"the subject allowed to assume {label(subject)}", value)
            elif "stringlike" in condition.operator.lower() and ("*" in value or "?" in value):
                yield rule.finding(
                    f"{label(subject)} may be assumed by {describe_wildcard(value)} via {issuer} (sub {value!r})",
                    trust.location,
                    subject,
                    f"{trust.via}: {condition.key} {value}",
                    trust.block,
                )
            elif (admitted := unpinned_github_subject(condition.key.rpartition(":")[0], value)) is not None:
                yield rule.finding(
                    f"{label(subject)} may be assumed by {admitted} via {issuer}: the subject {value!r} "
                    "names no repository",
                    trust.location,
                    subject,
                    f"{trust.via}: {condition.key} {value}",
                    trust.block,
                )


def _unevaluated(rule: Rule, ctx: Context, trust: Trust, subject: Identity, what: str, value: Unknown) -> Finding:
    """`could not evaluate <what>: <why>` at the trust, with the policy's unknown severity."""
    return rule.finding(
        f"could not evaluate {what}: {value.reason}", trust.location, subject, trust.via, trust.block, True, ctx
    )


def _other_claims(trust: Trust, issuer: str) -> str:
    """The end of the no-`sub` message: who may assume the identity, said as precisely as the conditions
    allow. Outside AWS (which reads no custom claims of these tokens) a credential may check another tenant
    claim instead (an Azure flexible credential matching `claims['job_workflow_ref']`): named as such."""
    host = issuer_host(issuer)
    checked = [
        (c.key.rpartition(":")[2], value)
        for c in trust.conditions
        if trust.platform != "aws"
        and _narrows(c.operator)
        and issuer_host(c.key.rpartition(":")[0]) == host
        and c.key.rpartition(":")[2].lower() not in ("sub", "aud")
        for value in c.values
        if isinstance(value, str)
    ]
    if not checked:
        return f": {issuer_reach(issuer)} may assume it"
    claims = ", ".join(sorted({claim for claim, _ in checked}))
    reach = "; ".join(claim_reach(issuer, claim, value) for claim, value in checked)
    return f", only on {claims}: {reach} may assume it"


def _narrows(operator: str) -> bool:
    """Whether a condition operator admits only the values it lists (not `StringNotEquals`, not `Null`)."""
    name = operator.lower().rpartition(":")[2]
    return "not" not in name and not name.startswith("null")


def _check_audience(
    rule: Rule, ctx: Context, trust: Trust, subject: Identity, issuer: str, audience_of: str
) -> Iterator[Finding]:
    """A Cognito or Google trust must pin `aud` (the identity pool, the OAuth client) to known values."""
    key = f"{issuer}:aud"
    values = [v for c in trust.conditions if c.key.lower() == key and _narrows(c.operator) for v in c.values]
    for value in values:
        if isinstance(value, Unknown):
            what = f"the {audience_of} allowed to assume {label(subject)}"
            yield _unevaluated(rule, ctx, trust, subject, what, value)
    if not values or all(isinstance(v, str) and v.strip() in ("*", "") for v in values):
        yield rule.finding(
            f"{label(subject)} trusts {issuer} without a condition on {key} (the {audience_of}): tokens of any "
            f"{audience_of}, in any account, may assume it",
            trust.location,
            subject,
            f"{trust.via}: Federated {issuer}",
            trust.block,
        )


RULE = Rule(
    "NHI-TRUST-003", "oidc-subject-not-pinned", Severity.HIGH, "NHI6", "OIDC federation without a pinned subject", check
)
