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
