"""Who holds a grant, as the least-privilege rules name it: an identity, or a document nobody uses yet.

A grant of an identity names the document it comes from (`in managed policy aws_iam_policy.ci`), so the
finding says what to edit; a grant of nobody from a document no identity in the scan uses is reported on the
document itself, one severity lower, saying so. Either way one statement gives one finding per holder: an
attached document is not reported again on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from nhilint.analyse.privilege import source_document, unattached_document
from nhilint.model import Grant, Identity, PermissionDocument, Severity
from nhilint.rules.base import Context, Rule, label, short_address

UNATTACHED = "not attached to any identity in the scan"


def lowered(rule: Rule) -> Severity:
    """One step below the rule's severity, for a document nobody uses (a change could still attach it)."""
    return Severity(max(rule.severity - 1, Severity.LOW))


def document_name(document: PermissionDocument) -> str:
    """`managed policy aws_iam_policy.ci` (without the root's directory); a manifest's `ClusterRole/ops` as is."""
    noun = document.noun
    return document.address if document.address.startswith(f"{noun}/") else f"{noun} {short_address(document.address)}"


@dataclass(frozen=True, slots=True)
class Holder:
    """`who` starts the message and `suffix` ends it."""

    subject: Identity | None
    who: str
    document: PermissionDocument | None
    unattached: bool

    @property
    def suffix(self) -> str:
        if self.unattached:
            return f" ({UNATTACHED})"
        return f" (in {document_name(self.document)})" if self.document is not None and self.subject is not None else ""

    def granted(self, what: str) -> str:
        """`role ci is granted X`, or `managed policy aws_iam_policy.ci grants X` for a document."""
        return f"{self.who} grants {what}" if self.unattached else f"{self.who} is granted {what}"

    def severity(self, rule: Rule) -> Severity | None:
        """`lowered` for a document nobody uses; None (the rule's own) otherwise."""
        return lowered(rule) if self.unattached else None


def holder(ctx: Context, grant: Grant, fallback: str | None = None) -> Holder:
    """The identity holding `grant`, or the document it is written in when nothing holds it; `fallback`
    names a holder that is not an identity of the scan (default: the policy by its address)."""
    inventory = ctx.inventory
    subject = inventory.identities.get(grant.principal) if grant.principal else None
    unused = unattached_document(inventory, grant)
    if unused is not None:
        return Holder(None, document_name(unused), unused, True)
    document = source_document(inventory, grant)
    if subject is not None:
        return Holder(subject, label(subject), document, False)
    return Holder(None, fallback or f"policy {short_address(grant.source)}", document, False)
