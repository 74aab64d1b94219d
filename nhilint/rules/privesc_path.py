"""No privilege-escalation path: an AWS role or user must not be able to give itself more than it has.

An identity that can rewrite a policy, attach one, create another user's access key, or pass a role to
compute it controls holds, in effect, everything that policy, user or role holds. Reported, one finding per
method, at the first statement (by file and line) that supplies it, naming the actions and every statement
that together supply them:

- Methods (full action combinations; `nhilint/analyse/privesc_methods.py` lists them): IAM policy and
  version writes (`CreatePolicyVersion`, `SetDefaultPolicyVersion`, `Attach*Policy`, `Put*Policy`),
  `AddUserToGroup`, `CreateAccessKey`/`CreateLoginProfile`/`UpdateLoginProfile` on another user,
  `UpdateAssumeRolePolicy` + `sts:AssumeRole`; `iam:PassRole` with EC2 `RunInstances`, Lambda
  `CreateFunction` + `InvokeFunction`/`CreateEventSourceMapping`, Glue dev endpoints and jobs, CloudFormation
  `CreateStack`, Data Pipeline, CodeBuild, SageMaker, ECS `RegisterTaskDefinition` + `RunTask`/`CreateService`,
  Auto Scaling launch configurations; `lambda:UpdateFunctionCode`, `glue:UpdateDevEndpoint`,
  `ssm:SendCommand`/`StartSession`, `ec2-instance-connect:SendSSHPublicKey`, and EC2 user-data rewrites
  (`ModifyInstanceAttribute` + `StopInstances` + `StartInstances`); and `sts:AssumeRole` chains that reach
  a more privileged role.
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
  assume-role chains (the assumed role's trust must admit the identity by reference, name or account
  root). The finding names the path (`ci → PassRole → admin (AdministratorAccess)`) and is critical when it
  ends at an administrator. A role passed to a service that its trust does not admit is not counted; a
  role that is neither administrator nor able to escalate is not "more privileged", so passing a scoped
  execution role is not reported. `iam:PassRole` on `*` is reported whatever the code holds; on a role
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

from nhilint.analyse.privesc import Escalation, Reach
from nhilint.model import Finding, Identity, Severity
from nhilint.rules.base import Context, Rule, label, short_address

SHOWN_PATHS = 3


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for escalation in ctx.analysis.escalations:
        yield rule.finding(
            _message(escalation),
            escalation.location,
            escalation.identity,
            _evidence(escalation),
            escalation.identity.location,
            escalation.unknown,
            ctx,
            _severity(escalation),
        )


def _message(escalation: Escalation) -> str:
    actions = " + ".join(u.action for u in escalation.used)
    where = ", ".join(str(at) for at in sorted({s.grant.location for u in escalation.used for s in u.supplies}))
    text = f"{label(escalation.identity)} can escalate privileges by {escalation.method.summary} ({actions}; {where})"
    if escalation.reaches:
        paths = [_path(escalation.identity, r) for r in escalation.reaches[:SHOWN_PATHS]]
        more = len(escalation.reaches) - SHOWN_PATHS
        text += ": " + "; ".join(paths) + (f"; and {more} more" if more > 0 else "")
    if escalation.external:
        text += f": passes {', '.join(escalation.external)}, not in the scanned code (unknown whether more privileged)"
    if escalation.conditional or any(r.conditional for r in escalation.reaches):
        text += " (only under conditions)"
    return text


def _path(origin: Identity, reach: Reach) -> str:
    steps = [_name(origin)] + [f"{hop} → {_name(role)}" for hop, role in reach.hops]
    return " → ".join(steps) + f" ({reach.privilege})"


def _name(identity: Identity) -> str:
    return identity.name if isinstance(identity.name, str) else short_address(identity.address)


def _evidence(escalation: Escalation) -> str:
    """Each action's suppliers sorted, not in source order: moving a policy block must not change the
    finding's fingerprint."""
    return "; ".join(
        part
        for u in escalation.used
        for part in sorted(f"{u.action}: {s.grant.via} ({s.statement.where})" for s in u.supplies)
    )


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
