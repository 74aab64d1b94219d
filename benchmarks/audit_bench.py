"""Measure `nhilint audit` over many generated git repositories.

    python benchmarks/audit_bench.py [--repos 200] [--small 50] [--out benchmarks/out/audit] [--skip-dask]

Generates `--repos` repositories (once; kept in OUT/repos, reused when present): Terraform, CloudFormation,
Kubernetes or all three, written by the tree generators of this directory at a small size, each with a real
three-commit history (different authors and dates; the last commit edits one file). Every measurement is a
fresh `nhilint audit` subprocess over file:// URLs, with a fresh cache unless stated:

a. cold, 1 worker        wall time, peak RSS of the parent and of the largest worker
b. cold, 2 workers       likewise; also the sum of the per-repository times (audit.json `seconds`) / workers
c. Dask LocalCluster     2 single-threaded worker processes
d. warm re-run           (b)'s cache, nothing changed: every repository answered from the cache (target < 5 s)
e. cold, 1 worker, small the first `--small` repositories: (a) against (e) shows whether memory stays flat

Peak memory is sampled from /proc every 50 ms over the whole process tree (parent, workers, git).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402 - the tree generators of this directory
import generate_cfn  # noqa: E402
import generate_k8s  # noqa: E402

AUTHORS = (
    ("Alice Example", "alice@example.com"),
    ("Bob Builder", "bob@example.com"),
    ("Carol Ops", "carol@example.com"),
    ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com"),
)


def _git(repo: Path, *args: str, author: tuple[str, str] | None = None, date: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    if author and date:
        env |= {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": author[0],
            "GIT_COMMITTER_EMAIL": author[1],
            "GIT_COMMITTER_DATE": date,
        }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def _write_tree(repo: Path, index: int) -> None:
    kind = ("terraform", "cloudformation", "kubernetes", "mixed")[index % 4]
    seed = 1000 + index
    if kind in ("terraform", "mixed"):
        generate.generate(repo / ("infra" if kind == "mixed" else "."), 8, seed)
    if kind in ("cloudformation", "mixed"):
        generate_cfn.generate(repo / ("stacks" if kind == "mixed" else "."), 4, seed)
    if kind in ("kubernetes", "mixed"):
        generate_k8s.generate(repo / ("deploy" if kind == "mixed" else "."), 6, seed)


def make_repository(repo: Path, index: int) -> None:
    """A generated tree committed in two halves by two authors, then one file edited by a third."""
    repo.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    _write_tree(repo, index)
    files = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts)
    half = files[: len(files) // 2]
    year = 2018 + index % 5
    _git(repo, "add", "--", *half)
    _git(repo, "commit", "-q", "-m", "first half", author=AUTHORS[index % 3], date=f"{year}-03-01T10:00:00Z")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "second half", author=AUTHORS[(index + 1) % 3], date=f"{year + 1}-06-01T10:00:00Z")
    edited = repo / files[index % len(files)]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "touch", author=AUTHORS[3 if index % 7 == 0 else 2], date="2024-04-01T10:00:00Z")


def ensure_repositories(root: Path, count: int) -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    urls = []
    for index in range(count):
        repo = root / f"repo-{index:03d}"
        if not (repo / ".git").is_dir():
            shutil.rmtree(repo, ignore_errors=True)
            make_repository(repo, index)
        urls.append(repo.resolve().as_uri())
    return urls


@dataclass
class Sample:
    wall: float
    parent_peak_mb: float
    worker_peak_mb: float
    tree_peak_mb: float
    document: dict  # type: ignore[type-arg]


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found.extend(frontier)
    return found


def run_audit(urls_file: Path, out: Path, *options: str) -> Sample:
    shutil.rmtree(out, ignore_errors=True)
    command = [
        sys.executable,
        "-c",
        "from nhilint.launch import entry; entry()",
        "audit",
        "--repos-file",
        str(urls_file),
        "--out",
        str(out),
    ]
    command += ["--today", "2024-06-01", "--no-progress", *options]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks = {"parent": 0, "worker": 0, "tree": 0}

    def sample() -> None:
        while process.poll() is None:
            pids = _tree(process.pid)
            sizes = {pid: _rss_kb(pid) for pid in pids}
            peaks["parent"] = max(peaks["parent"], sizes.get(process.pid, 0))
            peaks["worker"] = max([peaks["worker"], *(v for k, v in sizes.items() if k != process.pid)])
            peaks["tree"] = max(peaks["tree"], sum(sizes.values()))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"audit failed ({process.returncode}): {stderr.decode(errors='replace')[-2000:]}")
    document = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    return Sample(wall, peaks["parent"] / 1024, peaks["worker"] / 1024, peaks["tree"] / 1024, document)


def _line(label: str, sample: Sample, workers: int | None = None) -> str:
    repositories = sample.document["repositories"]
    summed = sum(r["seconds"] for r in repositories)
    ratio = f", wall / (sum {summed:.1f} s / {workers}) = {sample.wall / (summed / workers):.2f}" if workers else ""
    cached = sum(r["cached"] for r in repositories)
    failed = sum(r["status"] == "failed" for r in repositories)
    return (
        f"{label:<28} {sample.wall:7.1f} s  parent {sample.parent_peak_mb:6.0f} MB  largest worker "
        f"{sample.worker_peak_mb:6.0f} MB  tree {sample.tree_peak_mb:6.0f} MB  "
        f"({len(repositories)} repos, {sample.document['summary']['identities']} identities, {cached} cached, "
        f"{failed} failed{ratio})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "audit")
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    urls = ensure_repositories(args.out / "repos", args.repos)
    print(f"repositories ready: {len(urls)} in {time.perf_counter() - started:.0f} s", flush=True)
    lists = args.out / "lists"
    lists.mkdir(parents=True, exist_ok=True)
    (lists / "all.txt").write_text("\n".join(urls) + "\n")
    (lists / "small.txt").write_text("\n".join(urls[: args.small]) + "\n")
    with tempfile.TemporaryDirectory(prefix="nhilint-audit-bench-") as scratch:
        caches = Path(scratch)
        one = run_audit(lists / "all.txt", args.out / "one", "--workers", "1", "--cache-dir", str(caches / "1"))
        print(_line("cold, 1 worker", one, 1), flush=True)
        two = run_audit(lists / "all.txt", args.out / "two", "--workers", "2", "--cache-dir", str(caches / "2"))
        print(_line("cold, 2 workers", two, 2), flush=True)
        if not args.skip_dask:
            options = ("--executor", "dask", "--workers", "2", "--cache-dir", str(caches / "dask"))
            dask = run_audit(lists / "all.txt", args.out / "dask", *options)
            print(_line("Dask LocalCluster, 2 workers", dask, 2), flush=True)
        warm = run_audit(lists / "all.txt", args.out / "warm", "--workers", "2", "--cache-dir", str(caches / "2"))
        print(_line("warm re-run (2 workers)", warm), flush=True)
        small = run_audit(lists / "small.txt", args.out / "small", "--workers", "1", "--cache-dir", str(caches / "s"))
        print(_line(f"cold, 1 worker, {args.small} repos", small, 1), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
