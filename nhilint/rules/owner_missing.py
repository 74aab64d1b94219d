"""Every non-human identity and credential needs an owner.

Nobody retires, rotates or answers for an identity that nobody owns. nhilint looks for the owner in the
resource's own tags/labels (keys from `settings.owner_tags`), an inline `# nhilint:owner team-x` comment
above or inside the block, provider `default_tags`, tags passed in through module inputs, and, for a
credential, the identity it belongs to.

Anti-pattern::

    resource "aws_iam_role" "deployer" {
      name               = "deployer"
      assume_role_policy = data.aws_iam_policy_document.trust.json
    }

Best practice::

    resource "aws_iam_role" "deployer" {
      name               = "deployer"
      assume_role_policy = data.aws_iam_policy_document.trust.json
      tags = { owner = "team-platform" }
    }

IAM groups are not reported: a group is a container of principals, not an identity that acts or holds a
credential; its members are (their group memberships still count among their grants).

A credential of an identity in the scanned code (an access key of a user, a service-account key) takes that
identity's owner: when both have none and the identity's finding is reported, the credential's is not
reported again (an AWS access key cannot even carry tags). A credential whose secret is kept in a secret of
the scan (an AgentCore provider's client secret in Secrets Manager) goes with that secret's finding, as
NHI-RET-001 does. `fold` drops those repeats after the scan has kept only the named files' findings and
applied inline suppressions, so a pre-commit run on the key's file alone, or a suppressed identity, still
reports the credential. A credential of no identity of the scan, or with an owner fact of its own that cannot
be evaluated, is always reported.

When the owner tag is set from something nhilint cannot evaluate (a variable without a default, a data
source), the finding says "could not evaluate" and takes the policy's `unknown_severity`.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Credential, Finding, Inventory, Severity
from nhilint.rules.base import Context, Rule, fact_where, kept_in, label, subjects, unknown_reason

# Identity kinds that hold principals rather than act: exempt from the owner, expiry and retirement rules.
CONTAINER_KINDS = frozenset({"group"})


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for subject in subjects(ctx.inventory):
        if subject.kind in CONTAINER_KINDS:
            continue
        owner = subject.lifecycle.owner
        if owner is None:
            yield rule.finding(f"{label(subject)} has no owner", subject.location, subject)
        elif not owner.known:
            yield rule.finding(
                f"could not evaluate the owner of {label(subject)}: {unknown_reason(owner)}",
                fact_where(owner, subject.location),
                subject,
                owner.source,
                subject.location,
                True,
                ctx,
            )


RULE = Rule("NHI-OWN-001", "owner-missing", Severity.MEDIUM, "NHI1", "Identity or credential has no owner", check)


def fold(findings: list[Finding], inventory: Inventory) -> list[Finding]:
    """The findings without a credential's NHI-OWN-001 whose cause is reported on another subject: its identity
    (whose owner it takes) or the secret it is kept in. Run on what the scan reports (named files, inline
    suppressions applied): a repeat is dropped only when the finding it repeats is still there."""
    reported = {f.identity for f in findings if f.rule_id == RULE.id}
    credentials = {c.id: c for c in inventory.credentials}

    def repeats(finding: Finding) -> bool:
        credential = credentials.get(finding.identity or "") if finding.rule_id == RULE.id else None
        cause = _cause(credential, inventory) if credential is not None else None
        return cause is not None and cause in reported

    return [f for f in findings if not repeats(f)]


def _cause(credential: Credential, inventory: Inventory) -> str | None:
    """The subject whose missing owner is this credential's: its identity, when the owner it lacks is the one it
    takes from it (nhilint.extract.builder), else the secret of the scan it is kept in."""
    parent = inventory.identities.get(credential.of) if isinstance(credential.of, str) else None
    if (
        parent is not None
        and parent.kind not in CONTAINER_KINDS
        and credential.lifecycle.owner == parent.lifecycle.owner
    ):
        return parent.id
    kept = kept_in(inventory, credential)
    return kept.id if kept is not None else None
