"""Terraform plans through the same extractor tables as the source; the plan wins where both describe an address.

Each plan is extracted into a Builder of its own, with the platforms' first pass and finishers, and then
merged into the scan's Builder. The finishers (attachments, group memberships, OIDC provider names…) read
everything a Builder holds: run a second time over the shared one, they would count the source's
attachments twice. Links still pending after the merge (a grant's principal, a key's user) are resolved
with everything else when the scan's Builder finishes.

Which view wins: a plan and the `.tf` it was made from describe the same resources. For every address the
plan names, the deleted ones included, the identities, credentials, grants, trusts and usages already
extracted (from the source, or from an earlier plan) are dropped and the plan's kept: the plan knows the
variables, keys and names the source may not, and what it deletes is no identity. Permission documents
(policies, role definitions) are carried over the same way, and linked to their uses with the source's.
Instance keys are ignored in the comparison (a source with an unknown `for_each` has one un-keyed instance). Secrets
written literally in the code stay: only the source can see them. Addresses compare with the source's
root prefix (`envs/prod/aws_iam_role.app`) only when the plan is paired with that directory, so pair a
plan of a root in a subdirectory with `--source`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nhilint.extract.builder import Builder, Pending
from nhilint.extract.documents import Documents
from nhilint.extract.terraform.project import dispatch
from nhilint.extract.terraform.table import Dispatch
from nhilint.model import Location, Trust
from nhilint.model_inputs import Annotation, ParseError
from nhilint.parse.tfplan import Plan, SourceIndex, base_address, load_plan
from nhilint.values import Ref, ref_marker

# What a broken value in a plan can make an extractor raise: reported as a parse error of the plan, with the
# resource address and never the value.
_VALUE_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError)


def extract(paths: list[Path], root: Path, builder: Builder) -> None:
    """Plans found by discovery: each is paired with the `.tf` files beside it, when there are any."""
    by_directory: dict[Path, list[Path]] = {}
    for path in paths:
        by_directory.setdefault(path.parent, []).append(path)
    for directory, plans in sorted(by_directory.items()):
        has_source = any(p.is_file() and p.name.endswith((".tf", ".tf.json")) for p in directory.iterdir())
        extract_plans(plans, root, builder, directory if has_source else None)


def extract_plans(
    paths: list[Path], root: Path, builder: Builder, source: Path | None = None, var_files: list[Path] | None = None
) -> set[str]:
    """Extract plans (`--plan`), attributed to the `.tf` directory `source` when given.

    Returns the files the results point at (the plans and the source files), relative to `root`.
    """
    tables = dispatch()
    index = SourceIndex(source, root, var_files, tables) if source is not None else None
    files: set[str] = set()
    for path in paths:
        plan = load_plan(path, root, index, tables, builder.limits)
        builder.inventory.errors.extend([plan] if isinstance(plan, ParseError) else plan.errors)
        if isinstance(plan, ParseError):
            files.add(plan.path)
            continue
        files.add(plan.path)
        annotations = index.project.annotations if index is not None else []
        own = Builder(builder.settings, _by_block(annotations))
        _run(plan, own, tables)
        _drop_described(builder, plan.described)
        _merge(builder, own)
    if index is not None:
        files |= index.files
        builder.inventory.errors.extend(e for e in index.project.errors if e not in builder.inventory.errors)
        builder.inventory.sensitive.update(index.project.sensitive)
        known = set(builder.inventory.annotations)
        builder.inventory.annotations.extend(a for a in index.project.annotations if a not in known)
    return files


def _run(plan: Plan, builder: Builder, tables: Dispatch) -> None:
    """The same order as the source: the platforms' first types, every other type, then the finishers."""
    for resource in tables.ordered(plan.resources, lambda r: r.type):
        for handler in tables.of(resource.type):
            try:
                handler(resource, builder)
            except _VALUE_ERRORS as exc:
                reason = f"{resource.address}: a value of an unexpected shape ({type(exc).__name__}); skipped"
                builder.inventory.errors.append(ParseError(plan.path, 1, reason))
    tables.finish(builder)


