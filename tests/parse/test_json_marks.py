"""The JSON fast path (nhilint/parse/json_marks.py) reads exactly what the YAML reading of the same text does,
or declines: values, types, the lines of each mapping and key, the document's line."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from typing import Any

import pytest

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.parse import json_marks, yamlmarks
from nhilint.values import LDict
from tests.helpers import with_marks

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
    '{"a\\"b": "c\\\\", "d": "\\\\\\"x", "e": "\\\\"}',  # escaped quotes and backslashes
    '{"a": "\\\\ud800", "b": "{\\"c\\": [1, 2]}"}',  # an escaped backslash, then `ud800`; JSON in a string
    '{"a": 1, "b": 2.5, "c": -0.0, "d": [0, -1, 10e-2, 1e+2]}',
    '{"x": {"y": {}}, "z": [{"w": {"v": [{}]}}], "u": {"t": 1}}',  # objects closing on one line
    '{\n  "a": {\n    "b": {"c": 1},\n    "d": 2\n  },\n  "e": [\n    {"f": 3}, {"g": {}}\n  ]\n}',
    "[]",
    '\r\n\r\n[\r\n  {"a": "b"}\r\n]\r\n',
    '{"' + "k" * 997 + '": 1}',  # a key of 999 characters, quotes included
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
    '{"a": "\\udc00"}',  # an escaped lone surrogate
    '{"a" \n :1}',
    '{"a": {"b": 1}\n,"c"\n\n: 2}',
    '{"' + "k" * 999 + '": 1}',  # 1001 characters, quotes included
    '{"a": 1, "b": {"c": 2, "c": 3}}',
    '{"a": "x\x7fy"}',  # DEL: JSON allows it in a string, YAML does not
    '{"a": "\u00e9\x9f"}',
    '{"a": "x\u2029"}',
    '{"a": "\\\\"',  # a string left open
    '"just a string"',
    '{"a": 1}]',
    '{"a": [1, 2}',
]


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
    assert with_marks(fast[0]) == with_marks(slow.value)
    assert with_marks(yamlmarks.load_document(text, base_line).value) == with_marks(slow.value)


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


def test_the_hook_sets_every_slot_of_ldict() -> None:
    """The hook makes LDicts without `LDict.__init__` (a third of its time): a new slot must be set there too."""
    assert set(LDict.__slots__) == set(json_marks._LDICT_SLOTS)
    value, _ = json_marks.load('{"a": {}}', 4, DEFAULT_LIMITS) or (None, 0)
    for mapping in (value, value["a"]):
        assert isinstance(mapping, LDict)
        assert {slot: getattr(mapping, slot) for slot in LDict.__slots__} == {
            "line": 4,
            "end_line": 4,
            "path": None,
            "key_lines": {"a": 4} if mapping is value else {},
        }


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
        assert (fast[1], with_marks(fast[0])) == (slow.line, with_marks(slow.value)), dumped
    assert read > 150


@pytest.mark.parametrize(
    "text",
    [
        "[" + "a" * 200_000,
        "[" + '"' * 100_000,
        '["' + "a\\" * 100_000,
        "{" + " " * 200_000,
        '["x' * 50_000,
        "[" * 100_000 + "]" * 100_000,  # JSON, too deep
        '{"a": ' * 50_000 + "1" + "}" * 50_000,
        "{" + ",".join(f'"k{i}": "{i}"' for i in range(100_000)) + ', "k0": 1}',  # many keys, one repeated
        '{"' + "k" * 500_000 + '": 1}',
    ],
)
def test_hostile_text_is_declined_in_linear_time(text: str) -> None:
    started = time.process_time()
    assert json_marks.load(text, 1, DEFAULT_LIMITS) is None
    assert time.process_time() - started < 2.0  # quadratic backtracking would take minutes


@pytest.mark.parametrize(
    "text",
    [
        '["' + "\\\\" * 200_000 + '"]',  # backslashes, escaped
        '{"a": "' + '\\"' * 200_000 + '"}',  # quotes, escaped
        "{" + ",\n".join(f'"k{i}": {{"v": [{i}]}}' for i in range(50_000)) + "}",  # many keys and objects
        '{"a": ' * 150 + "1" + "}" * 150,  # deep, within the limit
    ],
)
def test_large_json_is_read_in_linear_time(text: str) -> None:
    started = time.process_time()
    assert json_marks.load(text, 1, DEFAULT_LIMITS) is not None
    assert time.process_time() - started < 2.0


# Pieces of JSON text as people and tools write it, and as they should not: escapes, characters YAML reads
# differently, every form of number, line ends and blanks where JSON allows them (and a few where it does not).
_PIECES = [*"abZ0 :{}[],#&*!|>-?%@`'~", "é", "€", "😀", "\u2028", "\x85", "\t", "\x7f", "true", "null", "1e5"]
_ESCAPES = ['\\"', "\\\\", "\\n", "\\/", "\\t", "\\u00e9", "\\u0000", "\\u2028", "\\ud83d\\ude00", "\\ud800"]
_ESCAPES.append("\\\\ud800")  # an escaped backslash, then `ud800`
_NUMBERS = ["0", "-0", "1", "-1", "12345678901234567890", "1.5", "-0.0", "0.1", "1e5", "1E5", "1e+5", "1.5e+3"]
_NUMBERS += ["1.5E-3", "1.5e3", "2.0E+10", "NaN", "Infinity", "-Infinity", "true", "false", "null", "1" * 30 + ".5"]


def _text(rng: random.Random) -> str:
    """A document, mostly JSON, written with random blanks and line ends."""

    def string() -> str:
        if rng.random() < 0.01:
            return '"' + "k" * rng.choice([996, 998, 999, 1100]) + '"'
        pieces = _PIECES if rng.random() < 0.3 else [*"abcXYZ019 :{}[],", *_ESCAPES, "é"]
        return '"' + "".join(rng.choice(pieces) for _ in range(rng.choice([0, 1, 3, 8]))) + '"'

    def blank() -> str:
        roll = rng.random()
        if roll < 0.5:
            return ""
        if roll < 0.9:
            return rng.choice([" ", "\n", "\r\n", "\n    ", "\r\n  ", "  ", "\n\n"])
        return rng.choice(["\t", "\r", "\x0c", "\xa0"])

    def value(depth: int) -> str:
        roll = rng.random()
        if depth < 6 and roll < 0.3:
            keys = [string() for _ in range(rng.randint(0, 4))]
            if keys and rng.random() < 0.03:
                keys.append(keys[0])
            colon = ["", "", "", " ", "\n"]
            pairs = [blank() + k + rng.choice(colon) + ":" + blank() + value(depth + 1) + blank() for k in keys]
            return "{" + ",".join(pairs) + blank() + "}"
        if depth < 6 and roll < 0.45:
            return "[" + ",".join(blank() + value(depth + 1) + blank() for _ in range(rng.randint(0, 4))) + "]"
        return string() if roll < 0.7 else rng.choice(_NUMBERS)

    document = value(0)
    if document[:1] not in ("{", "["):
        document = '{"x": ' + document + "}"
    text = blank() + document + blank()
    return text + rng.choice(["", "", "", "", "", "", " {}", ",", "\n---\n{}"]) if rng.random() < 0.1 else text


@pytest.mark.parametrize("seed", range(4))
def test_random_texts_read_as_yaml_reads_or_are_declined(seed: int) -> None:
    rng = random.Random(seed)
    read = 0
    for _ in range(600):
        text = _text(rng)
        base_line = rng.choice([1, 7])
        limits = rng.choice([DEFAULT_LIMITS, DEFAULT_LIMITS, DEFAULT_LIMITS, Limits(max_depth=3)])
        fast = json_marks.load(text, base_line, limits)
        if fast is None:
            continue
        read += 1
        slow = _as_yaml(text, base_line)
        assert not slow.duplicates, text
        assert (fast[1], with_marks(fast[0])) == (slow.line, with_marks(slow.value)), text
    assert read > 250  # most texts are JSON that YAML reads alike


def test_numbers_read_as_yaml_reads_them() -> None:
    text = '{"a": [1e5, 1E5, 1.5e+3, 1.5E-3, 2e-1, 0.5, -0.0, 7, NaN, Infinity, -Infinity]}'
    value, _ = json_marks.load(text, 1, DEFAULT_LIMITS) or (None, 0)
    assert value == {"a": ["1e5", "1E5", 1500.0, 0.0015, "2e-1", 0.5, -0.0, 7, "NaN", "Infinity", "-Infinity"]}
    assert with_marks(value) == with_marks(_as_yaml(text, 1).value)


def _modules_after(code: str) -> set[str]:
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::reports/*",
     "Condition": {"NumericLessThan": {"s3:max-keys": 10}}}
  ]
}"""


