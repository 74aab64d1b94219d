"""What nhilint must read back from a rendered model, and findings compared without their file and line.

The expectations are written from the model alone (ids, kinds, owners, grants, trusts, usages), in the id
scheme each format documents: `aws:<terraform address>`, `aws:<template path>#<LogicalId>`,
`gcp:google_service_account.<name>`, `kubernetes:ServiceAccount/<namespace>/<name>`.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nhilint.api import Report, scan
from tests.fuzz.model import CloudModel, K8sModel
from tests.helpers import config_for, write_tree

Facts = dict[str, tuple[str, str | None, str | None]]  # id -> (kind, owner, expires)


@contextmanager
def scanned(files: dict[str, str]) -> Iterator[Report]:
    """Write `files` to a fresh directory and scan it (hypothesis examples cannot share pytest's tmp_path)."""
    with tempfile.TemporaryDirectory(prefix="nhilint-fuzz-") as directory:
        root = Path(directory)
        write_tree(root, files)
        yield scan([root], config_for(root), root)


def terraform_facts(model: CloudModel) -> Facts:
    facts: Facts = {}
    for prefix, identity in model.aws():
        tags = dict(identity.tags)
        facts[f"aws:{prefix}aws_iam_{identity.kind}.{identity.label}"] = (
            identity.kind,
            model.owner_of(identity),
            tags.get("expires"),
        )
    for account in model.gcp:
        facts[f"gcp:google_service_account.{account.label}"] = ("service_account", None, None)
    return facts


def cloudformation_facts(model: CloudModel, template_of: dict[str, str]) -> Facts:
    """`template_of`: logical id -> the template file it was rendered into."""
    return {
        f"aws:{template_of[i.logical_id]}#{i.logical_id}": (i.kind, model.owner_of(i), dict(i.tags).get("expires"))
        for _, i in model.aws()
    }


def aws_grants(model: CloudModel, id_of: dict[str, str]) -> Counter[tuple[str, str, tuple[str, ...]]]:
    """(principal, effect, sorted actions) per statement of every inline policy; GCP members as roles."""
    grants: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
    for _, identity in model.aws():
        for policy in identity.policies:
            for statement in policy.statements:
                grants[(id_of[identity.label], statement.effect, tuple(sorted(statement.actions)))] += 1
    return grants


def gcp_grants(model: CloudModel) -> Counter[tuple[str, str, tuple[str, ...]]]:
    return Counter((f"gcp:google_service_account.{a.label}", "Allow", (role,)) for a in model.gcp for role in a.roles)


def aws_trusts(model: CloudModel, id_of: dict[str, str]) -> set[tuple[str, str, str]]:
    return {(id_of[i.label], p.type, p.value) for _, i in model.aws() for p in i.trust}


def k8s_id(namespace: str, name: str) -> str:
    return f"kubernetes:ServiceAccount/{namespace}/{name}"


def k8s_facts(model: K8sModel) -> Facts:
    facts: Facts = {}
    for account in model.accounts:
        notes = dict(account.annotations)
        owner = notes.get("owner") or notes.get("nhilint.io/owner")
        facts[k8s_id(account.namespace, account.name)] = ("k8s_service_account", owner, notes.get("nhilint.io/expires"))
    return facts


def k8s_grants(model: K8sModel) -> Counter[tuple[str, str, tuple[str, ...]]]:
    """One grant per rule of the bound role (`verbs resources`, a named group's resources as group/resource)
    for each subject; a built-in ClusterRole is granted by name."""
    grants: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
    for binding in model.bindings:
        role = next(
            (
                r
                for r in model.roles
                if r.kind == binding.role_kind
                and r.name == binding.role_name
                and (r.kind == "ClusterRole" or r.namespace == binding.namespace)
            ),
            None,
        )
        if role is None:
            permissions = [f"ClusterRole/{binding.role_name}"]
        else:
            permissions = [
                f"{','.join(rule.verbs)} "
                + ",".join(res if rule.api_group == "" else f"{rule.api_group}/{res}" for res in rule.resources)
                for rule in role.rules
            ]
        for subject in binding.subjects:
            for permission in permissions:
                grants[(k8s_id(subject.namespace, subject.name), "Allow", (permission,))] += 1
    return grants


def k8s_usages(model: K8sModel) -> set[tuple[str, str]]:
    return {(k8s_id(d.namespace, d.account), f"Deployment/{d.namespace}/{d.name}") for d in model.deployments}


# --- reading a report back -------------------------------------------------------------------------------


def facts_of(report: Report) -> Facts:
    return {
        i.id: (i.kind, _value(i.lifecycle.owner), _value(i.lifecycle.expires))
        for i in report.inventory.identities.values()
    }


def _value(fact: object) -> str | None:
    value = getattr(fact, "value", None)
    return value if isinstance(value, str) else None


def grants_of(report: Report) -> Counter[tuple[str, str, tuple[str, ...]]]:
    return Counter(
        (g.principal, g.effect, tuple(sorted(g.permissions)))
        for g in report.inventory.grants
        if g.principal in report.inventory.identities
    )


def trusts_of(report: Report) -> set[tuple[str, str, str]]:
    return {(t.identity, p.type, str(p.identifier)) for t in report.inventory.trusts for p in t.principals}


def usages_of(report: Report) -> set[tuple[str, str]]:
    return {(u.identity, u.workload) for u in report.inventory.usages}


Shape = Counter[tuple[str, str, str, str]]


def finding_shapes(report: Report) -> Shape:
    """Findings as (rule, identity, message, evidence) with every file path and line number taken out."""
    # CloudFormation addresses name their template without its directory (`iam.yaml#CiRole`).
    files = sorted(
        {*report.inventory.files, *(f.rsplit("/", 1)[-1] for f in report.inventory.files)}, key=len, reverse=True
    )
    pattern = re.compile("|".join(re.escape(f) + r"(?::\d+)?" for f in files)) if files else None

    def strip(text: str | None) -> str:
        text = text or ""
        return pattern.sub("<file>", text) if pattern else text

    def clauses(text: str) -> str:
        # The clauses of a joined evidence come in source order (pinned in test_found.py): compare them as a set.
        return "; ".join(sorted(strip(text).split("; ")))

    return Counter((f.rule_id, strip(f.identity), strip(f.message), clauses(f.evidence)) for f in report.findings)
