"""Turn checkov's JSON results into nhilint findings on nhilint identities, and fold the duplicates.

Identity: a checkov result names a resource (`aws_iam_role_policy.ci`, `module.app.aws_iam_role.app`,
`AWS::IAM::Role.CIRole`) in a file with a line range. It belongs to the nhilint subject (identity or
credential) that has that address in that file; to the principals of the grants written in that range (a
policy, a policy document, a ClusterRole); to the identity whose trust statement, workload or secret is
there. Addresses are compared without the root-module directory that nhilint puts in front (checkov names
`aws_iam_role.deploy` in `envs/prod/` as nhilint's `envs/prod/aws_iam_role.deploy`); a module called from
two roots is told apart by checkov's `caller_file_path`. A result that reaches several identities (one
policy attached to three roles) becomes one finding per identity, as nhilint's own rules do; one that
reaches none is kept with the resource as its address.

Folding: a checkov failure is a duplicate of a nhilint finding when checks.py lists that finding's rule in
its `folds`, both are in the same file, the nhilint finding's statement or block lies in checkov's line
range, and they concern the same identity. The nhilint finding stays (with its severity, fingerprint and
suppression) and its message gains `(also checkov CKV_…)`; the message, not the evidence, because the
evidence feeds the finding's fingerprint, which must not change when `--checkov` is turned on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from nhilint.checkov_interop.checks import platform_of, severity_of
from nhilint.model import Credential, Finding, Identity, Inventory, Location, Suppressed
from nhilint.rules.base import short_address

Subject = Identity | Credential
_INDEX_RE = re.compile(r"\[[^\]]*\]")


@dataclass(frozen=True, slots=True)
class CheckovResult:
    """One failed or skipped checkov check on one resource, with paths relative to the scan root."""

    check_id: str
    name: str
    skipped: bool
    resource: str
    path: str
    start_line: int
    end_line: int
    severity: str | None = None
    caller_path: str | None = None
    skip_reason: str = ""
    guideline: str | None = None

    @property
    def location(self) -> Location:
        return Location(self.path, self.start_line, max(self.end_line, self.start_line))


def _relative(path: str | None, root: Path) -> str | None:
    if not path:
        return None
    candidate = Path(path)
    try:
        return candidate.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _caller(item: dict[str, Any]) -> str | None:
    """The absolute path of the file whose `module` block instantiated the resource, if any.

    checkov gives `caller_file_path` relative to the directory it scanned, like `file_path`; that directory
    is what `file_abs_path` has in front of `file_path`.
    """
    caller, relative, absolute = (str(item.get(k) or "") for k in ("caller_file_path", "file_path", "file_abs_path"))
    if not caller or not relative or not absolute.endswith(relative):
        return None
    return absolute[: len(absolute) - len(relative)] + caller


def results(reports: list[dict[str, Any]], root: Path) -> list[CheckovResult]:
    """Failed and skipped checks from checkov's reports, in files under `root`."""
    found: list[CheckovResult] = []
    for report in reports:
        for key, skipped in (("failed_checks", False), ("skipped_checks", True)):
            for item in report["results"].get(key) or []:
                path = _relative(item.get("file_abs_path"), root)
                lines = item.get("file_line_range") or [1, 1]
                if path is None or not item.get("check_id"):
                    continue
                found.append(
                    CheckovResult(
                        check_id=str(item["check_id"]),
                        name=str(item.get("check_name") or ""),
                        skipped=skipped,
                        resource=str(item.get("resource") or ""),
                        path=path,
                        start_line=max(1, int(lines[0])),
                        end_line=max(1, int(lines[-1])),
                        severity=item.get("severity"),
                        caller_path=_relative(_caller(item), root),
                        skip_reason=str((item.get("check_result") or {}).get("suppress_comment") or ""),
                        guideline=item.get("guideline"),
                    )
                )
    return found


def names(result: CheckovResult) -> list[str]:
    """What nhilint may call checkov's resource: `aws_iam_role.x`, `path#Logical`, `Kind/ns/name`."""
    resource = result.resource
    found = [resource, _INDEX_RE.sub("", resource)]
    head, _, rest = resource.partition(".")
    if "::" in head and rest:  # CloudFormation: AWS::IAM::Role.CIRole
        found += [f"{result.path}#{rest}", rest]
    elif head[:1].isupper() and rest:  # Kubernetes: Kind.namespace.name (namespace "default" if cluster-wide)
        namespace, _, name = rest.partition(".")
        found += [f"{head}/{namespace}/{name}", f"{head}/{name}"] if name else [f"{head}/{namespace}"]
    return list(dict.fromkeys(found))


