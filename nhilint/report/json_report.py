"""JSON output for `scan` (findings) and `inventory` (identities), per the schemas in nhilint/schemas."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from nhilint import __version__, rules
from nhilint.analysis_view import ActsAs, AnalysisView
from nhilint.fingerprint import fingerprint
from nhilint.model import Fact, Finding, Grant, Identity, Inventory, PermissionDocument, Trust, Unknown
from nhilint.model_agents import AgentTool
from nhilint.model_stores import KeyVault
from nhilint.redact import for_inventory
from nhilint.report import json_text
from nhilint.report.readable import readable
from nhilint.result import Report, parse_errors
from nhilint.rules.base import Rule
from nhilint.values import readable_symbols

SCHEMA_VERSION = "1"


@functools.cache
def _entries() -> dict[str, rules.Entry]:
    return {entry.id: entry for entry in rules.REGISTRY}


def rule_by_id(rule_id: str) -> Rule | None:
    """nhilint's rule with this id, importing its module alone: a report names only the rules that found
    something (`nhilint.rules.BY_ID` would import every rule)."""
    entry = _entries().get(rule_id)
    return rules.load(entry) if entry else None


def finding_dict(finding: Finding, external: Mapping[str, Rule] | None = None) -> dict[str, Any]:
    """One finding; `external` holds the rules of other tools (checkov) the report carries."""
    rule = rule_by_id(finding.rule_id) or (external or {}).get(finding.rule_id)
    return {
        "rule_id": finding.rule_id,
        "severity": str(finding.severity),
        "message": finding.message,
        "file": finding.location.path,
        "line": finding.location.start_line,
        "end_line": finding.location.end_line,
        "identity": finding.identity,
        "address": finding.address,
        "kind": finding.kind,
        "platform": finding.platform,
        "owasp": rule.owasp_title if rule else None,
        "evidence": readable_symbols(finding.evidence),  # as the message reads; the fingerprint keeps it as found
        "unknown": finding.unknown,
        "fingerprint": fingerprint(finding),
    }


def render_scan(report: Report) -> str:
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "nhilint", "version": __version__},
        "policy": report.config.policy,
        "today": report.config.today.isoformat(),
        "summary": {
            "files": len(report.inventory.files),
            "identities": len(report.inventory.identities),
            "credentials": len(report.inventory.credentials),
            "grants": len(report.inventory.grants),
            "findings": len(report.findings),
            "suppressed": len(report.suppressed),
            "parse_errors": len(parse_errors(report.inventory)),
        },
        "findings": [finding_dict(f, report.external_rules) for f in report.findings],
        "suppressed": [
            {
                **finding_dict(s.finding, report.external_rules),
                "reason": s.reason,
                "until": s.until.isoformat() if s.until else None,
            }
            for s in report.suppressed
        ],
    }
    _add_comparisons(document, report)
    # Redacted as a document: fingerprints stay those of the findings (the baseline's), values are hidden.
    return json_text.dumps(for_inventory(report.inventory).document(document)) + "\n"


def _add_comparisons(document: dict[str, Any], report: Report) -> None:
    """`baselined`, `stale_baseline` and `changes`, present only when --baseline or --new-only asked."""
    summary = document["summary"]
    if report.baselined is not None:
        summary["baselined"] = len(report.baselined)
        document["baselined"] = [finding_dict(f, report.external_rules) for f in report.baselined]
    if report.stale_baseline is not None:
        summary["stale_baseline"] = len(report.stale_baseline)
        document["stale_baseline"] = [{**s.entry.as_dict(), "reason": s.reason} for s in report.stale_baseline]
    if report.changes is not None:
        summary["changes"] = len(report.changes)
        document["changes"] = [
            {
                "kind": c.kind,
                "identity": c.identity,
                "message": c.message,
                "file": c.location.path,
                "line": c.location.start_line,
            }
            for c in report.changes
        ]


def _value(value: str | Unknown | None) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else f"<unknown: {value.reason}>"


def _fact(fact: Fact | None) -> dict[str, Any] | None:
    if fact is None:
        return None
    return {"value": _value(fact.value), "source": fact.source, "known": fact.known}


def grant_dict(grant: Grant, analysis: AnalysisView) -> dict[str, Any]:
    privilege = analysis.privilege(grant)
    return {
        "principal": grant.principal,
        "permissions": list(grant.permissions),
        "permission_type": grant.permission_type,
        "not_actions": grant.not_actions,
        "scope": list(grant.scope),
        "effect": grant.effect,
        "via": grant.via,
        "file": grant.location.path,
        "line": grant.location.start_line,
        "admin": privilege.admin is not None,
        "wildcard": privilege.wildcard,
        "privesc": list(privilege.privesc),
        "unknown": grant.unknown,
        "document": grant.document,
    }


def document_dict(document: PermissionDocument) -> dict[str, Any]:
    """A permission document of the code and the principals it reaches (none: attached to no identity)."""
    return {
        "id": document.id,
        "kind": document.kind,
        "platform": document.platform,
        "address": document.address,
        "name": _value(document.name),
        "file": document.location.path,
        "line": document.location.start_line,
        "attached_to": list(document.attached_to),
        "attachment_unknown": document.attachment_unknown,
        "unattached": document.unattached,
    }


def trust_dict(trust: Trust) -> dict[str, Any]:
    return {
        "principals": [{"type": p.type, "identifier": _value(p.identifier)} for p in trust.principals],
        "actions": list(trust.actions),
        "conditions": [
            {"operator": c.operator, "key": c.key, "values": [_value(v) for v in c.values]} for c in trust.conditions
        ],
        "effect": trust.effect,
        "via": trust.via,
        "file": trust.location.path,
        "line": trust.location.start_line,
        "unknown": trust.unknown,
    }


def acts_as_dict(link: ActsAs) -> dict[str, Any]:
    """One ServiceAccount -> cloud identity edge and the trust statements that admit it (or none).

    `admitted` is true, false, or null when the scan cannot say (`unknown` then says why, if it knows).
    """
    verdict = link.admitted
    return {
        "identity": link.target.id,
        "annotation": link.annotation,
        "file": link.usage.location.path,
        "line": link.usage.location.start_line,
        "admitted": verdict if isinstance(verdict, bool) else None,
        "unknown": verdict.reason if isinstance(verdict, Unknown) else None,
        "admitted_by": [
            {
                "subject": a.written,
                "pattern": a.pattern,
                "wildcard": a.wildcard,
                "via": a.trust.via,
                "file": a.trust.location.path,
                "line": a.trust.location.start_line,
            }
            for a in link.admitted_by
        ],
    }


def identity_dict(
    identity: Identity,
    inventory: Inventory,
    analysis: AnalysisView,
    addresses: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One identity with everything attached to it.

    The cross-format chain is readable from both ends: a ServiceAccount's `acts_as` names the cloud identity
    and the trust statements that admit it (from the analysis); the cloud identity's `used_by` entry names
    the ServiceAccount's id, not only its address (`addresses`: address -> identity id, computed once by
    `render_inventory`; left out, computed here).
    """
    if addresses is None:
        addresses = _ids_by_address(inventory)
    lifecycle = identity.lifecycle
    return {
        "id": identity.id,
        "address": identity.address,
        "kind": identity.kind,
        "platform": identity.platform,
        "name": _value(identity.name),
        "file": identity.location.path,
        "line": identity.location.start_line,
        "owner": _fact(lifecycle.owner),
        "purpose": _fact(lifecycle.purpose),
        "expires": _fact(lifecycle.expires),
        "retire_on": _fact(lifecycle.retire_on),
        "tags": dict(identity.tags),
        "multiplicity": identity.multiplicity,
        "credentials": [
            {
                "id": c.id,
                "kind": c.kind,
                "address": c.address,
                "file": c.location.path,
                "line": c.location.start_line,
                "expires": _fact(c.expires),
                "rotation": _fact(c.rotation),
            }
            for c in inventory.credentials_of(identity.id)
        ],
        "grants": [grant_dict(g, analysis) for g in inventory.grants_of(identity.id)],
        "trusts": [trust_dict(t) for t in inventory.trusts_of(identity.id)],
        "used_by": [
            {
                "workload": u.workload,
                "identity": addresses.get(u.workload),
                "kind": u.kind,
                "file": u.location.path,
                "line": u.location.start_line,
            }
            for u in inventory.usages_of(identity.id)
        ],
        "acts_as": [acts_as_dict(link) for link in analysis.acts_as.get(identity.id, ())],
        **({"tools": [tool_dict(t) for t in tools]} if (tools := _tools_of(inventory, identity.id)) else {}),
    }


