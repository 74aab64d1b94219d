"""Typed references: text that is exactly one `${…}` reference marker becomes a `TargetRef`.

Evaluators render a reference they cannot evaluate as a marker inside text (`${aws_iam_role.ci.arn}`,
`${template.yaml#Role.Arn}`). Extract is the last layer that reads that text: what reaches the model as a
grant's resource, a trust principal, a role or a permissions boundary is a `TargetRef`, which prints the
same but names its target, its kind and (resolved in `Builder.finish`) the identity it is.
"""

from __future__ import annotations

import re

from nhilint.model import RoleRef, TargetRef, Unknown
from nhilint.values import Ref, ref_marker

# Builder.by_name key of a GCP service account whose project was not evaluated (looked up by account id alone):
# written by the Terraform GCP extractor, read there and by the Kubernetes workload-identity links.
SA_ANY_PROJECT = "google_service_account (project not evaluated)"

# What a referenced Terraform resource is, for analysis that must tell a role from a function without the
# resource being in the scan (an IAM resource pattern that names `aws_lambda_function.x.arn`).
KINDS: dict[str, str] = {
    "aws_iam_role": "role",
    "aws_iam_user": "user",
    "aws_iam_group": "group",
    "aws_iam_policy": "policy",
    "aws_lambda_function": "function",
}
_AWS_TYPE_RE = re.compile(r"(aws_[a-z0-9_]+)\.[^./]+(?:\.[A-Za-z_]+)?$")
# Azure scopes named by reference: one that names a subscription or management group is broad.
_AZURE_BROAD = (("subscription", "subscription"), ("management_group", "management_group"))


def kind_of(ref: Ref) -> str | None:
    """What a reference names, as far as its address tells; None when it cannot tell."""
    text = str(ref)
    typed = _AWS_TYPE_RE.search(text)
    if typed is not None:
        return KINDS.get(typed.group(1), "resource")
    lowered = text.lower()
    return next((kind for marker, kind in _AZURE_BROAD if marker in lowered), None)


def target_ref(text: str) -> TargetRef | None:
    """The reference a text is exactly (a Terraform or CloudFormation marker), else None."""
    if isinstance(text, TargetRef):
        return text
    if not text.startswith("${"):
        return None
    found = ref_marker(text)
    if found is None and "#" in text:  # a CloudFormation marker names its template: `${stack.yaml#Role.Arn}`
        from nhilint.parse.cfn_eval import marker_ref  # the CloudFormation evaluator, only past a Terraform miss

        found = marker_ref(text)
    return of_ref(found, text) if found is not None else None


def of_ref(ref: Ref, text: str | None = None) -> TargetRef:
    """A value-layer Ref as a model reference (`text`: how it is written, when not as a marker)."""
    return TargetRef(ref.address, ref.attribute, None, kind_of(ref), text)


def typed(text: str) -> str:
    """The text, as a TargetRef when it is exactly one reference marker."""
    return target_ref(text) or text


def typed_value(value: str | Unknown) -> str | Unknown:
    return typed(value) if isinstance(value, str) else value


def role_ref(name: str) -> RoleRef:
    """A role by name, or by a reference to a role resource of the code."""
    return RoleRef(name, target_ref(name))
