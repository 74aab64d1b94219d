"""Links an extractor records while reading and the Builder resolves once their targets are known.

Resources arrive in no particular order: an attachment can name a policy not yet read, an instance profile a
role, a trust an OIDC provider. Each such link is one of these records, kept in a typed list on the Builder
and consumed by one resolver (nhilint.extract.aws_links) that Terraform and CloudFormation both call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nhilint.model import Fact, Location, Unknown
from nhilint.values import Ref

if TYPE_CHECKING:  # the Builder's records only hold documents; reading one loads the policy parser
    from nhilint.iam.policy import Document

LinkTarget = Ref | str | Unknown | None


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A customer managed policy in the code, kept until its attachments are resolved."""

    id: str
    address: str
    name: str | Unknown | None
    document: Document
    location: Location


@dataclass(frozen=True, slots=True)
class PendingAttachment:
    """A managed policy (reference, name or ARN) attached to a principal, by the resource `via`."""

    policy: LinkTarget
    principal: LinkTarget
    principal_types: tuple[str, ...]
    location: Location
    via: str


@dataclass(frozen=True, slots=True)
class PendingMembership:
    """A user in a group; `shown` is how the group reads when it is not created in the scanned code."""

    user: LinkTarget
    group: LinkTarget
    shown: str
    location: Location
    via: str


@dataclass(frozen=True, slots=True)
class PendingRotation:
    """A Secrets Manager rotation of the secret `secret` (its period and where it is configured)."""

    secret: LinkTarget
    rotation: Fact


@dataclass(frozen=True, slots=True)
class ProfileAlias:
    """An instance profile: a handle on a role, so links to the profile resolve to the role itself."""

    address: str
    name: Any  # the profile's name as written (registered only when it is text)
    role: LinkTarget


@dataclass(frozen=True, slots=True)
class OidcProvider:
    """An OIDC identity provider in the code: its issuer (host and path) and the texts that name it in a
    trust principal (`${aws_iam_openid_connect_provider.gh.arn}`, `${template.yaml#GitHubOidc.Arn}`)."""

    address: str
    issuer: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TimeRotation:
    """A Terraform `time_rotating` resource: how often it rotates what is tied to it."""

    period: str
    location: Location
