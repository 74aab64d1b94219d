"""Before/after on the same machine: two nhilint source trees run alternately, in fresh processes.

A refactor must not slow nhilint down, and a loaded machine makes one-off timings meaningless. This runs
each command for "before" and "after" in turn (ABBA order), with PYTHONPATH pointing at each source tree and
the same interpreter and dependencies, and reports CPU (user + system, children included) and wall time:

    git worktree add --detach /tmp/nhilint-before <commit>
    python benchmarks/paired.py --before /tmp/nhilint-before --after . --runs 10

Modes: `import` (`import nhilint.api`), `empty` (`nhilint scan . -q` in an empty directory: start-up, the
config and the rules that run on any inventory), `precommit` (a cold `--no-cache` scan of five files of the
generated tree, as a pre-commit hook runs), `warm` (the same five files with the parse cache warm: each side
has its own NHILINT_CACHE_DIR, filled by one run first), `warm-config` (the same with a project config named
by `--config`, so a config's validation is measured too), `scan` (the whole generated tree, `--no-cache`),
`floor` (no nhilint: `python -c pass`, and python-hcl2 loading its parser and parsing the five files, which
no pre-commit run can beat; "before" and "after" run the same command).

Set PYTHONDONTWRITEBYTECODE only if both trees' bytecode is compiled (`python -m compileall -q nhilint`):
otherwise every run compiles nhilint's sources and that is what gets measured.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import ENTRY, with_bytecode

HERE = Path(__file__).resolve().parent
PRECOMMIT_FILES = ["azure.tf", "gcp.tf", "iam.tf", "main.tf", "monitoring.tf"]
CLI = ENTRY
CONFIG = "settings:\n  owner_tags: [owner, team]\n  max_expiry_days: 90\nrules:\n  NHI-EXP-004:\n    severity: medium\n"
HCL2_FLOOR = "import sys, hcl2\nfor name in sys.argv[1:]:\n    with open(name) as f:\n        hcl2.load(f)"


def measure(argv: list[str], source: Path, cwd: Path, extra: dict[str, str] | None = None) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one fresh process importing nhilint from `source`."""
    env = {**os.environ, "PYTHONPATH": str(source.resolve()), **(extra or {})}
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - started


def paired(
    name: str,
    argv: list[str],
    sources: dict[str, Path],
    cwd: Path,
    runs: int,
    env: dict[str, dict[str, str]] | None = None,
) -> list[str]:
    results: dict[str, list[tuple[float, float]]] = {label: [] for label in sources}
    labels = list(sources)
    for index in range(runs):
        for label in labels if index % 2 == 0 else reversed(labels):
            results[label].append(measure(argv, sources[label], cwd, (env or {}).get(label)))
    rows = []
    for label, values in results.items():
        cpu = [c for c, _ in values]
        wall = [w for _, w in values]
        rows.append(
            f"| {name} | {label} | {min(cpu):.3f} | {statistics.median(cpu):.3f} | {min(wall):.3f} | "
            f"{statistics.median(wall):.3f} | {runs} |"
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="source tree (the folder holding nhilint/)")
    parser.add_argument("--after", type=Path, default=HERE.parent, help="source tree (default: this checkout)")
    parser.add_argument("--tree", type=Path, default=HERE / "out" / "tree", help="generated Terraform tree")
    parser.add_argument(
        "--modes",
        default="import,precommit,warm,scan",
        help="comma-separated: import,empty,precommit,warm,warm-config,scan,floor",
    )
    parser.add_argument("--runs", type=int, default=10, help="runs of each side for import and precommit")
    parser.add_argument("--scan-runs", type=int, default=3, help="runs of each side for the whole scan")
    args = parser.parse_args()
    if not args.tree.is_dir():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(args.tree), "--files", "2000"], check=True)
    service = next(p for p in sorted(args.tree.glob("envs/*/*")) if (p / "main.tf").is_file())
    sources = {"before": args.before, "after": args.after}
    for source in sources.values():
        with_bytecode(source)
    python = sys.executable
    rows = [
        "| what | side | CPU best s | CPU median s | wall best s | wall median s | runs |",
        "|---|---|---|---|---|---|---|",
    ]
    modes = args.modes.split(",")
    if "import" in modes:
        rows += paired("import nhilint.api", [python, "-c", "import nhilint.api"], sources, args.tree, args.runs)
    if "empty" in modes:
        with tempfile.TemporaryDirectory(prefix="nhilint-paired-") as empty:
            argv = [python, "-c", CLI, "scan", ".", "-q"]  # no Terraform file, no config: no cache is read
            rows += paired("empty directory scan", argv, sources, Path(empty), args.runs)
    if "precommit" in modes:
        files = [str((service / f).relative_to(args.tree)) for f in PRECOMMIT_FILES if (service / f).is_file()]
        argv = [python, "-c", CLI, "scan", *files, "-q", "--no-cache"]
        rows += paired("pre-commit, cold", argv, sources, args.tree, args.runs)
    if "warm" in modes:
        files = [str((service / f).relative_to(args.tree)) for f in PRECOMMIT_FILES if (service / f).is_file()]
        argv = [python, "-c", CLI, "scan", *files, "-q"]
        with tempfile.TemporaryDirectory(prefix="nhilint-paired-") as caches:
            env = {label: {"NHILINT_CACHE_DIR": str(Path(caches) / label)} for label in sources}
            for label in sources:  # fill each side's cache
                measure(argv, sources[label], args.tree, env[label])
            rows += paired("pre-commit, warm", argv, sources, args.tree, args.runs, env)
    if "warm-config" in modes:
        files = [str((service / f).relative_to(args.tree)) for f in PRECOMMIT_FILES if (service / f).is_file()]
        with tempfile.TemporaryDirectory(prefix="nhilint-paired-") as caches:
            config = Path(caches) / "nhilint.yaml"
            config.write_text(CONFIG, encoding="utf-8")
            argv = [python, "-c", CLI, "scan", *files, "-q", "--config", str(config)]
            env = {label: {"NHILINT_CACHE_DIR": str(Path(caches) / label)} for label in sources}
            for label in sources:  # fill each side's cache
                measure(argv, sources[label], args.tree, env[label])
            rows += paired("pre-commit, warm, with a config", argv, sources, args.tree, args.runs, env)
    if "floor" in modes:
        files = [str((service / f).relative_to(args.tree)) for f in PRECOMMIT_FILES if (service / f).is_file()]
        rows += paired("floor: python -c pass", [python, "-c", "pass"], sources, args.tree, args.runs)
        rows += paired(
            "floor: python-hcl2, five files", [python, "-c", HCL2_FLOOR, *files], sources, args.tree, args.runs
        )
    if "scan" in modes:
        argv = [python, "-c", CLI, "scan", ".", "--no-cache", "--format", "json", "-o", os.devnull]
        rows += paired("whole tree scan", argv, sources, args.tree, args.scan_runs)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