def _tools_of(inventory: Inventory, identity_id: str) -> list[AgentTool]:
    return [tool for tool in inventory.agent_tools if tool.agent == identity_id]


def _tools_using(inventory: Inventory, credential_id: str) -> list[dict[str, Any]]:
    """The AI agent tools called with a credential (an AgentCore credential provider a gateway target names)."""
    return [
        {"tool": t.address, "agent": t.agent if isinstance(t.agent, str) else None}
        for t in inventory.agent_tools
        if t.attribute("credential_id") == credential_id
    ]


def tool_dict(tool: AgentTool) -> dict[str, Any]:
    """An AI agent's tool: what runs it, as whom, and each operation (whether it changes state, is confirmed)."""
    return {
        "address": tool.address,
        "name": _value(tool.name),
        "file": tool.location.path,
        "line": tool.location.start_line,
        "executor": tool.executor,
        "runs_as": tool.runs_as if isinstance(tool.runs_as, str) else None,
        **({"credential": credential} if (credential := tool.attribute("credential_id")) else {}),
        "unknown": tool.unknown,
        "operations": [
            {
                "name": op.name,
                "changes_state": op.changes_state,
                "confirmed": op.confirmed,
                "file": op.location.path,
                "line": op.location.start_line,
            }
            for op in tool.operations
        ],
    }


