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


# Every kind of node the constant shortcuts answer for: quoted and block scalars, flow and block collections,
# explicit and non-specific tags, anchors and aliases, merge keys, empty values, several documents.
MIXED = """\
base: &base {a: 1, 'b': "2", c: [x, 'y', "z"]}
merged:
  <<: *base
  d: |
    text
  e: >-
    folded
  f: !Ref Thing
  g: ! 12
  h: !!str 12
  i: !GetAtt [A, B]
  j: !Sub {x: y}
  k:
  - - nested
    - ''
  - {}
  - []
  l: null
  m: .inf
  n: 0x1F
  "quoted key": 1
---
- plain
- &item {k: v}
- *item
--- !!map
tagged: !!seq [1, 2]
"""


def test_shortcut_tags_match_the_plain_loader_on_every_kind_of_node() -> None:
    expected = [_tags(node) for node in yaml.compose_all(MIXED, Loader=LOADER)]
    for _ in range(2):
        assert [_tags(node) for node in yaml.compose_all(MIXED, Loader=Composer)] == expected


def test_the_loader_has_no_path_resolvers() -> None:
    """The shortcuts (tags by kind alone, no-op path hooks) hold only without path resolvers."""
    assert not LOADER.yaml_path_resolvers
    assert not Composer.yaml_path_resolvers
