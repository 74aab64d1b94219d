"""Does the least-privilege analysis stay linear in the number of grants? Measure it at 1x, 2x and 4x.

    python benchmarks/analysis_scaling.py [--factors 1,2,4] [--files 2000] [--seed 1] [--repeat 5]
                                          [--append-results]

For each factor F a Terraform tree of F x `--files` files is generated with `generate.py` into
`benchmarks/out/scale-F/` (reused when present; delete it after changing the generator). Each tree is then
measured in one fresh subprocess (this script with `--measure TREE`), which imports `nhilint.api`, builds the
inventory once and times:

a. parse + extract   `build_inventory` (parallel parse, no parse cache), GC paused as `scan` does
b. analysis          effective permissions of every identity (`Analysis.effective`), escalation detection
                     (`Analysis.escalations`) and blast radius (`Analysis.blast_complete`: every route and
                     total reach), on one `nhilint.analyse.analysis.Analysis`, and each of them alone
c. rules             NHI-PRIV-005, NHI-PRIV-006 and NHI-PRIV-007, each alone (`nhilint.rules.BY_ID`)

Those analyses are kept on the run's Analysis object, so every timed step gets a new one (and a shallow
copy of the inventory): each starts cold and pays what it needs, e.g. NHI-PRIV-006 includes computing
effective permissions and escalations. Per-pattern caches
(`functools.lru_cache` in the analysis and the IAM catalog) are cleared before each step too; the IAM catalog
data itself is loaded once before timing (a constant, not a per-grant cost). (b) and (c) are best of
`--repeat` (5), after one untimed warm-up pass. Seconds per 1,000 grants (all grants of the inventory) make
linearity visible: the verdict is the ratio of that figure at the largest factor against the smallest
(about 1.0 when linear).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from run import cpu_model, git_revision  # benchmarks/run.py: one way to name a run

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
RESULTS = HERE / "RESULTS.md"
RULE_IDS = ("NHI-PRIV-005", "NHI-PRIV-006", "NHI-PRIV-007")
ANALYSIS_STEPS = ("effective", "escalation", "blast")
LINEAR_LIMIT = 1.5  # per-grant cost at the largest factor / at the smallest: above this, not linear


# --- the child: one tree, one process ------------------------------------------------------------------


def _clear_pattern_caches() -> None:
    from nhilint.analyse import effective
    from nhilint.iam import catalog
    from nhilint.rules import unknown_action

    for cached in (
        effective._matcher,
        effective._service_index,
        effective.expand_keys,
        catalog._match,
        unknown_action.action_problem,
    ):
        cached.cache_clear()


def _best(times: int, step: Callable[[Any], Any], inventory: Any) -> tuple[float, Any]:
    """Best wall time of `step` over `times` cold runs (fresh inventory copy, cleared caches), and its result."""
    best, result = float("inf"), None
    for _ in range(times):
        fresh = copy.copy(inventory)  # a new inventory object; each step builds its own Analysis
        _clear_pattern_caches()
        started = time.perf_counter()
        result = step(fresh)
        best = min(best, time.perf_counter() - started)
    return best, result


def measure(tree: Path, repeat: int) -> dict[str, Any]:
    from nhilint import api
    from nhilint.analyse import effective
    from nhilint.analyse.analysis import Analysis
    from nhilint.config import load_config
    from nhilint.gc_pause import paused_gc
    from nhilint.rules import BY_ID
    from nhilint.rules.base import Context

    tree = tree.resolve()
    os.chdir(tree)  # the scan root: nhilint honours its .gitignore, and the repository's ignores out/
    config = load_config(tree)
    effective.all_action_keys()  # load the IAM catalog once, outside every timed step

    started = time.perf_counter()
    with paused_gc():  # as api.scan does
        inventory, _ = api.build_inventory([tree], config, tree)
    parse_seconds = time.perf_counter() - started

    def effective_all(inv: Any, run: Any = None) -> int:
        run = run or Analysis(inv)
        found = [run.effective(identity_id) for identity_id in inv.identities]
        return sum(1 for e in found if e is not None)

    def escalations(inv: Any, run: Any = None) -> int:
        return len((run or Analysis(inv)).escalations)

    def blast_radius(inv: Any, run: Any = None) -> int:
        radius = (run or Analysis(inv)).blast_complete
        return sum(len(radius.routes(identity_id)) for identity_id in inv.identities)

    def analysis(inv: Any) -> tuple[int, int, int]:
        run = Analysis(inv)  # one run: escalations reuse the effective permissions computed first
        return effective_all(inv, run), escalations(inv, run), blast_radius(inv, run)

    rules = {rule_id: BY_ID[rule_id] for rule_id in RULE_IDS}

    def run_rule(inv: Any, rule_id: str) -> int:
        rule = rules[rule_id]
        return sum(1 for _ in rule.check(rule, Context(inv, config.settings, config.today)))

    warm = copy.copy(inventory)  # one untimed pass: lazy imports and first-call costs out of the figures
    analysis(warm)
    for rule_id in RULE_IDS:
        run_rule(copy.copy(inventory), rule_id)

    steps: dict[str, float] = {}
    steps["analysis"], (aws, escalated, routes) = _best(repeat, analysis, inventory)
    steps["effective"], _ = _best(repeat, effective_all, inventory)
    steps["escalation"], _ = _best(repeat, escalations, inventory)
    steps["blast"], _ = _best(repeat, blast_radius, inventory)
    findings: dict[str, int] = {}
    for rule_id in RULE_IDS:
        steps[rule_id], findings[rule_id] = _best(repeat, lambda inv, r=rule_id: run_rule(inv, r), inventory)
    return {
        "tree": str(tree),
        "files": len(inventory.files),
        "grants": len(inventory.grants),
        "identities": len(inventory.identities),
        "aws_identities": aws,
        "escalations": escalated,
        "routes": routes,
        "findings": findings,
        "parse_seconds": parse_seconds,
        "seconds": steps,
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


# --- the parent: trees, subprocesses, table ------------------------------------------------------------


def ensure_tree(tree: Path, files: int, seed: int) -> None:
    if tree.is_dir() and any(tree.rglob("*.tf")):
        return
    print(f"generating {tree.relative_to(REPO)} ({files} files, seed {seed}) ...", flush=True)
    subprocess.run(
        [sys.executable, str(HERE / "generate.py"), str(tree), "--files", str(files), "--seed", str(seed)], check=True
    )


def run_child(tree: Path, repeat: int) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure", str(tree), "--repeat", str(repeat)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"measuring {tree} failed (exit {result.returncode})")
    return json.loads(result.stdout.strip().splitlines()[-1])


def per_k(seconds: float, grants: int) -> float:
    return seconds / grants * 1000 if grants else float("nan")


def fmt(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def tables(factors: list[int], rows: list[dict[str, Any]]) -> tuple[str, str]:
    """The sizes table, the scaling table (markdown) and the verdict line."""
    sizes = [
        "| Factor | .tf files | Grants | Identities (AWS) | Parse + extract s | Escalations | Routes | "
        + " | ".join(f"{r} findings" for r in RULE_IDS)
        + " | Peak RSS |",
        "|---|---|---|---|---|---|---|" + "---|" * len(RULE_IDS) + "---|",
    ]
    for factor, row in zip(factors, rows, strict=True):
        sizes.append(
            f"| {factor}x | {row['files']} | {row['grants']} | {row['identities']} ({row['aws_identities']}) "
            f"| {fmt(row['parse_seconds'])} | {row['escalations']} | {row['routes']} | "
            + " | ".join(str(row["findings"][r]) for r in RULE_IDS)
            + f" | {row['max_rss_kib'] // 1024} MiB |"
        )
    labels = {
        "analysis": "(b) analysis: all three",
        "effective": "  effective permissions",
        "escalation": "  escalation detection (own effective)",
        "blast": "  blast radius (eager)",
    }
    head = (
        "| Step | "
        + " | ".join(f"{f}x s | {f}x s/1k grants" for f in factors)
        + f" | per-grant {factors[-1]}x / {factors[0]}x |"
    )
    scaling = [head, "|---|" + "---|---|" * len(factors) + "---|"]
    ratios: dict[str, float] = {}
    for step in ("analysis", *ANALYSIS_STEPS, *RULE_IDS):
        costs = [per_k(row["seconds"][step], row["grants"]) for row in rows]
        ratios[step] = costs[-1] / costs[0] if costs[0] else float("nan")
        cells = " | ".join(f"{fmt(row['seconds'][step])} | {cost:.4f}" for row, cost in zip(rows, costs, strict=True))
        name = labels.get(step, f"(c) {step}")
        scaling.append(f"| {name} | {cells} | {ratios[step]:.2f} |")
    worst = max(ratios, key=lambda s: ratios[s])
    linear = all(r <= LINEAR_LIMIT for r in ratios.values())
    verdict = (
        f"Verdict: per-grant cost {factors[-1]}x / {factors[0]}x is {ratios['analysis']:.2f} for the analysis, "
        + ", ".join(f"{r} {ratios[r]:.2f}" for r in RULE_IDS)
        + f" (worst: {worst} {ratios[worst]:.2f}): "
        + ("linear" if linear else "NOT linear")
        + f" (limit {LINEAR_LIMIT})."
    )
    return "\n".join(sizes), "\n".join(scaling) + "\n\n" + verdict


def machine() -> str:
    return (
        f"{os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()} "
        f"({platform.system()} {platform.machine()})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--factors", default="1,2,4", help="tree sizes as multiples of --files (default 1,2,4)")
    parser.add_argument("--files", type=int, default=2000, help="files of the 1x tree (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--repeat", type=int, default=5, help="best of N for the analysis and rules (default 5)")
    parser.add_argument("--append-results", action="store_true", help="append a section to RESULTS.md")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child: one tree, JSON on stdout
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, max(1, args.repeat))))
        return 0

    factors = sorted({int(f) for f in args.factors.split(",") if f.strip()})
    if not factors or factors[0] < 1:
        parser.error("--factors: positive integers, e.g. 1,2,4")
    revision = git_revision()
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for factor in factors:
        tree = OUT / f"scale-{factor}"
        ensure_tree(tree, args.files * factor, args.seed)
        print(f"measuring {tree.relative_to(REPO)} ...", flush=True)
        rows.append(run_child(tree, max(1, args.repeat)))
    sizes, scaling = tables(factors, rows)
    print()
    print(sizes)
    print()
    print(scaling)
    print(f"\n({time.perf_counter() - started:.0f} s in all)")
    if args.append_results:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        section = (
            f"\n## {now} - {revision} - analysis scaling\n\n"
            f"- machine: {machine()}\n"
            f"- `python benchmarks/analysis_scaling.py --factors {','.join(map(str, factors))} "
            f"--files {args.files} --seed {args.seed} --repeat {args.repeat}`: trees "
            + ", ".join(f"`benchmarks/out/scale-{f}`" for f in factors)
            + "; one process per tree, inventory built once; (b) and (c) best of "
            f"{args.repeat}, each step cold (fresh inventory copy, per-pattern caches cleared)\n\n"
            f"{sizes}\n\n{scaling}\n"
        )
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(section)
        print(f"appended to {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
