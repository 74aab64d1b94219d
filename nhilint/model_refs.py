"""Typed references and permissions the model holds (re-exported by nhilint.model).

A permission or reference is a `str` whose value is exactly what reports print (so every output format
stays one rendering, written here once), carrying typed fields for analysis: nothing above extract parses
the text back. Equality and hashing are those of the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """Where something is written: a path relative to the scan root (POSIX) and 1-based lines."""

    path: str
    start_line: int
    end_line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.start_line}"


class TargetRef(str):
    """A reference to another object of the code, whose value is known only after deploy.

    Its text is the reference as written, `${aws_iam_role.ci.arn}` or `${template.yaml#Role.Arn}`, which is
    what reports print; `address` is the object it names (`aws_iam_role.ci`, `template.yaml#Role`),
    `identity` the identity id extract resolved it to when the object is an identity of the scan, and `kind`
    what the object is when extract can tell without it being in the scan (`role`, `function`, `policy`,
    `subscription`, `management_group`, `resource` for anything else; None when it cannot tell).
    """

    address: str
    attribute: str | None
    identity: str | None
    kind: str | None

    def __new__(
        cls,
        address: str,
        attribute: str | None = None,
        identity: str | None = None,
        kind: str | None = None,
        text: str | None = None,
    ) -> TargetRef:
        written = text if text is not None else f"${{{address}.{attribute}}}" if attribute else f"${{{address}}}"
        self = super().__new__(cls, written)
        self.__dict__.update(address=address, attribute=attribute, identity=identity, kind=kind)
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (TargetRef, (self.address, self.attribute, self.identity, self.kind, str(self)))

    def resolved(self, identity: str | None) -> TargetRef:
        return TargetRef(self.address, self.attribute, identity, self.kind, str(self))

    def named(self, *plain: str) -> str:
        """`address.attribute` for messages, without a trailing attribute of `plain` (`arn`, `id`)."""
        text = f"{self.address}.{self.attribute}" if self.attribute else self.address
        for attribute in plain:
            if text.endswith(f".{attribute}"):
                return text[: -len(attribute) - 1]
        return text


class Permission(str):
    """One entry of `Grant.permissions`, as written; the subclass says what it is."""

    __slots__ = ()


class ActionPattern(Permission):
    """An action or action pattern: `s3:Get*`, `iam.serviceAccounts.actAs`, `Microsoft.Compute/*/read`."""

    __slots__ = ()


class PolicyRef(Permission):
    """A managed policy attached by ARN or name that is not a policy of the scanned code."""

    __slots__ = ()


class Membership(Permission):
    """Membership of a group: the group's identity id (or the group as written when it is not in the code)."""

    __slots__ = ()


class RoleRef(Permission):
    """A role by name (`roles/editor`, `Owner`, `ClusterRole/view`), or a reference to a role of the code.

    `target` is set when the role is a reference (`${google_project_iam_custom_role.ci.id}`): the address of
    the role resource it names.
    """

    target: TargetRef | None

    def __new__(cls, name: str, target: TargetRef | None = None) -> RoleRef:
        self = super().__new__(cls, name)
        self.__dict__["target"] = target if target is not None else (name if isinstance(name, TargetRef) else None)
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (RoleRef, (str(self), self.target))


class K8sRule(Permission):
    """One Kubernetes RBAC PolicyRule, with the fields the API server matches on.

    Its text is `verb,verb resource,resource[ names=a,b]`, where a resource of a named API group is written
    `group/resource` and one of the core group (`""`) or of every group (`"*"`) is written bare: the text is
    for people; `api_groups` keeps the difference.
    """

    verbs: tuple[str, ...]
    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    resource_names: tuple[str, ...]
    non_resource_urls: tuple[str, ...]

    def __new__(
        cls,
        verbs: Sequence[str],
        api_groups: Sequence[str],
        resources: Sequence[str],
        resource_names: Sequence[str] = (),
        non_resource_urls: Sequence[str] = (),
    ) -> K8sRule:
        self = super().__new__(cls, _k8s_rule_text(verbs, api_groups, resources, resource_names, non_resource_urls))
        self.__dict__.update(
            verbs=tuple(verbs),
            api_groups=tuple(api_groups),
            resources=tuple(resources),
            resource_names=tuple(resource_names),
            non_resource_urls=tuple(non_resource_urls),
        )
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (K8sRule, (self.verbs, self.api_groups, self.resources, self.resource_names, self.non_resource_urls))


def _k8s_rule_text(
    verbs: Sequence[str],
    api_groups: Sequence[str],
    resources: Sequence[str],
    resource_names: Sequence[str],
    non_resource_urls: Sequence[str],
) -> str:
    targets: list[str] = []
    for group in api_groups or [""]:
        for resource in resources:
            folded = resource if group in ("", "*") else f"{group}/{resource}"
            if folded not in targets:
                targets.append(folded)
    targets += list(non_resource_urls)
    text = f"{','.join(verbs)} {','.join(targets)}"
    if resource_names:
        text += f" names={','.join(resource_names)}"
    return text
