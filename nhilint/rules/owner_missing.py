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
identity's owner: when both have none, the identity is reported, once, not each of its keys again (an AWS
access key cannot even carry tags). A credential whose secret is kept in a secret of the scan (an AgentCore
provider's client secret in Secrets Manager) is reported on that secret, as NHI-RET-001 does. A credential of
no identity of the scan, or with an owner fact of its own that cannot be evaluated, is reported itself.

When the owner tag is set from something nhilint cannot evaluate (a variable without a default, a data
source), the finding says "could not evaluate" and takes the policy's `unknown_severity`.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Credential, Finding, Identity, Inventory, Severity
from nhilint.rules.base import Context, Rule, fact_where, kept_in, label, subjects, unknown_reason

# Identity kinds that hold principals rather than act: exempt from the owner, expiry and retirement rules.
CONTAINER_KINDS = frozenset({"group"})


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for subject in subjects(ctx.inventory):
        if subject.kind in CONTAINER_KINDS or _reported_elsewhere(subject, ctx.inventory):
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


def _reported_elsewhere(subject: Identity | Credential, inventory: Inventory) -> bool:
    """A credential whose missing owner is its identity's (inherited, nhilint.extract.builder), or that goes with
    the secret of the scan it is kept in."""
    if not isinstance(subject, Credential):
        return False
    parent = inventory.identities.get(subject.of) if isinstance(subject.of, str) else None
    if parent is not None and parent.kind not in CONTAINER_KINDS and subject.lifecycle.owner == parent.lifecycle.owner:
        return True
    return kept_in(inventory, subject) is not None
