"""No privilege-escalation path: an AWS role or user must not be able to give itself more than it has.

An identity that can rewrite a policy, attach one, create another user's access key, or pass a role to
compute it controls holds, in effect, everything that policy, user or role holds. Reported once per problem,
at the first statement (by file and line) that supplies it, naming the actions and every statement that
together supply them. Methods enabled by the same statement, or whose actions are a subset of another's,
are one finding naming every method (`iam:*` on `*` is one finding, not ten); one that lets the identity
grant itself any permission on every resource (a policy write on `*`) is reported as admin-equivalent
(critical). Methods from distinct statements that need distinct fixes stay distinct findings.

- Methods (full action combinations; `nhilint/data/escalation/aws.yaml` lists them with the catalogue
  entries of Rhino Security Labs, Datadog's pathfinding.cloud and PMapper they cover): IAM policy and
  version writes (`CreatePolicyVersion`, `SetDefaultPolicyVersion`, `Attach*Policy`, `Put*Policy`),
  `AddUserToGroup`, `CreateAccessKey`/`CreateLoginProfile`/`UpdateLoginProfile` on another user,
  `UpdateAssumeRolePolicy` (the rewritten trust names the identity, which then needs no
  `sts:AssumeRole`); `iam:PassRole` with EC2 `RunInstances`/`RequestSpotInstances`,
  Lambda, Glue dev endpoints and jobs, CloudFormation stacks and StackSets, Data Pipeline, CodeBuild,
  SageMaker, ECS, Auto Scaling, App Runner and Bedrock AgentCore code interpreters; taking over existing
  compute (`lambda:UpdateFunctionCode`, `glue:UpdateDevEndpoint`, `ssm:SendCommand`/`StartSession`,
  `ec2-instance-connect:SendSSHPublicKey`, EC2 user-data and launch-template rewrites, CodeBuild
  `StartBuild`, CloudFormation `UpdateStack` and change sets, App Runner `UpdateService`, SageMaker
  presigned URLs and lifecycle configurations, AgentCore code-interpreter sessions); and `sts:AssumeRole`
  chains that reach a more privileged role.
- Considered: the identity's effective permissions (every inline and attached policy, its groups'
  policies, the AWS managed policies nhilint knows by name), less explicit Deny statements, within its
  permissions boundary when the boundary is in the code. So two policies on different attachments that
  together make a method are found, and a Deny or boundary that removes an action removes the finding.
  Statements that cannot serve the method are dropped: resources all of another type (a role ARN for
  `AttachUserPolicy`), access keys and passwords limited to the identity itself
  (`user/${aws:username}`), conditions on `aws:SourceArn`/`aws:SourceAccount`, and `iam:PassedToService`
  naming a service the method does not use. Any other condition, and a Deny with conditions, make the
  finding conditional (medium).
- Followed: `iam:PassRole` and `sts:AssumeRole` into the roles of the scanned code, transitively through
  assume-role chains, with AWS's same-account semantics: a trust that names the identity (its reference or
  ARN) lets it assume the role without any `sts:AssumeRole` grant of its own; a trust of the account
  (`*`, the account root) needs the identity's own `sts:AssumeRole` on the role (or `*`). Chains are
  bounded (`MAX_CHAIN_HOPS` hops, `MAX_CHAIN_STEPS` roles visited per search). The finding names the path
  (`ci → PassRole → admin (AdministratorAccess)`) and is critical when it ends at an administrator. A
  role passed to a service that its trust does not admit is not counted; a role that is neither
  administrator nor able to escalate is not "more privileged", so passing a scoped execution role is not
  reported. `iam:PassRole` on `*` is reported whatever the code holds; on a role
  outside the code it is reported as unknown.
- Not considered: resource-based policies (bucket, key, function policies), service control policies,
  session policies, the actual contents of AWS managed policies nhilint does not know by name, the
  resources named in a boundary, and whether a role in another account trusts this one. Administrators
  (`AdministratorAccess`, `Action * on Resource *`) are NHI-PRIV-004's findings, not repeated here; groups
  are analysed through their members.

Anti-pattern::

    statement {
      actions   = ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]
      resources = ["*"]
    }

Best practice::

    statement {
      actions   = ["iam:PassRole"]
      resources = [aws_iam_role.app_lambda.arn]
      condition {
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = ["lambda.amazonaws.com"]
      }
    }
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.analyse.privesc import MAX_CHAIN_HOPS, MAX_CHAIN_STEPS, Escalation, Reach
from nhilint.analyse.privesc_groups import EscalationGroup, group
from nhilint.model import Finding, Identity, Severity
from nhilint.rules.base import Context, Rule, label, short_address

SHOWN_PATHS = 3


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for found in group(ctx.analysis.escalations):
        yield rule.finding(
            _group_message(found),
            found.location,
            found.identity,
            _group_evidence(found),
            found.identity.location,
            all(m.unknown for m in found.members),
            ctx,
            _group_severity(found),
        )


def _group_message(found: EscalationGroup) -> str:
    if len(found.members) == 1 and not found.admin_equivalent:
        return _message(found.members[0])
    who = label(found.identity)
    wheres = {_where(m) for m in found.members}
    shared = wheres.pop() if len(wheres) == 1 else None  # one statement: name it once
    at = f" ({shared})" if shared else ""
    admin = found.admin_equivalent
    if admin:
        ways = " or ".join(_method_text(m, shared) for m in admin)
        others = [m.method.name for m in found.members if m not in admin]
        text = f"{who} holds admin-equivalent permissions{at}: it can grant itself any permission by {ways}"
        return text + (f"; it also enables {', '.join(dict.fromkeys(others))}" if others else "")
    parts = [_method_text(m, shared) + _paths(m) for m in found.members]
    return f"{who} can escalate privileges in {len(parts)} ways{at}: " + "; ".join(parts)


def _where(escalation: Escalation) -> str:
    where = ", ".join(str(at) for at in sorted({s.grant.location for u in escalation.used for s in u.supplies}))
    return where or str(escalation.location)


def _method_text(escalation: Escalation, shared: str | None) -> str:
    actions = " + ".join(u.action for u in escalation.used) or "no grant needed"
    text = (
        f"{escalation.method.summary} ({actions})"
        if shared
        else f"{escalation.method.summary} ({actions}; {_where(escalation)})"
    )
    if escalation.conditional or any(r.conditional for r in escalation.reaches):
        text += " (only under conditions)"
    return text


def _paths(escalation: Escalation) -> str:
    if escalation.reaches:
        paths = [_path(escalation.identity, r) for r in escalation.reaches[:SHOWN_PATHS]]
        more = len(escalation.reaches) - SHOWN_PATHS
        return ": " + ", ".join(paths) + (f" and {more} more" if more > 0 else "")
    if escalation.external:
        return f": passes {', '.join(escalation.external)}, not in the scanned code"
    return ""


def _message(escalation: Escalation) -> str:
    actions = " + ".join(u.action for u in escalation.used)
    where = ", ".join(str(at) for at in sorted({s.grant.location for u in escalation.used for s in u.supplies}))
    # A trust that names the identity needs no grant of its own: the trust is what the finding points at.
    how = f"({actions}; {where})" if escalation.used else f"(its name in the role's trust, {escalation.location})"
    text = f"{label(escalation.identity)} can escalate privileges by {escalation.method.summary} {how}"
    if escalation.reaches:
        paths = [_path(escalation.identity, r) for r in escalation.reaches[:SHOWN_PATHS]]
        more = len(escalation.reaches) - SHOWN_PATHS
        text += ": " + "; ".join(paths) + (f"; and {more} more" if more > 0 else "")
    if escalation.external:
        text += f": passes {', '.join(escalation.external)}, not in the scanned code (unknown whether more privileged)"
    if escalation.conditional or any(r.conditional for r in escalation.reaches):
        text += " (only under conditions)"
    if escalation.truncated:
        bound = f"{MAX_CHAIN_HOPS} hops or {MAX_CHAIN_STEPS} roles"
        text += f" (the assume-role search stopped at its bound, {bound}: more may be reachable)"
    return text


def _path(origin: Identity, reach: Reach) -> str:
    steps = [_name(origin)] + [f"{hop} → {_name(role)}" for hop, role in reach.hops]
    return " → ".join(steps) + f" ({reach.privilege})"


def _name(identity: Identity) -> str:
    return identity.name if isinstance(identity.name, str) else short_address(identity.address)


def _group_evidence(found: EscalationGroup) -> str:
    if len(found.members) == 1 and not found.admin_equivalent:
        return _evidence(found.members[0])
    parts = sorted({part for m in found.members for part in _evidence(m).split("; ") if part})
    return f"methods: {', '.join(sorted(found.method_names))}; " + "; ".join(parts)


def _evidence(escalation: Escalation) -> str:
    """Each action's suppliers sorted, not in source order: moving a policy block must not change the
    finding's fingerprint. A trust-only chain names the trust that admits the identity."""
    if not escalation.used:
        return f"trust names {escalation.identity.id} ({escalation.location})"
    return "; ".join(
        part
        for u in escalation.used
        for part in sorted(f"{u.action}: {s.grant.via} ({s.statement.where})" for s in u.supplies)
    )


def _group_severity(found: EscalationGroup) -> Severity | None:
    if found.admin_equivalent:
        return Severity.CRITICAL
    if len(found.members) == 1:
        return _severity(found.members[0])
    return max(_severity(m) or Severity.HIGH for m in found.members)


def _severity(escalation: Escalation) -> Severity | None:
    if escalation.conditional:
        return Severity.MEDIUM
    if any(r.admin and not r.conditional for r in escalation.reaches):
        return Severity.CRITICAL
    return None


RULE = Rule(
    "NHI-PRIV-006",
    "privilege-escalation-path",
    Severity.HIGH,
    "NHI5",
    "Identity can escalate its own privileges",
    check,
)
