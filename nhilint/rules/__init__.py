"""The rule registry: an explicit, ordered list of rule ids and their modules. Adding a rule means adding one
line to REGISTRY.

A rule module is imported when a scan runs the rule, not when the registry is read: which ids exist (what a
policy or an `nhilint:ignore` may name) is known from the list alone, and a family whose rules have nothing
to judge in an inventory is not imported at all (`for_inventory`): the Kubernetes rules in a scan without a
Kubernetes identity, grant or workload; the privilege rules (and the escalation analyses and catalogues they
import, a few tens of milliseconds) without a grant; the trust rules without a trust; the agent-tool rules
without a tool. A family's predicate must be a necessary condition of every finding of its rules (each
rule's `check` reads only those inputs; tests/test_lazy_imports.py runs every skipped rule over every rule
case to check it).
`RULES` and `BY_ID` load every rule (the catalog, reporters, tests).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from nhilint.model import Inventory
    from nhilint.rules.base import Rule

    RULES: tuple[Rule, ...]  # served by __getattr__ below
    BY_ID: dict[str, Rule]


def _kubernetes(inventory: Inventory) -> bool:
    """A Kubernetes identity (a ServiceAccount), RBAC grant or workload run as one (the implicit `default`)."""
    return (
        any(i.platform == "kubernetes" or i.kind == "k8s_service_account" for i in inventory.identities.values())
        or any(g.platform == "kubernetes" for g in inventory.grants)
        or any(u.identity.startswith("kubernetes:") for u in inventory.usages)
    )


def _aws_grants(inventory: Inventory) -> bool:
    """An AWS grant: escalation paths (NHI-PRIV-006) need allowed actions, even an sts:AssumeRole chain's end."""
    return any(g.platform == "aws" for g in inventory.grants)


def _oauth_scopes(inventory: Inventory) -> bool:
    """An Auth0 grant or an agent tool: what NHI-AGENT-007 reads."""
    return bool(inventory.agent_tools) or any(g.platform == "auth0" for g in inventory.grants)


KUBERNETES = "kubernetes"
GRANTS = "grants"  # rules that read only inventory.grants
AWS_GRANTS = "aws_grants"  # rules that read only AWS grants
ACCESS = "access"  # rules that read grants and trusts (who may act as whom)
TRUSTS = "trusts"  # rules that read only inventory.trusts
AGENT_TOOLS = "agent_tools"  # rules that read only inventory.agent_tools (with the identities they name)
OAUTH_SCOPES = "oauth_scopes"
# A family's rules have something to judge only when its predicate holds for the inventory.
FAMILIES: dict[str, Callable[[Inventory], bool]] = {
    KUBERNETES: _kubernetes,
    GRANTS: lambda inventory: bool(inventory.grants),
    AWS_GRANTS: _aws_grants,
    ACCESS: lambda inventory: bool(inventory.grants or inventory.trusts),
    TRUSTS: lambda inventory: bool(inventory.trusts),
    AGENT_TOOLS: lambda inventory: bool(inventory.agent_tools),
    OAUTH_SCOPES: _oauth_scopes,
}


class Entry(NamedTuple):
    id: str
    module: str  # under nhilint.rules; it defines RULE
    family: str | None = None  # a key of FAMILIES; None: every inventory


