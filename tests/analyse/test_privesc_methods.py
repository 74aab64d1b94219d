"""NHI-PRIV-006 for every escalation method of the method table (nhilint.analyse.privesc_methods).

Driven by `METHODS` itself: a method added to the table is exercised here without a new test. For each
method the Terraform grants the first alternative of every need, each action on a resource of the type it
must reach (`TARGETS`: another user, an administrator role, an administrators' group, a managed policy, a
Lambda function), and checks:

- positive: the actions in one inline policy give exactly one finding, at the first statement, naming the
  method and its actions (and, for PassRole and AssumeRole methods, the path to the administrator role);
- neutralised: an explicit Deny of any one of the actions, a permissions boundary that omits it, or (for
  PassRole) an `iam:PassedToService` naming another service, removes the finding;
- multi-resource: actions supplied by statements in two files (an inline policy and an attached managed
  policy; for single-action methods, a group policy and the group membership) give one finding naming both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from nhilint.analyse.privesc_methods import METHODS, TARGETS, Method
from nhilint.model import Finding, Severity
from tests.helpers import scan_tree, triples

RULE = "NHI-PRIV-006"
ROLE_ID = "aws:aws_iam_role.deployer"
USER_ID = "aws:aws_iam_user.builder"
OWNER = '{ owner = "platform-team" }'
OTHER_SERVICE = "states.amazonaws.com"  # a service no method passes a role to
assert all(OTHER_SERVICE not in m.passes_to for m in METHODS)

# The resource each target type is granted on: all defined in WORLD.
TARGET_REFS = {
    "user": "aws_iam_user.victim.arn",
    "role": "aws_iam_role.admin.arn",
    "group": "aws_iam_group.admins.arn",
    "policy": "aws_iam_policy.shared.arn",
    "function": "aws_lambda_function.worker.arn",
}
assert set(TARGET_REFS) == set(TARGETS.values())


def _id(method: Method) -> str:
    return method.name.replace(":", "-")


def _chosen(method: Method) -> list[str]:
    """One action per need: the first alternative."""
    return [need[0] for need in method.needs]


def _resource(action: str) -> str:
    target = TARGETS.get(action.lower())
    return TARGET_REFS[target] if target else '"*"'


def _hcl_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def _world(method: Method, assumer: str) -> str:
    """The targets: an administrator role (trusting the method's services; the identity itself only for the
    AssumeRole method, so that UpdateAssumeRolePolicy's sts:AssumeRole does not also make that method), another
    user, an administrators' group, a managed policy and a Lambda function running as the administrator.
    """
    services = list(method.passes_to) or ["ec2.amazonaws.com"]
    trust = [f'{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = {_hcl_list(services)} }} }}']
    if method.follow == "assume":
        trust.append(f'{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ AWS = {assumer}.arn }} }}')
    statements = ",\n      ".join(trust)
    return f"""\
resource "aws_iam_role" "admin" {{
  name = "platform-admin"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {statements},
    ]
  }})
  tags = {OWNER}
}}

resource "aws_iam_role_policy_attachment" "admin" {{
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}}

resource "aws_iam_user" "victim" {{
  name = "victim"
  tags = {OWNER}
}}

resource "aws_iam_group" "admins" {{
  name = "admins"
}}

resource "aws_iam_group_policy_attachment" "admins" {{
  group      = aws_iam_group.admins.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}}

resource "aws_iam_policy" "shared" {{
  name   = "shared"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }}]
  }})
}}

resource "aws_lambda_function" "worker" {{
  function_name = "worker"
  role          = aws_iam_role.admin.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "app.zip"
}}
"""


def _role(boundary: bool = False) -> str:
    bound = "  permissions_boundary = aws_iam_policy.boundary.arn\n" if boundary else ""
    return f"""\