def test_json_policy_text_is_read_without_yaml() -> None:
    code = (
        "from nhilint.iam.policy import parse_document\n"
        f"document = parse_document({POLICY!r}, 'iam.tf', 12)\n"
        "(statement,) = document.statements\n"
        "assert (statement.actions, statement.line, statement.end_line) == (('s3:GetObject',), 15, 16), statement\n"
        "assert statement.conditions[0].values == ('10',), statement.conditions\n"
    )
    loaded = _modules_after(code)
    assert "nhilint.parse.json_marks" in loaded
    assert sorted({"yaml", "nhilint.parse.yamlmarks", "nhilint.parse.yaml_composer"} & loaded) == []


def test_a_number_with_an_exponent_still_reads_as_yaml_reads_it() -> None:
    code = (
        "from nhilint.parse import json_marks\n"
        "from nhilint.limits import DEFAULT_LIMITS\n"
        'value, line = json_marks.load(\'{"a": 1e5, "b": 1.5E+3, "c": 2}\', 1, DEFAULT_LIMITS)\n'
        "assert value == {'a': '1e5', 'b': 1500.0, 'c': 2}, value\n"
    )
    assert "yaml" in _modules_after(code)


def test_a_policy_with_a_key_written_twice_is_read_as_yaml() -> None:
    text = '{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Action": "s3:PutObject"}}'
    code = (
        "from nhilint.iam.policy import parse_document\n"
        "errors = []\n"
        f"document = parse_document({text!r}, 'iam.tf', 3, errors=errors)\n"
        "assert document.statements[0].actions == ('s3:GetObject', 's3:PutObject'), document\n"
        "assert [e.kind for e in errors] == ['duplicate-key'], errors\n"
    )
    assert {"yaml", "nhilint.parse.yamlmarks"} <= _modules_after(code)