class Resolver:
    """Which nhilint subjects a checkov result is about (see the module docstring)."""

    def __init__(self, inventory: Inventory) -> None:
        self.subjects: dict[str, Subject] = {**inventory.identities, **{c.id: c for c in inventory.credentials}}
        self.by_address: dict[tuple[str, str], list[str]] = {}  # (file, address) -> subject ids
        self.by_link: dict[str, list[str]] = {}  # what a grant names (attachment, binding) -> principals
        self.spans: list[tuple[Location, bool, str]] = []  # where, whether it is a block start, subject id
        for subject in self.subjects.values():
            self._address(subject.location.path, subject.address, subject.id)
            self.spans.append((subject.location, True, subject.id))
        for grant in inventory.grants:
            if grant.principal in self.subjects:
                self._address(grant.block.path, grant.source, grant.principal)
                self.spans += [(grant.location, False, grant.principal), (grant.block, True, grant.principal)]
                for token in [grant.source, *grant.via.split()]:
                    if "." in token or "/" in token:
                        self.by_link.setdefault(short_address(token.strip("():,;")), []).append(grant.principal)
        for trust in inventory.trusts:
            if trust.identity in self.subjects:
                self.spans.append((trust.location, False, trust.identity))
        for usage in inventory.usages:
            if usage.identity in self.subjects:
                self._address(usage.location.path, usage.workload, usage.identity)
                self.spans.append((usage.location, True, usage.identity))
        for secret in inventory.literal_secrets:
            if secret.of in self.subjects:
                self.spans.append((secret.block, True, secret.of))

    def _address(self, path: str, address: str, subject: str) -> None:
        for name in {address, short_address(address)}:
            self.by_address.setdefault((path, name), []).append(subject)

    def resolve(self, result: CheckovResult) -> list[Subject]:
        """By address in the same file, else by what is written in its lines, else by what grants name."""
        candidates = names(result)
        ids = [s for name in candidates for s in self.by_address.get((result.path, name), [])]
        ids = self._pin(ids, result) or self._by_lines(result)
        ids = ids or self._pin([s for name in candidates for s in self.by_link.get(name, [])], result)
        return [self.subjects[s] for s in dict.fromkeys(ids)]

    def _pin(self, ids: list[str], result: CheckovResult) -> list[str]:
        """Of several same-named subjects, those in the root module checkov's result comes from."""
        if len(set(ids)) < 2:
            return ids
        directory = str(PurePosixPath(result.caller_path or result.path).parent)
        pinned = [s for s in ids if _root_of(self.subjects[s].address) == ("" if directory == "." else directory)]
        return pinned or ids

    def _by_lines(self, result: CheckovResult) -> list[str]:
        starts = [
            s
            for where, block, s in self.spans
            if block and where.path == result.path and where.start_line == result.start_line
        ]
        inside = [
            s
            for where, _, s in self.spans
            if where.path == result.path and result.start_line <= where.start_line <= result.end_line
        ]
        return starts or inside


def _root_of(address: str) -> str:
    """`envs/prod/aws_iam_role.x` -> `envs/prod`; `aws_iam_role.x` -> ``."""
    short = short_address(address)
    return address[: len(address) - len(short)].rstrip("/")


def _guess_address(result: CheckovResult) -> str:
    """The resource as nhilint would name it: with its root module's directory in front."""
    anchor = result.caller_path or result.path
    directory = str(PurePosixPath(anchor).parent)
    return result.resource if directory == "." else f"{directory}/{result.resource}"


def findings(result: CheckovResult, resolver: Resolver) -> list[Finding]:
    """One finding per subject the result is about (or one without an identity)."""
    subjects: Iterable[Subject | None] = resolver.resolve(result) or [None]
    made = []
    for subject in subjects:
        made.append(
            Finding(
                rule_id=result.check_id,
                severity=severity_of(result.check_id, result.severity),
                message=f'{result.resource} fails checkov check "{result.name or result.check_id}"',
                location=result.location,
                identity=subject.id if subject else None,
                address=subject.address if subject else _guess_address(result),
                kind=subject.kind if subject else None,
                platform=subject.platform if subject else platform_of(result.check_id),
                evidence=f"checkov {result.check_id} on {result.resource}",
                block=result.location,
            )
        )
    return made


def _mentions(evidence: str, name: str) -> bool:
    return re.search(rf"(?<![\w./-]){re.escape(name)}(?![\w/-]|\.\w)", evidence) is not None


def duplicate_of(
    finding: Finding, names: list[str], folds: tuple[str, ...], candidates: Iterable[Finding]
) -> Finding | None:
    """The nhilint finding that `finding` (from checkov, on a resource called `names`) repeats, if any:
    one on the same identity written in checkov's lines, or one whose evidence names that resource (the
    attachment or binding that makes the grant)."""
    where = finding.location
    for candidate in candidates:
        if candidate.rule_id not in folds:
            continue
        if finding.identity and candidate.identity and finding.identity != candidate.identity:
            continue
        lines = [candidate.location.start_line] + ([candidate.block.start_line] if candidate.block else [])
        if candidate.location.path == where.path and any(where.start_line <= n <= where.end_line for n in lines):
            return candidate
        if finding.identity and any(_mentions(candidate.evidence, name) for name in names):
            return candidate
    return None


def annotate(finding: Finding, check_ids: list[str]) -> Finding:
    """The nhilint finding, its message naming the checkov checks folded into it."""
    return replace(finding, message=f"{finding.message} (also checkov {', '.join(sorted(set(check_ids)))})")


def fold(
    extra: list[tuple[Finding, list[str]]],
    folds: dict[str, tuple[str, ...]],
    kept: list[Finding],
    suppressed: list[Suppressed],
) -> tuple[list[Finding], list[Finding], list[Suppressed]]:
    """Fold checkov findings (with their resource's names) into nhilint's, kept or suppressed; return the
    checkov findings left and the updated nhilint lists."""
    pool = kept + [s.finding for s in suppressed]
    folded: dict[int, list[str]] = {}
    left: list[Finding] = []
    for finding, resource_names in extra:
        target = duplicate_of(finding, resource_names, folds.get(finding.rule_id, ()), pool)
        if target is None:
            left.append(finding)
        else:
            folded.setdefault(id(target), []).append(finding.rule_id)
    new_kept = [annotate(f, folded[id(f)]) if id(f) in folded else f for f in kept]
    new_suppressed = [
        replace(s, finding=annotate(s.finding, folded[id(s.finding)])) if id(s.finding) in folded else s
        for s in suppressed
    ]
    return left, new_kept, new_suppressed
