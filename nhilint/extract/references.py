"""Typed references: text that is exactly one `${…}` reference marker becomes a `TargetRef`.

Evaluators render a reference they cannot evaluate as a marker inside text (`${aws_iam_role.ci.arn}`,
`${template.yaml#Role.Arn}`). Extract is the last layer that reads that text: what reaches the model as a
grant's resource, a trust principal or a role is a `TargetRef`, which prints the same but names its target.
"""

from __future__ import annotations

from nhilint.model import RoleRef, TargetRef, Unknown
from nhilint.parse.cfn_eval import marker_ref
from nhilint.values import ref_marker


def target_ref(text: str) -> TargetRef | None:
    """The reference a text is exactly (a Terraform or CloudFormation marker), else None."""
    if isinstance(text, TargetRef):
        return text
    if not text.startswith("${"):
        return None
    found = ref_marker(text) or marker_ref(text)
    return TargetRef(found.address, found.attribute) if found is not None else None


def typed(text: str) -> str:
    """The text, as a TargetRef when it is exactly one reference marker."""
    return target_ref(text) or text


def typed_value(value: str | Unknown) -> str | Unknown:
    return typed(value) if isinstance(value, str) else value


def role_ref(name: str) -> RoleRef:
    """A role by name, or by a reference to a role resource of the code."""
    return RoleRef(name, target_ref(name))
