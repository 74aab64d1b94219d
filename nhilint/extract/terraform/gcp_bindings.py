"""GCP IAM bindings as written (Terraform): the role/members pairs of a member, binding or policy resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nhilint.extract.common import data_record
from nhilint.model import Condition, Location, Unknown
from nhilint.parse.terraform import TfResource
from nhilint.values import Ref, to_text


@dataclass(frozen=True, slots=True)
class Binding:
    """One role given to members: a member/binding resource or one binding of a policy."""

    role: str | Unknown
    members: list[Any]
    conditions: tuple[Condition, ...]
    location: Location
    members_at: Location
    unknown: str | None = None


def parse_member(value: Any) -> tuple[str, str | Unknown, str | Unknown]:
    """(prefix, identifier, whole member) of an IAM member: `serviceAccount:x@p.iam…` -> serviceAccount, email."""
    if isinstance(value, Ref) and value.attribute == "member":
        value = f"serviceAccount:${{{value.address}.email}}"
    text = to_text(value)
    if isinstance(text, Unknown):
        return "member", text, text
    prefix, sep, rest = text.partition(":")
    return (prefix, rest, text) if sep else (text, text, text)


def bindings(resource: TfResource) -> list[Binding]:
    """The role/members pairs a member, binding or policy resource sets."""
    conditions = tuple(
        Condition(
            "CEL", title if isinstance(title := c.get("title"), str) else "condition", (to_text(c.get("expression")),)
        )
        for c in resource.blocks("condition")
    )
    if not resource.type.endswith("_policy"):
        attr = "member" if resource.type.endswith("_member") else "members"
        members = resource.get(attr)
        unknown = members.reason if isinstance(members, Unknown) else None
        members = [members] if attr == "member" else members if isinstance(members, list) else []
        return [
            Binding(
                to_text(resource.get("role")),
                members,
                conditions,
                resource.at("role"),
                resource.at(attr),
                unknown if attr == "members" else None,
            )
        ]
    data = data_record(resource, "policy_data", "google_iam_policy")
    if data is None:
        value = resource.get("policy_data")
        reason = value.reason if isinstance(value, Unknown) else "policy_data is not a data.google_iam_policy"
        return [Binding(Unknown(reason), [], (), resource.at("policy_data"), resource.at("policy_data"), reason)]
    found = []
    for block in data.blocks("binding"):
        members = block.get("members")
        unknown = members.reason if isinstance(members, Unknown) else None
        found.append(
            Binding(
                to_text(block.get("role")),
                members if isinstance(members, list) else [],
                (),
                block.at("role"),
                block.at("members"),
                unknown,
            )
        )
    if data.blocks("dynamic"):
        reason = f"dynamic blocks of data.google_iam_policy.{data.block.labels[1]} are not evaluated"
        found.append(Binding(Unknown(reason), [], (), data.location, data.location, reason))
    return found