def key_vault_dict(vault: KeyVault) -> dict[str, Any]:
    """A key vault and how it authorizes data access (`unknown`: why that could not be evaluated)."""
    return {
        "address": vault.address,
        "name": _value(vault.name),
        "platform": vault.platform,
        "file": vault.location.path,
        "line": vault.location.start_line,
        "resource_group": _value(vault.resource_group),
        "resource_group_address": vault.resource_group_address,
        "authorization": vault.authorization,
        "unknown": vault.unknown,
    }


def _ids_by_address(inventory: Inventory) -> dict[str, str]:
    """Address -> identity id, for addresses only one identity has (a usage names its workload by address)."""
    ids: dict[str, str | None] = {}
    for identity in inventory.identities.values():
        ids[identity.address] = None if identity.address in ids else identity.id
    return {address: found for address, found in ids.items() if found is not None}


def render_inventory(report: Report) -> str:
    """`nhilint inventory --format json`: every identity of the report's inventory, with its blast radius."""
    inventory, analysis = report.inventory, report.analysis
    addresses = _ids_by_address(inventory)
    document: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "nhilint", "version": __version__},
        "identities": [
            identity_dict(i, inventory, analysis, addresses)
            for i in sorted(inventory.identities.values(), key=lambda i: (i.location, i.id))
        ],
        "unowned_credentials": [
            {
                "id": c.id,
                "kind": c.kind,
                "address": c.address,
                "file": c.location.path,
                "line": c.location.start_line,
                "owner": _fact(c.lifecycle.owner),
                "expires": _fact(c.expires),
                "rotation": _fact(c.rotation),
                **({"used_by": used} if (used := _tools_using(inventory, c.id)) else {}),
            }
            for c in inventory.credentials
            if not isinstance(c.of, str)
        ],
        "unresolved": [
            {"what": u.what, "reason": u.reason, "file": u.location.path, "line": u.location.start_line}
            for u in inventory.unresolved
        ],
        "parse_errors": [{"file": e.path, "line": e.line, "reason": e.reason} for e in parse_errors(inventory)],
        "documents": [document_dict(d) for d in sorted(inventory.documents.values(), key=lambda d: (d.location, d.id))],
        "key_vaults": [key_vault_dict(v) for v in sorted(inventory.key_vaults, key=lambda v: (v.location, v.address))],
    }
    _add_blast_radius(document["identities"], analysis)
    return json_text.dumps(readable(for_inventory(inventory).document(document))) + "\n"


def _add_blast_radius(identities: list[dict[str, Any]], analysis: AnalysisView) -> None:
    """`reaches` (directly and through every identity it can become) and `can_become` (with the route)."""
    blast = analysis.blast_complete
    for entry in identities:
        entry["reaches"] = blast.reach(entry["id"]).as_dict()
        entry["can_become"] = [route.as_dict() for route in blast.routes(entry["id"])]
