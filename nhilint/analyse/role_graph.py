"""The AWS roles of the scanned code as targets: which roles a resource pattern names, whom their trust admits.

Used by the escalation analysis (nhilint.analyse.privesc) to follow `iam:PassRole` and `sts:AssumeRole`
into roles. Indexes are built once per inventory, so asking "which roles may this identity assume" costs
the candidates, not every role's trust.

Who a trust admits to `sts:AssumeRole`:

- `*` and the scanning account's own root (`CURRENT_ACCOUNT`, as the evaluator writes
  `data.aws_caller_identity` and `AWS::AccountId`): anyone of the account its policy allows;
- a reference to an identity of the code (a `TargetRef` extract resolved), or a role, user or assumed-role
  ARN by name (two identities of the same name in different accounts both match);
- a literal account root (`arn:aws:iam::123456789012:root`): taken to be the identity's account only when
  the identity's own `sts:AssumeRole` names that role (not `*`). A vendor's account trusted with an
  external ID is another account, and treating every literal root as "ours" would connect everything.

AWS's same-account rule: a trust that names the principal itself (a reference, or its role or user ARN)
admits it with no `sts:AssumeRole` in its own policies (`naming`); a trust of the account (`*`, the root)
admits only principals whose own policies allow `sts:AssumeRole` on the role (`admitting`).
"""

from __future__ import annotations

import fnmatch
import re

from nhilint.model import CURRENT_ACCOUNT, Identity, TargetRef, Trust

_OPEN_PREFIXES = frozenset({"", "r", "ro", "rol", "role", "role/"})
Key = tuple[str, str]
ANY: Key = ("any", "")


class RoleGraph:
    """Roles by address and name, their trusts, and who each trust admits."""

    def __init__(self, identities: list[Identity], trusts: list[Trust]) -> None:
        self.by_id = {i.id: i for i in identities}
        self.roles = [i for i in identities if i.kind == "role"]
        self.trusts: dict[str, list[Trust]] = {}
        for trust in trusts:
            self.trusts.setdefault(trust.identity, []).append(trust)
        self._matching: dict[str, tuple[list[Identity], bool]] = {}
        self._service_trust: dict[tuple[str, tuple[str, ...]], bool] = {}
        self.admitters: dict[Key, list[tuple[Identity, bool]]] = {}
        self._role_keys: dict[str, list[tuple[Key, bool]]] = {}
        for role in self.roles:
            for trust in self.trusts.get(role.id, []):
                if trust.effect != "Allow" or not any(
                    fnmatch.fnmatchcase("sts:assumerole", a.lower()) for a in trust.actions
                ):
                    continue
                for principal in trust.principals:
                    key = principal_key(principal.type, principal.identifier)
                    if key is not None:
                        self.admitters.setdefault(key, []).append((role, bool(trust.conditions)))
                        self._role_keys.setdefault(role.id, []).append((key, bool(trust.conditions)))

    def by_ref(self, ref: TargetRef) -> Identity | None:
        """The identity a reference names, when it is one of the code."""
        return self.by_id.get(ref.identity) if ref.identity is not None else None

    def roles_matching(self, resource: str) -> tuple[list[Identity], bool]:
        """Roles of the code a resource pattern names, and whether it names any role at all (`*`, `role/*`)."""
        if resource not in self._matching:
            self._matching[resource] = self._match(resource)
        return self._matching[resource]

    def _match(self, resource: str) -> tuple[list[Identity], bool]:
        if resource == "*":
            return self.roles, True
        if isinstance(resource, TargetRef):
            identity = self.by_ref(resource)
            return ([identity] if identity is not None and identity.kind == "role" else []), False
        parts = resource.split(":", 5)
        if len(parts) < 6 or not fnmatch.fnmatchcase("iam", parts[2].lower()):
            return [], False
        res = parts[5]
        literal = re.split(r"[*?]", res, maxsplit=1)[0]
        if literal != res and literal.lower() in _OPEN_PREFIXES:
            return self.roles, True
        last = res.rsplit("/", 1)[-1]
        found = [
            r
            for r in self.roles
            if isinstance(r.name, str)
            and (fnmatch.fnmatchcase(f"role/{r.name}", res) or (res.startswith("role/") and last == r.name))
        ]
        return found, False

    def trusts_service(self, role: Identity, services: tuple[str, ...]) -> bool:
        """Whether a role's trust admits one of the service principals (True when its trust is not known)."""
        key = (role.id, services)
        if key not in self._service_trust:
            trusts = [t for t in self.trusts.get(role.id, []) if t.effect == "Allow"]
            self._service_trust[key] = (
                not trusts
                or all(t.unknown and not t.principals for t in trusts)
                or any(
                    p.type == "Service"
                    and isinstance(p.identifier, str)
                    and any(p.identifier.lower().startswith(s) for s in services)
                    for t in trusts
                    for p in t.principals
                )
            )
        return self._service_trust[key]

    def admitting(self, source: Identity, matched: set[str], everyone: bool) -> list[tuple[Identity, bool]]:
        """Roles whose trust admits `source`, among those its sts:AssumeRole names (`matched`, or all).

        With `everyone` (sts:AssumeRole on `*`) the roles admitting the whole account are left out: they
        are the same for every such source, and a traversal adds them once (`admitters[ANY]`).
        """
        mine = {("ref", source.id), (source.kind, source.name if isinstance(source.name, str) else ""), ANY}
        found: dict[str, tuple[Identity, bool]] = {}
        if everyone:
            candidates = [(r, c) for key in mine if key != ANY for r, c in self.admitters.get(key, [])]
        else:
            candidates = [
                (r, c)
                for r in self.roles
                if r.id in matched
                for key, c in self._role_keys.get(r.id, [])
                if key in mine or key[0] == "account"
            ]
        for role, conditional in candidates:
            if role is not source and (role.id not in found or (found[role.id][1] and not conditional)):
                found[role.id] = (role, conditional)
        return list(found.values())

    def naming(self, source: Identity) -> list[tuple[Identity, bool]]:
        """Roles whose trust names `source` itself (its reference, or its role or user ARN by name).

        AWS: in the same account, a trust policy that names a principal's ARN lets that principal assume
        the role without any grant in its own identity policies (a trust of the account root does not).
        """
        mine = {("ref", source.id), (source.kind, source.name if isinstance(source.name, str) else "")}
        found: dict[str, tuple[Identity, bool]] = {}
        for key in mine:
            for role, conditional in self.admitters.get(key, []):
                if role is not source and (role.id not in found or (found[role.id][1] and not conditional)):
                    found[role.id] = (role, conditional)
        return list(found.values())


def principal_key(kind: str, identifier: object) -> Key | None:
    """How a trust principal names whom it admits; None for services and federated principals."""
    if kind == "*" or identifier == "*":
        return ANY
    if kind != "AWS" or not isinstance(identifier, str):
        return None
    if isinstance(identifier, TargetRef):
        return ("ref", identifier.identity) if identifier.identity is not None else None
    if identifier == CURRENT_ACCOUNT or (CURRENT_ACCOUNT in identifier and identifier.endswith(":root")):
        return ANY
    if identifier.isdigit() or identifier.endswith(":root"):
        return ("account", identifier.split(":")[4] if identifier.startswith("arn:") else identifier)
    for kind_name, marker in (("role", ":role/"), ("user", ":user/"), ("role", ":assumed-role/")):
        if marker in identifier:
            rest = identifier.split(marker, 1)[1]
            return (kind_name, rest.split("/")[0] if marker == ":assumed-role/" else rest.rsplit("/", 1)[-1])
    return None
