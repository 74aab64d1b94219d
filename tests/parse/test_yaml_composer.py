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
