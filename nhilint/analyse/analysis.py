"""The analysis stage: one `Analysis` per run, shared by every rule (Context) and every reporter (Report).

Why one object: several rules and outputs ask the same questions (effective permissions, escalation paths,
ServiceAccounts, workload-identity links), and each answer is expensive on a large estate. The object
computes each part on first use, keeps it for the run, and is dropped with the Report: there is no
module-level state keyed by the inventory. Each part is a plain function of the inventory and of other
parts, called here once; the cyclic GC is paused while a part builds its many small acyclic objects.

Reporters read it through nhilint.analysis_view.AnalysisView, which this class satisfies.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from nhilint.analysis_view import ActsAs, GrantPrivilege
from nhilint.gc_pause import paused_gc
from nhilint.model import Grant, Inventory, Location, Unknown

if TYPE_CHECKING:  # each part is imported when first asked: a Kubernetes scan never loads the AWS analyses
    from nhilint.analyse import k8s
    from nhilint.analyse.blast import BlastRadius
    from nhilint.analyse.effective import AwsAnalysis, Effective
    from nhilint.analyse.privesc import Escalation


class Analysis:
    """Everything analysed about one inventory, each part computed once, when first asked."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory

    # -- AWS effective permissions and escalation paths ---------------------------------------------

    @cached_property
    def aws(self) -> AwsAnalysis:
        """Grants indexed by principal and managed policy; effective permissions per identity on demand."""
        from nhilint.analyse.effective import AwsAnalysis

        with paused_gc():
            return AwsAnalysis(self.inventory)

    def effective(self, identity_id: str) -> Effective | None:
        """The effective permissions of an AWS identity (computed once); None if it is not one."""
        return self.aws.effective(identity_id)

    @cached_property
    def escalations(self) -> tuple[Escalation, ...]:
        """Every privilege-escalation path of every AWS role and user."""
        from nhilint.analyse.privesc import all_escalations

        with paused_gc():
            return tuple(all_escalations(self.inventory, self.aws))

    # -- blast radius ------------------------------------------------------------------------------

    @cached_property
    def blast(self) -> BlastRadius:
        """Direct reach and edges of every identity; routes and totals worked out per identity when asked."""
        from nhilint.analyse.blast import compute  # only the inventory outputs ask: a scan does not load it

        return compute(self.inventory)

    @cached_property
    def blast_complete(self) -> BlastRadius:
        """`blast` with every identity's routes and total reach worked out at once, GC paused (for outputs
        that list them all)."""
        radius = self.blast
        with paused_gc():
            for identity_id in self.inventory.identities:
                radius.reach(identity_id)
        return radius

    # -- Kubernetes --------------------------------------------------------------------------------

    @cached_property
    def service_accounts(self) -> tuple[k8s.ServiceAccount, ...]:
        """Declared ServiceAccounts, then the implicit ones Pods run as."""
        from nhilint.analyse import k8s

        return tuple(k8s.service_accounts(self.inventory))

    @cached_property
    def accounts_by_principal(self) -> dict[str, k8s.ServiceAccount]:
        """Every name a grant may give a ServiceAccount (its id, `serviceaccount:ns/name`) -> the account."""
        from nhilint.analyse import k8s

        return k8s.by_principal(self.service_accounts)

    @cached_property
    def workload_identities(self) -> tuple[k8s.WorkloadIdentity, ...]:
        """Every annotated ServiceAccount -> cloud identity edge."""
        from nhilint.analyse import k8s

        return tuple(k8s.workload_identities(self.inventory, self.service_accounts))

    @cached_property
    def acts_as(self) -> dict[str, list[ActsAs]]:
        """ServiceAccount identity id -> its workload-identity links, each judged against the target's trust."""
        from nhilint.analyse import k8s

        found: dict[str, list[ActsAs]] = {}
        for link in self.workload_identities:
            account, target = link.account, link.target
            trusts = self.inventory.trusts_of(target.id)
            verdict: bool | Unknown | None
            admitted_by: tuple[k8s.Admission, ...] = ()
            if account.namespace is None or account.name is None:
                verdict = Unknown("the ServiceAccount's namespace or name is not evaluated")
            else:
                verdict = k8s.admits(target, trusts, account.namespace, account.name)
                admitted_by = tuple(a for a in k8s.admissions(trusts) if a.admits(account.namespace, account.name))
            acts = ActsAs(account.identity, target, link.annotation, link.usage, verdict, admitted_by)
            found.setdefault(account.identity.id, []).append(acts)
        return found

    # -- one grant ---------------------------------------------------------------------------------

    def privilege(self, grant: Grant) -> GrantPrivilege:
        """The admin policy or role a grant confers, whether it is a wildcard (actions, or `*` resources), and
        the escalation methods it supplies to its principal (nhilint.analyse.privesc_groups.supplied_methods)."""
        from nhilint.analyse.privilege import admin_role, any_resource, wildcard_actions

        wildcard = bool(wildcard_actions(grant)) or (grant.permission_type == "action" and any_resource(grant))
        privesc = self.privesc_by_grant.get((grant.principal or "", grant.location), ())
        return GrantPrivilege(admin_role(grant), wildcard, privesc)

    @cached_property
    def privesc_by_grant(self) -> dict[tuple[str, Location], tuple[str, ...]]:
        """(principal, grant location) -> the escalation methods that grant supplies to that principal."""
        from nhilint.analyse.privesc_groups import supplied_methods

        return supplied_methods(self.escalations)
