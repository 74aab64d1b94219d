"""The rule registry: an explicit, ordered list. Adding a rule means adding it here."""

from __future__ import annotations

from nhilint.rules import (
    admin_grant,
    bad_suppression,
    console_login,
    credential_no_expiry,
    expired,
    expiry_too_far,
    identity_no_expiry,
    k8s_anonymous_binding,
    k8s_automount,
    k8s_dangerous_rbac,
    k8s_default_sa,
    k8s_sa_reuse,
    k8s_workload_identity,
    no_retirement,
    not_action_allow,
    owner_missing,
    owner_pattern,
    parse_error,
    secret_in_code,
    static_key,
    trust_anyone,
    trust_cross_account,
    trust_oidc_subject,
    unresolved_module,
    wildcard_actions,
    wildcard_resource_write,
)
from nhilint.rules.base import Rule

RULES: tuple[Rule, ...] = (
    owner_missing.RULE,
    owner_pattern.RULE,
    credential_no_expiry.RULE,
    expiry_too_far.RULE,
    expired.RULE,
    identity_no_expiry.RULE,
    no_retirement.RULE,
    wildcard_actions.RULE,
    wildcard_resource_write.RULE,
    not_action_allow.RULE,
    admin_grant.RULE,
    trust_anyone.RULE,
    trust_cross_account.RULE,
    trust_oidc_subject.RULE,
    k8s_automount.RULE,
    k8s_default_sa.RULE,
    k8s_sa_reuse.RULE,
    k8s_dangerous_rbac.RULE,
    k8s_anonymous_binding.RULE,
    k8s_workload_identity.RULE,
    static_key.RULE,
    secret_in_code.RULE,
    console_login.RULE,
    parse_error.RULE,
    unresolved_module.RULE,
    bad_suppression.RULE,
)

BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
