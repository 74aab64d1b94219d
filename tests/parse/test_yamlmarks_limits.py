"""The shared YAML loader within its limits: per document, never a RecursionError, messages without content."""

from __future__ import annotations

import pytest
import yaml

from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.parse import yamlmarks
from nhilint.parse.yamlmarks import LimitError, Problem, load_all_located, load_document, load_located, syntax_reason

CONFIGMAP = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{n}\ndata:\n  region: eu-west-1\n"


def _bomb(levels: int = 9) -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    names = "abcdefghijklmnop"
    for i in range(1, levels + 1):
        prev = names[i - 1]
        lines.append(f"{names[i]}: &{names[i]} [{', '.join([f'*{prev}'] * 8)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_a_limit_of_its_document_only() -> None:
    limits = Limits(max_nodes=10_000)
    text = "kind: First\n---\n" + _bomb() + "---\nkind: Last\n"
    stream = load_all_located(text, limits)
    assert [doc.value["kind"] for doc in stream.documents] == ["First", "Last"]
    assert len(stream.problems) == 1
    problem = stream.problems[0]
    assert problem.kind == "limit" and "max_nodes (10000)" in problem.reason
    assert problem.reason.startswith("document at line 3: ")


def test_alias_references_are_counted_per_document() -> None:
    limits = Limits(max_aliases=3)
    many = "base: &b {team: payments}\n" + "".join(f"k{i}: *b\n" for i in range(4))
    few = "base: &b {team: payments}\n" + "".join(f"k{i}: *b\n" for i in range(3))
    stream = load_all_located(f"{few}---\n{many}---\n{few}", limits)
    assert len(stream.documents) == 2
    assert stream.problems == [Problem(10, "document at line 6: more than max_aliases (3) aliases", "limit")]


def test_a_long_stream_of_small_documents_is_read_per_document() -> None:
    """100,000 documents without a single alias were rejected whole as an alias bomb: the node budget
    was the whole stream's. With the default limits the first max_documents are read and the rest is one
    limit finding."""
    text = "".join(CONFIGMAP.format(n=n) for n in range(100_000))
    stream = load_all_located(text)
    assert len(stream.documents) == DEFAULT_LIMITS.max_documents
    assert stream.problems == [
        Problem(
            DEFAULT_LIMITS.max_documents * 7 + 2,
            "more than max_documents (10000) documents in one stream; the rest of the file is not read",
            "limit",
        )
    ]


def test_documents_beyond_the_limit_are_reported_the_first_ones_read() -> None:
    text = "".join(CONFIGMAP.format(n=n) for n in range(5))
    stream = load_all_located(text, Limits(max_documents=3))
    assert [doc.value["metadata"]["name"] for doc in stream.documents] == ["settings-0", "settings-1", "settings-2"]
    assert stream.problems == [
        Problem(23, "more than max_documents (3) documents in one stream; the rest of the file is not read", "limit")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "[" * 600 + "]" * 600,
        '{"a": ' * 600 + "1" + "}" * 600,
        "".join(" " * i + "k:\n" for i in range(600)) + " " * 600 + "k: 1\n",
        "[" * 5000 + "]" * 5000,
    ],
)
def test_deep_nesting_is_a_depth_limit(text: str) -> None:
    with pytest.raises(LimitError) as error:
        load_located(text)
    assert error.value.reason == "nested deeper than max_depth (200)"
    stream = load_all_located(f"kind: A\n---\n{text}\n")
    assert [doc.value for doc in stream.documents] == [{"kind": "A"}]
    assert [(p.reason, p.kind) for p in stream.problems] in (
        [("document at line 3: nested deeper than max_depth (200)", "limit")],
        [("nested deeper than max_depth (200)", "limit")],
    )


def test_the_pure_python_loader_cannot_escape_a_recursion_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlmarks, "LOADER", yaml.SafeLoader)
    with pytest.raises(LimitError):
        load_located("[" * 500 + "]" * 500)
    stream = load_all_located("kind: A\n---\n" + "[" * 500 + "]" * 500)
    assert stream.problems[0].kind == "limit"


def test_depth_within_the_limit_is_read() -> None:
    assert load_located("[" * 150 + "1" + "]" * 150, limits=Limits(max_depth=200)) is not None


def test_duplicates_are_recorded_with_key_path_and_line() -> None:
    loaded = load_document("a: 1\nb:\n  - c: 1\n    c: 2\na: 3\n")
    assert loaded.value == {"a": 3, "b": [{"c": 2}]}
    assert sorted((d.name, d.line, d.first_line) for d in loaded.duplicates) == [("a", 5, 1), ("b[0].c", 4, 3)]
    assert all(d.how == "the last value is used" for d in loaded.duplicates)


def test_a_merge_may_keep_both_values() -> None:
    def both(path: yamlmarks.KeyPath, mapping: yamlmarks.LDict, repeated: dict[str, list[object]]) -> dict[str, str]:
        for key, values in repeated.items():
            yamlmarks.keep_both(mapping, key, values)
        return dict.fromkeys(repeated, "both kept")

    loaded = load_document("R:\n  X: 1\n  X: 2\n  X: 3\n", merge=both)
    assert loaded.value["R"] == {"X": 1, "X~2": 2, "X~3": 3}
    assert loaded.value["R"].line_of("X~3") == 4
    assert [d.reason for d in loaded.duplicates] == ["R.X is written again (first on line 2); both kept"] * 2


@pytest.mark.parametrize("loader", ["C", "pure"])
@pytest.mark.parametrize(
    "text",
    [
        'token: "hunter2-s3cr3t\\q"\n',
        "token: *hunter2-s3cr3t\n",
        "a:\n\t- hunter2-s3cr3t\n",
        "key: 'hunter2-s3cr3t\n",
        "!<hunter2-s3cr3t> a: b\nc: %hunter2-s3cr3t\n",
        "a: b\n  hunter2-s3cr3t: [\n",
    ],
)
def test_syntax_reasons_never_quote_the_file(text: str, loader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if loader == "pure":
        monkeypatch.setattr(yamlmarks, "LOADER", yaml.SafeLoader)
    with pytest.raises(yaml.YAMLError) as error:
        load_located(text)
    reason = syntax_reason(error.value)
    assert "hunter2" not in reason and "s3cr3t" not in reason
    assert reason