REGISTRY: tuple[Entry, ...] = (
    Entry("NHI-OWN-001", "owner_missing"),
    Entry("NHI-OWN-002", "owner_pattern"),
    Entry("NHI-EXP-001", "credential_no_expiry"),
    Entry("NHI-EXP-002", "expiry_too_far"),
    Entry("NHI-EXP-003", "expired"),
    Entry("NHI-EXP-004", "identity_no_expiry"),
    Entry("NHI-RET-001", "no_retirement"),
    Entry("NHI-PRIV-001", "wildcard_actions", GRANTS),
    Entry("NHI-PRIV-002", "wildcard_resource_write", GRANTS),
    Entry("NHI-PRIV-003", "not_action_allow", GRANTS),
    Entry("NHI-PRIV-004", "admin_grant", GRANTS),
    Entry("NHI-PRIV-005", "unknown_action", AWS_GRANTS),
    Entry("NHI-PRIV-006", "privesc_path", AWS_GRANTS),
    Entry("NHI-PRIV-007", "cloud_role_escalation", ACCESS),
    Entry("NHI-PRIV-012", "gcp_public_member", ACCESS),
    Entry("NHI-TRUST-001", "trust_anyone", TRUSTS),
    Entry("NHI-TRUST-002", "trust_cross_account", TRUSTS),
    Entry("NHI-TRUST-003", "trust_oidc_subject", TRUSTS),
    Entry("NHI-K8S-001", "k8s_automount", KUBERNETES),
    Entry("NHI-K8S-002", "k8s_default_sa", KUBERNETES),
    Entry("NHI-K8S-003", "k8s_sa_reuse", KUBERNETES),
    Entry("NHI-K8S-004", "k8s_dangerous_rbac", KUBERNETES),
    Entry("NHI-K8S-005", "k8s_anonymous_binding", KUBERNETES),
    Entry("NHI-K8S-006", "k8s_workload_identity", KUBERNETES),
    Entry("NHI-K8S-007", "k8s_workload_identity_wildcard", KUBERNETES),
    Entry("NHI-K8S-008", "k8s_wildcard_rbac", KUBERNETES),
    Entry("NHI-K8S-010", "default_node_identity"),
    Entry("NHI-AGENT-001", "agent_shared_identity"),
    Entry("NHI-AGENT-002", "agent_confused_deputy", TRUSTS),
    Entry("NHI-AGENT-003", "agent_unconfirmed_tool", AGENT_TOOLS),
    Entry("NHI-AGENT-004", "agent_ai_local_auth"),
    Entry("NHI-AGENT-005", "agent_tool_escalation", AGENT_TOOLS),
    Entry("NHI-AGENT-006", "agent_open_gateway"),
    Entry("NHI-AGENT-007", "agent_oauth_admin_scopes", OAUTH_SCOPES),
    Entry("NHI-CRED-001", "static_key"),
    Entry("NHI-CRED-002", "secret_in_code"),
    Entry("NHI-CRED-003", "console_login"),
    Entry("NHI-PARSE-001", "parse_error"),
    Entry("NHI-PARSE-002", "unresolved_module"),
    Entry("NHI-PARSE-003", "module_cycle"),
    Entry("NHI-PARSE-004", "limit_exceeded"),
    Entry("NHI-PARSE-005", "duplicate_key"),
    Entry("NHI-PARSE-006", "outside_root"),
    Entry("NHI-PARSE-007", "duplicate_object"),
    Entry("NHI-PARSE-008", "unset_variable"),
    Entry("NHI-PARSE-009", "module_defaults"),
    Entry("NHI-PARSE-010", "rendered_overlay"),
    Entry("NHI-SUPP-001", "bad_suppression"),
)

RULE_IDS: frozenset[str] = frozenset(entry.id for entry in REGISTRY)  # what `nhilint:ignore` may name


def load(entry: Entry) -> Rule:
    rule: Rule = importlib.import_module(f"nhilint.rules.{entry.module}").RULE
    return rule


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule, in registry order (imports every rule module)."""
    return tuple(load(entry) for entry in REGISTRY)


@functools.cache
def _by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in all_rules()}


def for_inventory(inventory: Inventory, enabled: Callable[[str], bool] = lambda rule_id: True) -> list[Rule]:
    """The enabled rules that have something to judge in `inventory`, in registry order; only those are imported."""
    families = {name: judged(inventory) for name, judged in FAMILIES.items()}
    return [load(entry) for entry in REGISTRY if enabled(entry.id) and (entry.family is None or families[entry.family])]


def __getattr__(name: str) -> object:
    if name == "RULES":
        return all_rules()
    if name == "BY_ID":
        return _by_id()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
