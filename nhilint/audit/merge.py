"""`nhilint audit-merge`: shard outputs (`--shard K/N` runs) combined into the documents an unsharded audit
writes. Each shard's audit.json is validated against the schema and must agree with the others on what was
audited (today, ref, stale days, policy); its repositories and identities are replayed through the same
assembly as a run, so the merged outputs equal the unsharded ones (time and `cached` aside)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from nhilint.audit import assemble
from nhilint.audit.summary import Aggregate

AGREEING = ("today", "ref", "stale_days", "policy", "policy_hash")


class MergeError(Exception):
    """A shard directory that cannot be merged (missing, invalid, disagreeing): a usage error."""


def schema() -> dict[str, Any]:
    text = resources.files("nhilint.schemas").joinpath("audit.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def load_document(path: Path) -> dict[str, Any]:
    """One audit.json, validated."""
    import jsonschema

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MergeError(f"{path}: cannot read it ({type(exc).__name__})") from None
    errors = sorted(jsonschema.Draft202012Validator(schema()).iter_errors(document), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
        raise MergeError(f"{path}: not an nhilint audit.json: {where}: {errors[0].message[:200]}")
    valid: dict[str, Any] = document
    return valid


def merge(directories: list[Path], out: Path) -> tuple[Aggregate, list[str]]:
    """The merged outputs written to `out`; returns the figures and the sources met in more than one shard
    (kept once: overlapping shard outputs, e.g. the same shard given twice)."""
    documents = [(d, load_document(d / "audit.json")) for d in directories]
    first_dir, first = documents[0]
    for directory, document in documents[1:]:
        for key in AGREEING:
            if document["options"][key] != first["options"][key]:
                raise MergeError(
                    f"{directory} audited with {key}={document['options'][key]!r}, "
                    f"{first_dir} with {first['options'][key]!r}: they cannot be merged"
                )
    out.mkdir(parents=True, exist_ok=True)
    shards = sorted({d["options"]["shard"] for _, d in documents if d["options"]["shard"]}, key=_shard_order)
    options = {**first["options"], "shard": None, "merged_shards": shards or None}
    with assemble.RecordLog(out) as log:
        for _, document in documents:
            by_repository: dict[str, list[dict[str, Any]]] = {}
            for identity in document["identities"]:
                by_repository.setdefault(identity["repository"], []).append(identity)
            for repository in document["repositories"]:
                log.add({"repository": repository, "identities": by_repository.get(repository["name"], [])})
        return assemble.write_outputs(log, out, options), log.duplicates


def _shard_order(shard: str) -> tuple[int, int]:
    k, _, n = shard.partition("/")
    return int(n), int(k)
