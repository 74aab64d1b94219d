"""The shared YAML loader: lines per mapping and key, short-form tags, multi-document, alias bombs."""

from __future__ import annotations

import pytest
import yaml

from nhilint.parse import yamlmarks
from nhilint.parse.yamlmarks import error_line, load_all_located, load_located
from nhilint.values import LDict


def test_lines_of_mappings_and_keys() -> None:
    doc = load_located("Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: x\n")
    role = doc["Resources"]["Role"]
    assert isinstance(role, LDict)
    assert (role.line, role.end_line) == (3, 6)  # PyYAML's end mark is the line after the mapping
    assert role.line_of("Properties") == 4
    assert doc["Resources"].line_of("Role") == 2


def test_short_form_tags_become_long_form() -> None:
    text = (
        "A: !Ref Bucket\n"
        "B: !GetAtt Role.Arn\n"
        "C: !Sub 'arn:aws:s3:::${Bucket}/*'\n"
        "D: !If [IsProd, !Ref X, !Ref AWS::NoValue]\n"
        "E: !Join ['', [a, !Ref B]]\n"
    )
    doc = load_located(text)
    assert doc == {
        "A": {"Ref": "Bucket"},
        "B": {"Fn::GetAtt": ["Role", "Arn"]},
        "C": {"Fn::Sub": "arn:aws:s3:::${Bucket}/*"},
        "D": {"Fn::If": ["IsProd", {"Ref": "X"}, {"Ref": "AWS::NoValue"}]},
        "E": {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
    }


def test_multi_document_stream_with_start_lines() -> None:
    stream = load_all_located("kind: A\n---\n# comment\nkind: B\n---\n")
    assert [(doc.line, doc.value["kind"]) for doc in stream.documents] == [(1, "A"), (4, "B")]
    assert stream.problems == []


def test_merge_keys() -> None:
    doc = load_located("base: &b {owner: team-a, env: prod}\nsa:\n  <<: *b\n  env: dev\n")
    assert doc["sa"] == {"owner": "team-a", "env": "dev"}


def test_syntax_error_line() -> None:
    with pytest.raises(yaml.YAMLError) as error:
        load_located("a: [1, 2\nb: 3\n")
    assert error_line(error.value) == 2


def test_pyyaml_end_mark_behaviour_is_pinned() -> None:
    node = yaml.compose("m:\n  a: 1\n  b: 2\nn: 3\n", Loader=yamlmarks.LOADER)
    mapping = node.value[0][1]
    assert (mapping.start_mark.line, mapping.end_mark.line) == (1, 3)  # end points at the next key's line


def _plain_keys_reference(node: yaml.MappingNode) -> set[str] | None:
    """`_plain_keys` without its fast path: every key judged one by one."""
    keys: set[str] = set()
    for key_node, _ in node.value:
        tag = key_node.tag or ""
        if type(key_node) is not yaml.ScalarNode or (tag[:1] == "!" and tag[:2] != "!!"):
            return None
        key = str(yamlmarks.scalar_value(key_node))
        if key in keys:
            return None
        keys.add(key)
    return keys


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: 2\n",
        "{}",
        "a: 1\na: 2\n",  # written twice
        "'a': 1\na: 2\n",  # quoted and plain: the same key
        "1: x\n'1': y\n",  # an int key and the string it prints as
        "1: x\n2: y\n",  # int keys only
        "true: x\nfalse: y\n",
        "~: x\nnull: y\n",
        "a: 1\n<<: {b: 2}\n",  # a merge key
        "!Ref a: 1\nb: 2\n",  # a short-form tag on a key
        "!!str 1: x\n'1': y\n",
        "? [a, b]\n: x\n",  # a sequence as key
        "? {a: 1}\n: x\nb: 2\n",
    ],
)
def test_plain_keys_fast_path_agrees_with_judging_each_key(text: str) -> None:
    node = yaml.compose(text, Loader=yamlmarks.Composer)
    assert isinstance(node, yaml.MappingNode)
    assert yamlmarks._plain_keys(node) == _plain_keys_reference(node)
