"""Garbage from good files: truncation, byte flips, inserted bytes, deep nesting, duplicated and deleted lines.

Mutations start from a rendered valid file so the result still looks like Terraform, CloudFormation or a
manifest to discovery (random bytes alone would mostly be skipped as "not infrastructure code").
"""

from __future__ import annotations

import json

import hcl2
import yaml
from hypothesis import strategies as st

# Deep enough to pass any recursion limit, in the bracket kinds each format nests.
DEPTHS = (8, 120, 700, 4000)
OPENERS = {"tf": ("[", "tolist(", "jsonencode({a = "), "yaml": ("[", "{a: "), "json": ("[", '{"a": ')}
CLOSERS = {"[": "]", "tolist(": ")", "jsonencode({a = ": "})", "{a: ": "}", '{"a": ': "}"}


def flavour(path: str) -> str:
    return "tf" if path.endswith(".tf") else "json" if path.endswith(".json") else "yaml"


@st.composite
def mutated(draw: st.DrawFn, text: str, path: str) -> bytes:
    """One to three mutations of `text`, applied in turn."""
    data = text.encode()
    for _ in range(draw(st.integers(1, 3))):
        data = draw(st.sampled_from((_truncate, _flip, _insert, _nest, _duplicate, _delete)))(draw, data, path)
    return data


def _position(draw: st.DrawFn, data: bytes) -> int:
    return draw(st.integers(0, len(data)))


def _line_start(draw: st.DrawFn, data: bytes) -> int:
    starts = [0] + [i + 1 for i, byte in enumerate(data) if byte == 0x0A]
    return draw(st.sampled_from(starts))


def _truncate(draw: st.DrawFn, data: bytes, path: str) -> bytes:
    return data[: _position(draw, data)]


def _flip(draw: st.DrawFn, data: bytes, path: str) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(out) - 1))
        out[at] ^= draw(st.sampled_from((0x01, 0x20, 0x80, 0xFF, draw(st.integers(1, 255)))))
    return bytes(out)


def _insert(draw: st.DrawFn, data: bytes, path: str) -> bytes:
    at = _position(draw, data)
    junk = draw(
        st.one_of(
            st.binary(min_size=1, max_size=16),
            st.sampled_from(
                (
                    b"${",
                    b"%{",
                    b"<<EOT\n",
                    b'"',
                    b"!Ref",
                    b"&a *a",
                    b"---\n",
                    b"\t",
                    b"\x00",
                    b"\xef\xbb\xbf",
                    b"{{",
                    b"}}",
                    b"# nhilint:ignore\n",
                )
            ),
        )
    )
    return data[:at] + junk + data[at:]


def _nest(draw: st.DrawFn, data: bytes, path: str) -> bytes:
    kind = flavour(path)
    opener = draw(st.sampled_from(OPENERS[kind]))
    depth = draw(st.sampled_from(DEPTHS))
    value = opener * depth + CLOSERS[opener] * depth
    line = {"tf": f"  nested = {value}\n", "yaml": f"nested: {value}\n", "json": value}[kind].encode()
    at = _position(draw, data) if kind == "json" else _line_start(draw, data)
    return data[:at] + line + data[at:]


def _duplicate(draw: st.DrawFn, data: bytes, path: str) -> bytes:
    lines = data.splitlines(keepends=True)
    if not lines:
        return data
    start = draw(st.integers(0, len(lines) - 1))
    end = draw(st.integers(start + 1, min(len(lines), start + 12)))
    copies = draw(st.integers(1, 3))
    return b"".join(lines[:end] + lines[start:end] * copies + lines[end:])


def _delete(draw: st.DrawFn, data: bytes, path: str) -> bytes:
    lines = data.splitlines(keepends=True)
    if not lines:
        return data
    start = draw(st.integers(0, len(lines) - 1))
    return b"".join(lines[:start] + lines[start + draw(st.integers(1, 4)) :])


class _AnyTagLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's safe loader (libyaml: the pure-Python scanner is quadratic in flow nesting depth) accepting
    every `!Tag`, CloudFormation's short-form intrinsics and typos alike."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_AnyTagLoader.add_multi_constructor("!", _any_tag)


def _yaml(text: str) -> None:
    list(yaml.load_all(text, Loader=_AnyTagLoader))  # a SafeLoader subclass: constructs plain data only


def parses(data: bytes, path: str) -> bool:
    """Whether the format's own parser reads the bytes (a reference independent of nhilint's loaders)."""
    try:
        text = data.decode("utf-8")
        kind = flavour(path)
        if kind == "tf":
            hcl2.loads(text)
        elif kind == "json":
            try:
                json.loads(text)
            except ValueError:
                _yaml(text)  # a template may be read as YAML, a superset of JSON
        else:
            _yaml(text)
    except Exception:  # any failure of the reference parser, RecursionError included
        return False
    return True
