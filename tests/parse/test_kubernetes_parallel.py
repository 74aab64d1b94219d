"""Manifest files parsed in worker processes (large trees) come back exactly as parsed here: the same objects,
values, lines of every mapping and key, errors, text lines, in the same order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nhilint.extract.manifests.objects import reads_body
from nhilint.limits import DEFAULT_LIMITS
from nhilint.parse import kubernetes, workers
from nhilint.parse.kubernetes import ManifestFile, ParseTask, parse_file, parse_files
from tests.helpers import with_marks

ACCOUNT = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
  namespace: payments
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/{name}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: {name}-reader, namespace: payments}}
rules:
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
  verbs: [list]
"""
CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ledgers.payments.example.com
spec:
  group: payments.example.com
  group: ledger.example.com
  versions:
{versions}"""
VERSION = "  - name: v{n}\n    schema:\n      openAPIV3Schema:\n        description: a ledger of the day's payments\n"


def _files(root: Path) -> list[Path]:
    texts = {f"sa-{n}.yaml": ACCOUNT.format(name=f"ledger-{n}") for n in range(6)}
    texts["crds.yaml"] = CRD.format(versions="".join(VERSION.format(n=n) for n in range(400)))
    texts["broken.yaml"] = "apiVersion: v1\nkind: ConfigMap\ndata: [unclosed\n"
    texts["latin1.yaml"] = "apiVersion: v1\nkind: ConfigMap\n"
    for name, text in texts.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "latin1.yaml").write_bytes(b"apiVersion: v1\nkind: ConfigMap\ndata: {k: caf\xe9}\n")
    return sorted(root.iterdir())


def _seen(manifests: list[ManifestFile]) -> list[Any]:
    return [
        (m.path, m.errors, m.lines, [(o.api_version, o.kind, o.location, with_marks(o.body)) for o in m.objects])
        for m in manifests
    ]


def test_workers_give_what_one_process_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tasks: list[ParseTask] = [(f, f.name, DEFAULT_LIMITS, reads_body) for f in _files(tmp_path)]
    here = [parse_file(*task) for task in tasks]
    monkeypatch.setattr(kubernetes, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(workers, "cpus", lambda: 3)
    calls: list[int] = []
    runs = kubernetes._runs
    monkeypatch.setattr(kubernetes, "_runs", lambda *args: calls.append(1) or runs(*args))
    assert _seen(list(parse_files(tasks))) == _seen(here)
    assert calls  # the workers were used
    assert any(m.errors for m in here) and any(m.objects for m in here)


def test_small_trees_are_parsed_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tasks: list[ParseTask] = [(f, f.name, DEFAULT_LIMITS, None) for f in _files(tmp_path)]
    monkeypatch.setattr(kubernetes, "_runs", lambda *args: pytest.fail("a pool for a small tree"))
    assert _seen(list(parse_files(tasks))) == _seen([parse_file(*task) for task in tasks])


def test_files_are_parsed_as_they_are_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One file at a time (here, and this process's run when workers help): a tree's parsed files are not all
    held at once."""
    tasks: list[ParseTask] = [(f, f.name, DEFAULT_LIMITS, None) for f in _files(tmp_path)]
    parsed: list[str] = []
    real = kubernetes.parse_file
    monkeypatch.setattr(kubernetes, "parse_file", lambda *task: parsed.append(task[1]) or real(*task))
    files = parse_files(tasks)
    assert next(files).path == tasks[0][1]
    assert parsed == [tasks[0][1]]


@pytest.mark.parametrize(
    ("sizes", "count", "expected"),
    [
        ([1] * 10, 2, [5, 5]),
        ([1] * 9, 3, [3, 3, 3]),
        ([100, 1, 1, 1], 2, [1, 3]),  # one large file is a run of its own
        ([1, 1, 1, 100], 2, [3, 1]),
        ([0, 0, 5, 5], 2, [3, 1]),
        ([7], 4, [1]),
        ([1, 1], 8, [1, 1]),  # never more runs than tasks
    ],
)
def test_runs_share_the_bytes(sizes: list[int], count: int, expected: list[int]) -> None:
    tasks: list[ParseTask] = [(Path(f"{n}.yaml"), f"{n}.yaml", DEFAULT_LIMITS, None) for n in range(len(sizes))]
    runs = kubernetes._runs(tasks, sizes, count)
    assert [len(run) for run in runs] == expected
    assert [task for run in runs for task in run] == tasks  # in order, each once