def _drop_described(builder: Builder, described: set[str]) -> None:
    """Forget what the Builder holds for the addresses a plan describes (the plan's view replaces it)."""
    if not described:
        return
    inventory = builder.inventory
    gone = {i for i, identity in inventory.identities.items() if base_address(identity.address) in described}
    for identity_id in gone:
        del inventory.identities[identity_id]
    targets = {p.index: p.target for p in builder.pending if p.collection is inventory.trusts}

    def trust_kept(index: int, trust: Trust) -> bool:
        target = targets.get(index)
        if isinstance(target, str):
            target = ref_marker(target) or target
        address = target.address if isinstance(target, Ref) else (trust.identity or "").split(":", 1)[-1]
        return base_address(address) not in described and trust.identity not in gone

    _keep(builder, inventory.credentials, lambda _, c: base_address(c.address) not in described)
    _keep(builder, inventory.grants, lambda _, g: base_address(g.source) not in described)
    _keep(builder, inventory.usages, lambda _, u: base_address(u.workload) not in described)
    inventory.agent_tools[:] = [t for t in inventory.agent_tools if base_address(t.address) not in described]
    inventory.key_vaults[:] = [v for v in inventory.key_vaults if base_address(v.address) not in described]
    _keep(builder, inventory.trusts, trust_kept)
    written = builder.side(Documents).written
    written[:] = [w for w in written if base_address(w.document.address) not in described]
    for address in [a for a in builder.by_address if base_address(a) in described]:
        del builder.by_address[address]
    for address in [a for a in builder.instances if base_address(a) in described]:
        del builder.instances[address]
    for key in [k for k, v in builder.by_name.items() if base_address(v.split(":", 1)[-1]) in described]:
        del builder.by_name[key]


def _keep(builder: Builder, collection: list[Any], keep: Callable[[int, Any], bool]) -> None:
    """Filter a collection in place, moving the pending links of what stays to its new index."""
    moved: dict[int, int] = {}
    kept: list[Any] = []
    for index, item in enumerate(collection):
        if keep(index, item):
            moved[index] = len(kept)
            kept.append(item)
    if len(kept) == len(collection):
        return
    collection[:] = kept
    pending: list[Pending] = []
    for link in builder.pending:
        if link.collection is collection:
            if link.index not in moved:
                continue
            link.index = moved[link.index]
        pending.append(link)
    builder.pending[:] = pending


def _merge(builder: Builder, own: Builder) -> None:
    """Add a plan's objects, indexes and pending links to the scan's Builder."""
    inventory, theirs = builder.inventory, own.inventory
    pairs: list[tuple[list[Any], list[Any]]] = [
        (theirs.credentials, inventory.credentials),
        (theirs.grants, inventory.grants),
        (theirs.trusts, inventory.trusts),
        (theirs.usages, inventory.usages),
    ]
    offsets = {id(mine): (target, len(target)) for mine, target in pairs}
    for mine, target in pairs:
        target.extend(mine)
    for link in own.pending:
        target, offset = offsets[id(link.collection)]
        builder.pending.append(Pending(target, link.index + offset, link.field, link.target, link.types, link.platform))
    inventory.identities.update(theirs.identities)
    builder.side(Documents).written.extend(own.side(Documents).written)  # linked to their uses in `settle`
    inventory.literal_secrets.extend(theirs.literal_secrets)
    inventory.agent_tools.extend(theirs.agent_tools)
    inventory.key_vaults.extend(theirs.key_vaults)
    inventory.unresolved.extend(u for u in theirs.unresolved if u not in inventory.unresolved)
    inventory.errors.extend(theirs.errors)
    builder.by_name.update(own.by_name)
    builder.by_address.update(own.by_address)
    for address, ids in own.instances.items():
        builder.instances.setdefault(address, []).extend(ids)


def _by_block(annotations: list[Annotation]) -> dict[Location, list[Annotation]]:
    by_block: dict[Location, list[Annotation]] = {}
    for annotation in annotations:
        by_block.setdefault(annotation.block, []).append(annotation)
    return by_block
