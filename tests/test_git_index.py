"""The index parser on bytes no git wrote: whatever it is given, it answers with the paths or IndexError_.

The fixed inputs of test_discover_tracked stop at the header or the checksum; these carry a valid (or
all-zero, `index.skipHash`) trailer so the parser reaches the entries: the path's NUL, the v4 prefix
varint, the extended flags, the extensions.
"""

from __future__ import annotations

import hashlib
import struct
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nhilint.git_index import IndexError_, parse_index

_ALGORITHMS = {"sha1": 20, "sha256": 32}


def sealed(body: bytes, algorithm: str = "sha1", zero: bool = False) -> bytes:
    """`body` with the trailer git would write: its hash, or zeros when the checksum is skipped."""
    size = _ALGORITHMS[algorithm]
    return body + (bytes(size) if zero else hashlib.new(algorithm, body).digest())


def header(version: int, count: int) -> bytes:
    return struct.pack(">4sII", b"DIRC", version, count)


def entry(name: bytes, hash_size: int = 20, flags: int | None = None) -> bytes:
    """A v2 entry: zeroed stat data and object name, the flags (the name's length), the name, NUL padding."""
    fixed = bytes(40 + hash_size) + struct.pack(">H", min(len(name), 0xFFF) if flags is None else flags)
    unpadded = len(fixed) + len(name)
    return fixed + name + b"\0" * (8 - unpadded % 8)


def test_a_path_without_its_nul_is_an_index_error() -> None:
    """`abcde` four times and no NUL before a valid trailer: bytes.index raised a bare ValueError."""
    body = header(2, 1) + bytes(62) + b"abcde" * 4
    with pytest.raises(IndexError_, match="NUL"):
        parse_index(sealed(body))


