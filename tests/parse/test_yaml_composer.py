"""The C composer's memo of implicit tags gives exactly the tags PyYAML's own resolver gives."""

from __future__ import annotations

import yaml

from nhilint.parse.yaml_composer import LOADER, Composer

TEXT = """\
Type: AWS::IAM::Role
flag: true
again: true
count: 3
ratio: 1.5
nothing: ~
day: 2020-01-01
quoted: "true"
octal: 0o17
words: [yes, no, on, off, null, '', x]
long: %s
""" % ("a" * 300)


def _tags(node: yaml.Node) -> list[tuple[str, object]]:
    if isinstance(node, yaml.ScalarNode):
        return [(node.tag, node.value)]
    items = node.value if isinstance(node, yaml.SequenceNode) else [part for pair in node.value for part in pair]
    return [(node.tag, None), *(tag for item in items for tag in _tags(item))]


def test_memoised_tags_match_the_plain_loader_twice_over() -> None:
    expected = _tags(yaml.compose(TEXT, Loader=LOADER))
    assert _tags(yaml.compose(TEXT, Loader=Composer)) == expected
    assert _tags(yaml.compose(TEXT, Loader=Composer)) == expected  # the second time from the memo


STREAM = """\
base: &base {Effect: Allow, Action: ["s3:GetObject", 's3:PutObject']}
merged:
  <<: *base
  Resource: !Sub "arn:aws:s3:::${Bucket}/*"
tags: !!map {a: !!str 1, b: !Ref Env, c: ! 5}
list: !!seq [1, "2", '3', ! 4, !GetAtt Role.Arn]
block: |
  multi
  line
folded: >-
  text
empty:
---
- 0x1F
- "plain"
- ? complex key
  : value
--- !custom
key: value
"""


def _shape(node: yaml.Node) -> object:
    """A node's tags, values, styles and marks: everything the composer decides."""
    marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value, node.style, marks)
    items = node.value if isinstance(node, yaml.SequenceNode) else [part for pair in node.value for part in pair]
    return (node.tag, node.flow_style, marks, [_shape(item) for item in items])


def test_composer_builds_what_the_plain_loader_builds() -> None:
    """Quoted scalars, explicit and non-specific (`!`) tags, anchors, merge keys, complex keys, several documents:
    the resolver's shortcuts (and its path bookkeeping left out) compose the same nodes as the C loader."""
    expected = [_shape(node) for node in yaml.compose_all(STREAM, Loader=LOADER)]
    assert len(expected) == 3
    assert [_shape(node) for node in yaml.compose_all(STREAM, Loader=Composer)] == expected
    assert [_shape(node) for node in yaml.compose_all(STREAM, Loader=Composer)] == expected
