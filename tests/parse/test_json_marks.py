"""The JSON fast path (nhilint/parse/json_marks.py) reads exactly what the YAML reading of the same text does,
or declines: values, types, the lines of each mapping and key, the document's line."""

from __future__ import annotations

import json
import random
import time
from typing import Any

import pytest

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.parse import json_marks, yamlmarks
from nhilint.values import LDict

TEMPLATE = """\
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"Stage": {"Type": "String", "Default": "prod"}},
  "Resources": {
    "DeployRole": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "RoleName": {"Fn::Sub": "deploy-${Stage}"},
        "MaxSessionDuration": 3600,
        "AssumeRolePolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}
          ]
        }
      }
    }
  }
}
"""

SAME = [
    TEMPLATE,
    TEMPLATE.replace("\n", "\r\n"),
    '{"a": 1e5, "b": -0, "c": 1.5E+3, "d": NaN, "e": Infinity, "g": 12345678901234567890, "h": 0.1}',
    '{"a": {}, "b": [], "c": [{}], "d": {"x": [[{"y": 1}]]}}',
    '  \n\n{\n  "a": 1,\n  "b": {\n    "c": 2\n  }\n}\n\n',
    '{"a": true, "b": false, "c": null, "d": "true", "<<": {"x": 1}}',
    '{"a":1,"b":[1,2,3],"c":{"d":"e"},"e":"x\\/y\\u00e9\\n"}',
    '[{"kind": "Role"},\n {"kind": "RoleBinding"}]',
    '{"a": "' + "v" * 1500 + '", "b": {"c": 1}}',  # a long line: only keys are held to YAML's key length
    '{"a"  : [1, {"b" : 2}]}',
]
DECLINED = [
    '{"a": 1, "a": 2}',  # a key written twice: the format's merge decides, and it is reported
    '{"a"\n: 1}',  # YAML keys end on their line
    '{"a"\r\n: 1}',
    '{"a": [1}]',
    '{"' + "k" * 1100 + '": 1}',  # YAML keys are at most 1024 characters
    '{"a": "x\u2028y"}',  # a YAML line break
    '{"a": "x\x85y"}',
    '{\r"a": 1}',
    '{"a": "\t"}',
    '{"a": "\\ud83d\\ude00"}',  # escaped surrogates: JSON pairs them, YAML does not
    '{"a": 1} {"b": 2}',
    '{"a": 1}\n---\n{"b": 2}',
    '{"a": 1,}',
    '{"a": "x" # comment\n}',
]


def _marks(value: Any) -> Any:
    """The value with every mapping's lines, as a comparable structure."""
    if isinstance(value, LDict):
        items = [(k, _marks(v)) for k, v in value.items()]
        return ("LDict", value.line, value.end_line, value.key_lines, value.path, items)
    if isinstance(value, list):
        return [_marks(v) for v in value]
    return (type(value).__name__, repr(value))


def _as_yaml(text: str, base_line: int) -> yamlmarks.Loaded:
    node = yamlmarks.yaml.compose(text, Loader=yamlmarks.Composer)
    walker = yamlmarks._Walker(base_line - 1, DEFAULT_LIMITS, yamlmarks.last_wins)
    return yamlmarks.Loaded(walker.document(node), node.start_mark.line + base_line, walker.duplicates)


@pytest.mark.parametrize("text", SAME)
@pytest.mark.parametrize("base_line", [1, 12])
def test_reads_what_yaml_reads(text: str, base_line: int) -> None:
    fast = json_marks.load(text, base_line, DEFAULT_LIMITS)
    assert fast is not None
    slow = _as_yaml(text, base_line)
    assert fast[1] == slow.line
    assert _marks(fast[0]) == _marks(slow.value)
    assert _marks(yamlmarks.load_document(text, base_line).value) == _marks(slow.value)


@pytest.mark.parametrize("text", DECLINED)
def test_declines_where_yaml_may_differ(text: str) -> None:
    assert json_marks.load(text, 1, DEFAULT_LIMITS) is None


def test_declines_near_the_limits() -> None:
    nested = '{"a": ' * 5 + "1" + "}" * 5
    assert json_marks.load(nested, 1, Limits(max_depth=4)) is None
    assert json_marks.load(nested, 1, Limits(max_depth=5)) is not None
    wide = json.dumps({f"k{i}": i for i in range(10)})  # 21 nodes
    assert json_marks.load(wide, 1, Limits(max_nodes=20)) is None
    with pytest.raises(yamlmarks.LimitError):
        yamlmarks.load_document(wide, 1, Limits(max_nodes=20))


def test_random_documents_read_alike() -> None:
    rng = random.Random(7)
    alphabet = "abcXYZ019 :{}[],\"\\/'#&*!|>-?@`%é€😀"

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))

    def value(depth: int = 0) -> Any:
        roll = rng.random()
        if depth < 4 and roll < 0.25:
            return {text(): value(depth + 1) for _ in range(rng.randint(0, 4))}
        if depth < 4 and roll < 0.4:
            return [value(depth + 1) for _ in range(rng.randint(0, 4))]
        scalars = [text(), rng.randint(-(10**6), 10**6), rng.random() * 10 ** rng.randint(-8, 30), True, None, "1e5"]
        return rng.choice([*scalars, "yes", "~", "0x1F", "1:30"])

    read = 0
    for _ in range(300):
        document = {text(): value() for _ in range(rng.randint(0, 5))}
        indent = rng.choice([None, 2])
        dumped = json.dumps(document, indent=indent, ensure_ascii=rng.random() < 0.5)
        fast = json_marks.load(dumped, 3, DEFAULT_LIMITS)
        if fast is None:
            continue
        read += 1
        slow = _as_yaml(dumped, 3)
        assert not slow.duplicates
        assert (fast[1], _marks(fast[0])) == (slow.line, _marks(slow.value)), dumped
    assert read > 150


@pytest.mark.parametrize(
    "text", ["[" + "a" * 200_000, "[" + '"' * 100_000, '["' + "a\\" * 100_000, "{" + " " * 200_000, '["x' * 50_000]
)
def test_hostile_text_is_declined_in_linear_time(text: str) -> None:
    started = time.process_time()
    assert json_marks.load(text, 1, DEFAULT_LIMITS) is None
    assert time.process_time() - started < 2.0  # quadratic backtracking would take minutes
