"""An on-disk cache of parsed Terraform files, keyed by content, so pre-commit runs parse only what changed.

A pre-commit run names a few files but reads their whole module for context; those sibling files rarely
change between commits. The directory is a predictable path (`~/.cache/nhilint`, `NHILINT_CACHE_DIR`) that
someone else may be able to write (a shared directory, a restored CI cache), so:

- entries are data only: JSON of the parse tree, decoded into allowlisted node classes with every field
  type-checked (nhilint/parse/cache_codec.py); nothing read from the cache is ever executed;
- an entry is keyed and validated by nhilint's and python-hcl2's versions, the codec's format and schema, which
  resource bodies are kept (the salt) and the SHA-256 of the file text, which it also stores and is checked on read;
- the directory and every entry must belong to the current user and not be writable by group or others
  (the directory is created 0700, entries written 0600 atomically); anything else is not read;
- a file whose text holds a secret (the project's detector, nhilint/secrets.py) or assigns a literal to a
  secret-bearing name (`password = "..."`, a `sensitive = true` variable's default) is never written.

A missing, refused, corrupt or unwritable cache only costs time: results are identical without it. The
directory may be deleted at any time. `NHILINT_CACHE_DIR=off` (or `--no-cache`) turns it off.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from nhilint import secrets
from nhilint.cache_dir import default_directory as default_directory
from nhilint.cache_dir import private_folder
from nhilint.cache_dir import trusted as _trusted
from nhilint.parse import cache_codec, hcl
from nhilint.parse.hcl import Body

HoldsSecret = Callable[[str, Body], bool]

# An entry larger than this many bytes per byte of source (plus a floor) is not read: the JSON of a tree is a
# few times its text (at most 2.9x on fixtures/ and 241 files of the benchmark tree); a planted one may be huge.
_SIZE_RATIO, _SIZE_FLOOR = 32, 64 * 1024


def _versions() -> str:
    """What the key must change with: nhilint's version, python-hcl2's and the codec's format and schema.

    Read without importlib.metadata (about 0.07 s a run) and without importing hcl2 (which loads lark, and a
    run served by the cache parses nothing): python-hcl2's generated `version.py`, which holds its version,
    and its grammar are hashed as text (tests/parse/test_cache.py checks nhilint's version is the package's).
    """
    import nhilint

    parts = [f"nhilint={nhilint.__version__}", f"python-hcl2={_hcl2_fingerprint()}"]
    parts.append(f"codec={cache_codec.FORMAT}/{cache_codec.SCHEMA}")
    return ";".join(parts)


def _hcl2_fingerprint() -> str:
    """SHA-256 of python-hcl2's `version.py` and `hcl2.lark`, found without importing the package; "?" if absent."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("hcl2")
        folders = list(spec.submodule_search_locations or []) if spec is not None else []
        if not folders:
            return "?"
        digest = hashlib.sha256()
        for name in ("version.py", "hcl2.lark"):
            digest.update((Path(folders[0]) / name).read_bytes() + b"\0")
        return digest.hexdigest()[:16]
    except (OSError, ImportError, ValueError):
        return "?"


def holds_secret(text: str, body: Body) -> bool:
    """Whether caching this file could store a secret value: the detector's verdict on each line of the text and
    on every string of the tree (what an entry holds), or a literal assigned to a secret-bearing name or to a
    sensitive variable's default. Lines and strings go one by one so the detector's cheap pre-check applies."""
    strings: list[str] = text.splitlines()
    for node in _nodes(body):
        if _literal_secret(node):
            return True
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if isinstance(value, str):
                strings.append(value)
            elif isinstance(value, tuple):  # labels, template parts, splat steps
                strings.extend(item for item in value if isinstance(item, str))
    return bool(secrets.detect_many(strings))


def _literal_secret(node: Any) -> bool:
    """A literal assigned to a secret-bearing attribute or object key, or a sensitive variable's default."""
    if isinstance(node, hcl.Attribute):
        return secrets.secret_name(node.name) and _has_literal(node.expr)
    if isinstance(node, hcl.ObjectExpr):
        return any(
            isinstance(k, hcl.Literal) and isinstance(k.value, str) and secrets.secret_name(k.value) and _has_literal(v)
            for k, v in node.items
        )
    return isinstance(node, hcl.Block) and node.type == "variable" and _secret_default(node)