def test_a_long_prefix_varint_is_refused_at_once() -> None:
    """A v4 entry whose prefix length is two million continuation bytes: each grew a big integer (quadratic,
    twice: as SHA-1 then as SHA-256); the value exceeds the previous path's length after a few bytes. The
    subprocess' timeout only bounds a regression: the parse takes milliseconds."""
    code = (
        "import hashlib, struct\nfrom nhilint.git_index import IndexError_, parse_index\n"
        "body = struct.pack('>4sII', b'DIRC', 4, 1) + bytes(60) + b'\\0\\1' + b'\\x80' * 2_000_000 + b'\\0a\\0'\n"
        "try:\n    parse_index(body + hashlib.sha1(body).digest())\nexcept IndexError_ as exc:\n    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout == "path compression longer than the previous path\n"


def test_a_v4_path_longer_than_path_max_is_refused() -> None:
    """Each v4 entry may keep the whole previous path and add a byte: unbounded, a few MiB of index held
    gigabytes of distinct paths."""
    body = header(4, 5000)
    for _ in range(5000):
        body += bytes(60) + b"\0\0" + b"\0" + b"a" + b"\0"  # strip nothing, add one byte
    with pytest.raises(IndexError_, match="longer than 4096"):
        parse_index(sealed(body))


def test_a_sound_handmade_index_gives_its_paths() -> None:
    """The builder these tests use writes what the parser reads (so the fuzzed inputs start from valid)."""
    names = [b"a/b.tf", b"main.tf", b"x" * 9]
    body = header(2, 3) + b"".join(entry(n) for n in names)
    for algorithm in _ALGORITHMS:
        hashed = header(2, 3) + b"".join(entry(n, _ALGORITHMS[algorithm]) for n in names)
        assert parse_index(sealed(hashed, algorithm)).paths == {"a/b.tf", "main.tf", "x" * 9}
    assert parse_index(sealed(body, zero=True)).paths == {"a/b.tf", "main.tf", "x" * 9}


def ewah(*words: int, bits: int = 0) -> bytes:
    """git's EWAH bitmap: bit count, word count, the 64-bit words, the last marker's position."""
    return struct.pack(">II", bits, len(words)) + b"".join(struct.pack(">Q", w) for w in words) + bytes(4)


def test_a_split_index_deletion_bitmap_removes_shared_entries() -> None:
    shared = sealed(header(2, 3) + b"".join(entry(n) for n in (b"a.tf", b"b.tf", b"c.tf")))
    assert parse_index(shared, ewah(1 << 33, 0b101, bits=3)).paths == {"b.tf"}  # one literal word: 0 and 2
    assert parse_index(shared, ewah(0, bits=0)).paths == {"a.tf", "b.tf", "c.tf"}
    with pytest.raises(IndexError_, match="does not have"):
        parse_index(shared, ewah(1 | 1 << 1, bits=64))  # a run of 64 set bits: more than the three entries
    with pytest.raises(IndexError_, match="does not have"):
        parse_index(shared, ewah(1 << 33, 1 << 3, bits=4))
    with pytest.raises(IndexError_, match="run past"):
        parse_index(shared, ewah(2 << 33, 1, bits=3))  # two literal words announced, one present


_MARKERS = st.builds(
    lambda bit, run, literals: bit | run << 1 | literals << 33,
    st.integers(0, 1),
    st.one_of(st.integers(0, 3), st.integers(0, 0xFFFFFFFF)),
    st.one_of(st.integers(0, 3), st.integers(0, 0x7FFFFFFF)),
)
_EWAHS = st.one_of(
    st.just(b""),
    st.lists(st.one_of(_MARKERS, st.integers(0, 2**64 - 1)), max_size=6).map(lambda words: ewah(*words)),
    st.binary(max_size=40),
)
_VARINT = st.one_of(
    st.integers(0, 0x7F).map(lambda n: bytes([n])),
    st.lists(st.integers(0x80, 0xFF), min_size=1, max_size=12).flatmap(
        lambda run: st.integers(0, 0xFF).map(lambda last: bytes([*run, last]))
    ),
)


@st.composite
def indexes(draw: st.DrawFn) -> bytes:
    """Index bytes with a valid or zero trailer: random flags, names (with or without their NUL), v4 prefix
    varints (long continuation runs included), extended flags, extensions, and a count that may be wrong."""
    version = draw(st.sampled_from([2, 3, 4]))
    algorithm = draw(st.sampled_from(sorted(_ALGORITHMS)))
    size = _ALGORITHMS[algorithm]
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        flags = draw(st.integers(0, 0xFFFF))
        part = draw(st.binary(min_size=40 + size, max_size=40 + size)) + struct.pack(">H", flags)
        if version >= 3 and flags & 0x4000:
            part += draw(st.binary(min_size=2, max_size=2))
        if version == 4:
            part += draw(_VARINT)
        part += draw(st.binary(max_size=24))
        if draw(st.booleans()):
            part += b"\0" * draw(st.integers(1, 8))
        parts.append(part)
    extensions = b""
    for _ in range(draw(st.integers(0, 2))):
        signature = draw(st.sampled_from([b"link", b"sdir", b"TREE", b"UNTR"]))
        content = draw(st.binary(min_size=size, max_size=size)) + draw(_EWAHS) if signature == b"link" else b""
        content += draw(st.binary(max_size=48))
        length = draw(st.one_of(st.just(len(content)), st.integers(0, 0xFFFFFFFF)))
        extensions += struct.pack(">4sI", signature, length) + content
    count = draw(st.one_of(st.just(len(parts)), st.integers(0, 0xFFFFFFFF)))
    body = header(version, count) + b"".join(parts) + extensions + draw(st.binary(max_size=8))
    return sealed(body, algorithm, zero=draw(st.booleans()))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(indexes(), _EWAHS)
def test_any_index_bytes_give_paths_or_an_index_error(data: bytes, deleted: bytes) -> None:
    try:
        index = parse_index(data, deleted)
    except IndexError_:
        return
    assert all(isinstance(p, str) and p for p in index.paths)
