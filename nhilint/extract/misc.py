"""misc (Terraform): resource types -> identities, credentials, grants, trusts and usages."""

from __future__ import annotations

from nhilint.extract.common import Handler

TERRAFORM: dict[str, Handler] = {}