def _secret_default(block: hcl.Block) -> bool:
    attributes = block.body.attributes
    default = attributes.get("default")
    if default is None or not _has_literal(default.expr):
        return False
    marked = attributes.get("sensitive")
    sensitive = marked is not None and isinstance(marked.expr, hcl.Literal) and marked.expr.value is True
    name = block.labels[0] if block.labels else ""
    return secrets.variable_source(name, sensitive) is not None


def _has_literal(expr: Any) -> bool:
    """A non-empty literal string anywhere in the expression (a secret written into the file)."""
    for node in _nodes(expr):
        if isinstance(node, hcl.Literal) and isinstance(node.value, str) and node.value.strip():
            return True
        if isinstance(node, hcl.Template) and any(isinstance(p, str) and p.strip() for p in node.parts):
            return True
    return False


def _nodes(root: Any) -> Iterator[Any]:
    """Every node of a tree, through the dataclass fields of each (lists, tuples and dicts included)."""
    stack = [root]
    while stack:
        value = stack.pop()
        if isinstance(value, list | tuple):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            yield value
            stack.extend(getattr(value, f.name) for f in dataclasses.fields(value))


class ParseCache:
    """Parsed Body trees on disk: `<dir>/<2 hex>/<sha256>` holding JSON; picklable, so worker processes use it.

    `holds_secret(text, body)`: files it accepts are never written (default: `holds_secret` above).
    """

    def __init__(self, directory: Path, salt: str, holds_secret: HoldsSecret = holds_secret) -> None:
        self.directory = directory
        self.salt = f"{_versions()};{salt}"
        self.holds_secret = holds_secret

    def variant(self, kind: str, holds_secret: HoldsSecret) -> ParseCache:
        """The same directory for another kind of file (`tfvars`): its own keys, so a text parsed one way is
        never served as the other, and its own test of what must not be written."""
        other = copy.copy(self)
        other.salt = f"{self.salt};kind={kind}"
        other.holds_secret = holds_secret
        return other

    def _path(self, text: str) -> Path:
        digest = hashlib.sha256(f"{self.salt}\0{text}".encode()).hexdigest()
        return self.directory / digest[:2] / digest

    def get(self, text: str) -> Body | None:
        """The cached tree of `text`, or None: no entry, or one that is refused, unreadable or invalid."""
        path = self._path(text)
        if private_folder(self.directory, path.parent.name, create=False) is None:
            return None
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            limit = _SIZE_FLOOR + _SIZE_RATIO * len(text)
            if not _trusted(st, stat.S_IFREG) or st.st_size > limit:
                return None
            with os.fdopen(fd, "rb", closefd=False) as handle:
                raw = handle.read(limit + 1)
            entry = json.loads(raw)
            if (
                type(entry) is not dict
                or entry.get("format") != cache_codec.FORMAT
                or entry.get("salt") != self.salt
                or entry.get("sha256") != _content_hash(text)
            ):
                return None
            return cache_codec.decode(entry.get("body"))
        except (OSError, ValueError, RecursionError, cache_codec.Invalid):
            return None
        finally:
            os.close(fd)

    def put(self, text: str, body: Body) -> None:
        """Store the tree of `text`, unless it holds a secret or cannot be encoded (a lazily parsed block)."""
        try:
            if self.holds_secret(text, body):
                return
            payload = cache_codec.encode(body)
        except (cache_codec.Invalid, RecursionError):
            return
        header = json.dumps({"format": cache_codec.FORMAT, "salt": self.salt, "sha256": _content_hash(text)})
        data = header[:-1].encode() + b',"body":' + payload + b"}"
        path = self._path(text)
        if private_folder(self.directory, path.parent.name) is None:
            return
        try:
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as handle:
                if hasattr(os, "fchmod"):
                    os.fchmod(handle.fileno(), 0o600)
                handle.write(data)
            os.replace(temp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