resource "aws_iam_role" "deployer" {{
  name = "deployer"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ec2.amazonaws.com" }} }}]
  }})
{bound}  tags = {OWNER}
}}
"""


@dataclass
class Policy:
    """Statements rendered with jsonencode (one line each, so a statement's line is known)."""

    lines: list[str] = field(default_factory=list)

    def allow(self, actions: list[str], condition: str | None = None) -> Policy:
        """Allow statements grouped by the resource each action must reach."""
        by_resource: dict[str, list[str]] = {}
        for action in actions:
            by_resource.setdefault(_resource(action), []).append(action)
        for resource, grouped in by_resource.items():
            cond = ""
            if condition and "iam:PassRole" in grouped:
                cond = f', Condition = {{ StringEquals = {{ "iam:PassedToService" = "{condition}" }} }}'
            self.lines.append(f'{{ Effect = "Allow", Action = {_hcl_list(grouped)}, Resource = {resource}{cond} }},')
        return self

    def deny(self, action: str) -> Policy:
        self.lines.append(f'{{ Effect = "Deny", Action = {_hcl_list([action])}, Resource = "*" }},')
        return self

    def render(self) -> str:
        body = "".join(f"      {line}\n" for line in self.lines)
        return f'jsonencode({{\n    Version = "2012-10-17"\n    Statement = [\n{body}    ]\n  }})'


def _inline(policy: Policy) -> str:
    return f"""\
resource "aws_iam_role_policy" "deployer" {{
  name   = "deploy"
  role   = aws_iam_role.deployer.id
  policy = {policy.render()}
}}
"""


def _boundary(actions: list[str]) -> str:
    """A boundary allowing the workload's ordinary reads and the given actions."""
    return f"""\
resource "aws_iam_policy" "boundary" {{
  name   = "deployer-boundary"
  policy = {Policy().allow(["s3:GetObject", *actions]).render()}
}}
"""


def _line(text: str, needle: str, unique: bool = True) -> int:
    """The 1-based line of the only (or, unless unique, the first) line containing `needle`."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) == 1 or (found and not unique), (needle, found)
    return found[0]


def _findings(report_findings: list[Finding], identity: str) -> list[Finding]:
    return [f for f in report_findings if f.rule_id == RULE and f.identity == identity]


def _method_findings(report_findings: list[Finding], method: Method) -> list[Finding]:
    """The findings that name the method (another catalogue method whose actions are a subset of this
    one's, such as `codebuild:StartBuild` alone, may remain when one of this method's actions is removed)."""
    return [f for f in report_findings if f.rule_id == RULE and method.summary in f.message]


def _assert_names_method(finding: Finding, method: Method) -> None:
    assert method.summary in finding.message
    assert " + ".join(_chosen(method)) in finding.message
    if method.follow:
        hop = "PassRole" if method.follow == "pass" else "AssumeRole"
        assert f"deployer → {hop} → platform-admin (AdministratorAccess)" in finding.message


# -- positive ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS, ids=_id)
def test_method_in_one_inline_policy_is_found(tmp_path: Path, method: Method) -> None:
    policy = Policy().allow(_chosen(method))
    text = _role() + "\n" + _inline(policy)
    report = scan_tree(tmp_path, {"main.tf": text, "world.tf": _world(method, "aws_iam_role.deployer")})
    line = _line(text, policy.lines[0])
    assert triples(report, RULE) == [(RULE, "main.tf", line, ROLE_ID)]
    (finding,) = _findings(report.findings, ROLE_ID)
    _assert_names_method(finding, method)
    for statement in policy.lines:
        assert f"main.tf:{_line(text, statement)}" in finding.message
    assert "(only under conditions)" not in finding.message
    assert finding.severity == (Severity.CRITICAL if method.follow else Severity.HIGH)


# -- neutralised -------------------------------------------------------------------------------------------

NEEDS = [pytest.param(m, i, id=f"{_id(m)}-{m.needs[i][0]}") for m in METHODS for i in range(len(m.needs))]


@pytest.mark.parametrize(("method", "need"), NEEDS)
def test_explicit_deny_of_one_action_removes_the_method(tmp_path: Path, method: Method, need: int) -> None:
    actions = _chosen(method)
    text = _role() + "\n" + _inline(Policy().allow(actions).deny(actions[need]))
    report = scan_tree(tmp_path, {"main.tf": text, "world.tf": _world(method, "aws_iam_role.deployer")})
    assert _method_findings(report.findings, method) == []


@pytest.mark.parametrize(("method", "need"), NEEDS)
def test_boundary_omitting_one_action_removes_the_method(tmp_path: Path, method: Method, need: int) -> None:
    actions = _chosen(method)
    kept = [a for i, a in enumerate(actions) if i != need]
    text = _role(boundary=True) + "\n" + _inline(Policy().allow(actions)) + "\n" + _boundary(kept)
    report = scan_tree(tmp_path, {"main.tf": text, "world.tf": _world(method, "aws_iam_role.deployer")})
    assert _method_findings(report.findings, method) == []


@pytest.mark.parametrize(("method", "need"), NEEDS)
def test_boundary_keeping_every_action_keeps_the_method(tmp_path: Path, method: Method, need: int) -> None:
    """The control of the boundary variant: the same boundary with nothing omitted changes nothing."""
    del need
    actions = _chosen(method)
    policy = Policy().allow(actions)
    text = _role(boundary=True) + "\n" + _inline(policy) + "\n" + _boundary(actions)
    report = scan_tree(tmp_path, {"main.tf": text, "world.tf": _world(method, "aws_iam_role.deployer")})
    # the boundary repeats the statements below the inline policy: the first occurrence is the inline one
    assert triples(report, RULE) == [(RULE, "main.tf", _line(text, policy.lines[0], unique=False), ROLE_ID)]


PASS_METHODS = [m for m in METHODS if m.follow == "pass"]


@pytest.mark.parametrize("method", PASS_METHODS, ids=_id)
def test_passed_to_another_service_removes_the_pass_role_method(tmp_path: Path, method: Method) -> None:
    text = _role() + "\n" + _inline(Policy().allow(_chosen(method), condition=OTHER_SERVICE))
    report = scan_tree(tmp_path, {"main.tf": text, "world.tf": _world(method, "aws_iam_role.deployer")})
    assert _method_findings(report.findings, method) == []


@pytest.mark.parametrize("method", PASS_METHODS, ids=_id)
def test_passed_to_the_methods_service_keeps_it(tmp_path: Path, method: Method) -> None:
    policy = Policy().allow(_chosen(method), condition=method.passes_to[0])
    text = _role() + "\n" + _inline(policy)
    report = scan_tree(tmp_path, {"main.tf": text, "world.tf": _world(method, "aws_iam_role.deployer")})
    assert triples(report, RULE) == [(RULE, "main.tf", _line(text, policy.lines[0]), ROLE_ID)]
    (finding,) = _findings(report.findings, ROLE_ID)
    _assert_names_method(finding, method)
    assert "(only under conditions)" not in finding.message


# -- multi-resource ----------------------------------------------------------------------------------------


def _document(actions: list[str]) -> str:
    blocks = []
    for action in actions:
        blocks.append(f"""\
  statement {{
    sid       = "{action.replace(":", "").replace("-", "")}"
    actions   = {_hcl_list([action])}
    resources = [{_resource(action)}]
  }}
""")
    return 'data "aws_iam_policy_document" "extra" {\n' + "".join(blocks) + "}\n"


MULTI = [m for m in METHODS if len(m.needs) > 1]
SINGLE = [m for m in METHODS if len(m.needs) == 1]


@pytest.mark.parametrize("method", MULTI, ids=_id)
def test_actions_split_over_an_inline_and_a_managed_policy_in_two_files(tmp_path: Path, method: Method) -> None:
    first, *rest = _chosen(method)
    inline = Policy().allow([first])
    a_tf = _role() + "\n" + _inline(inline)
    b_tf = (
        _document(rest)
        + """
resource "aws_iam_policy" "extra" {
  name   = "deployer-extra"
  policy = data.aws_iam_policy_document.extra.json
}

resource "aws_iam_role_policy_attachment" "extra" {
  role       = aws_iam_role.deployer.name
  policy_arn = aws_iam_policy.extra.arn
}
"""
    )
    report = scan_tree(tmp_path, {"a.tf": a_tf, "b.tf": b_tf, "world.tf": _world(method, "aws_iam_role.deployer")})
    line_a = _line(a_tf, inline.lines[0])
    assert triples(report, RULE) == [(RULE, "a.tf", line_a, ROLE_ID)]
    (finding,) = _findings(report.findings, ROLE_ID)
    _assert_names_method(finding, method)
    assert f"a.tf:{line_a}" in finding.message
    for action in rest:
        sid = action.replace(":", "").replace("-", "")
        line_b = _line(b_tf, f'sid       = "{sid}"') - 1  # the statement block opens on the line above
        assert f"b.tf:{line_b}" in finding.message, finding.message
        assert f"b.tf:{line_b}" in finding.evidence, finding.evidence
    assert "aws_iam_policy.extra" in finding.evidence


def _group_files(method: Method) -> tuple[str, str, str]:
    """a.tf: a group and its policy granting the method's one action; b.tf: the user and its membership."""
    (action,) = _chosen(method)
    statement = f'{{ Effect = "Allow", Action = {_hcl_list([action])}, Resource = {_resource(action)} }},'
    a_tf = f"""\
resource "aws_iam_group" "deployers" {{
  name = "deployers"
}}

resource "aws_iam_group_policy" "deployers" {{
  name  = "deploy"
  group = aws_iam_group.deployers.name
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {statement}
    ]
  }})
}}
"""
    b_tf = f"""\
resource "aws_iam_user" "builder" {{
  name = "builder"
  tags = {OWNER}
}}

resource "aws_iam_user_group_membership" "builder" {{
  user   = aws_iam_user.builder.name
  groups = [aws_iam_group.deployers.name]
}}
"""
    return a_tf, b_tf, statement


@pytest.mark.parametrize("method", SINGLE, ids=_id)
def test_action_on_a_group_policy_and_membership_in_another_file(tmp_path: Path, method: Method) -> None:
    a_tf, b_tf, statement = _group_files(method)
    report = scan_tree(tmp_path, {"a.tf": a_tf, "b.tf": b_tf, "world.tf": _world(method, "aws_iam_user.builder")})
    line_a = _line(a_tf, statement)
    assert triples(report, RULE) == [(RULE, "a.tf", line_a, USER_ID)]
    (finding,) = _findings(report.findings, USER_ID)
    assert method.summary in finding.message
    assert f"({_chosen(method)[0]}; a.tf:{line_a})" in finding.message
    assert "(aws_iam_group_policy.deployers), through group membership" in finding.evidence
    assert finding.evidence.endswith(f"(a.tf:{line_a})")
    assert finding.block is not None and finding.block.path == "b.tf"  # the user, where the membership is
    if method.follow:
        assert "builder → AssumeRole → platform-admin (AdministratorAccess)" in finding.message


@pytest.mark.parametrize("method", SINGLE[:1], ids=_id)
def test_group_supplied_finding_names_the_membership(tmp_path: Path, method: Method) -> None:
    a_tf, b_tf, _ = _group_files(method)
    report = scan_tree(tmp_path, {"a.tf": a_tf, "b.tf": b_tf, "world.tf": _world(method, "aws_iam_user.builder")})
    (finding,) = _findings(report.findings, USER_ID)
    line_b = _line(b_tf, 'resource "aws_iam_user_group_membership" "builder"')
    assert f"b.tf:{line_b}" in finding.message + finding.evidence
