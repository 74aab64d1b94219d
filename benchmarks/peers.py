"""nhilint against checkov and against the parse-only floor, on the same generated trees, run by hand.

    NHILINT_CHECKOV=/path/to/python-with-checkov python benchmarks/peers.py [--files 300] [--repeat 5]
        [--trees terraform,cloudformation,kubernetes,platform,mixed] [--scale 1,2,4] [--no-peer]

A benchmark, not a test: timings on a shared machine are noisy, so every comparison is paired. For each
tree, nhilint and its peer run alternately (nhilint first in even rounds, the peer first in odd ones) and the
report gives the medians, the ratio of each pair (peer / nhilint, and nhilint / floor) and its median, and
peak RSS (os.wait4: the largest single process, kubectl and parse workers included).

- peer: `checkov -d . --framework <format> -o json --quiet --skip-download`, with the Python of
  `NHILINT_CHECKOV` (a virtual environment with `checkov>=3.2,<4`); skipped when it is not set;
- floor: parsing alone, one process: the C YAML loader (`yaml.load_all(..., CSafeLoader)`, reading
  CloudFormation's short-form tags: without them it stops at a template's first `!Ref`) on every YAML
  file, `json.loads` on every JSON file, python-hcl2 on every `.tf` file: what any scanner must pay;
- scale: nhilint and the floor on 1x, 2x, 4x (`--scale`) trees of `--files`: time and memory per file
  should stay flat (linear);
- start-up: nhilint's CPU on an empty tree (median of `--repeat`), subtracted in a second nhilint / floor
  line, so a small tree compares what nhilint does per file rather than its imports;
- `--dir KIND=PATH`: the same comparisons on an existing directory, e.g. a public repository fetched
  locally (never commit it);
- `--source DIR`: nhilint from another source tree (PYTHONPATH; same interpreter and dependencies), e.g. a
  `git archive <commit>` of "before", to compare the same figures before and after a change.

Trees (generated under benchmarks/out/peers/, reused when present): `terraform`, `cloudformation`,
`kubernetes` (generate.py with that format), `platform` (kubernetes plus large CRDs, dashboards in ConfigMaps
and kustomizations: `generate.py --format kubernetes --platform`), `mixed` (a third of each format).

Profile a scan (pyinstrument from PyPI; the profile is not committed):

    cd benchmarks/out/peers/platform-300 && python -m pyinstrument -c "import sys; \\
      from nhilint.cli import main; sys.exit(main(['scan','.','--no-cache','--format','json','-o','/dev/null']))"

(`nhilint.cli.main`, not the program's `nhilint.launch.entry`: that one ends the process with `os._exit`, and a
profiler would never write its report.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from run import ENTRY, Run, check, nhilint_command, run_child, with_bytecode

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "peers"
TREES = ("terraform", "cloudformation", "kubernetes", "platform", "mixed")
FRAMEWORK = {
    "terraform": "terraform",
    "cloudformation": "cloudformation",
    "kubernetes": "kubernetes",
    "platform": "kubernetes,kustomize",
    "mixed": "terraform,cloudformation,kubernetes",
}
FLOOR = """\
import json, os, sys
import yaml
class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass  # the C loader, also reading CloudFormation's short-form tags (!Ref, !Sub): any reader must


def _tagged(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


Loader.add_multi_constructor("!", _tagged)
loader = Loader
hcl2 = None
count = 0
for directory, dirs, files in os.walk("."):
    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    for name in sorted(files):
        path = os.path.join(directory, name)
        try:
            if name.endswith((".yaml", ".yml", ".template")):
                with open(path, encoding="utf-8") as handle:
                    count += sum(1 for _ in yaml.load_all(handle.read(), Loader=loader))
            elif name.endswith(".json"):
                with open(path, encoding="utf-8") as handle:
                    json.loads(handle.read())
                count += 1
            elif name.endswith(".tf"):
                if hcl2 is None:
                    import hcl2
                with open(path, encoding="utf-8") as handle:
                    hcl2.load(handle)
                count += 1
        except Exception:
            pass
print(count)
"""


def generate(kind: str, files: int, seed: int) -> Path:
    """The tree of this kind and size (generated once, then reused)."""
    tree = OUT / f"{kind}-{files}"
    if tree.is_dir() and any(tree.iterdir()):
        return tree
    script = str(HERE / "generate.py")
    print(f"generating {tree.name} ...", flush=True)
    if kind == "mixed":
        for fmt in ("terraform", "cloudformation", "kubernetes"):
            command = [sys.executable, script, str(tree / fmt), "--format", fmt, "--files", str(max(1, files // 3))]
            subprocess.run([*command, "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
        return tree
    fmt = "kubernetes" if kind == "platform" else kind
    extra = ["--platform"] if kind == "platform" else []
    command = [sys.executable, script, str(tree), "--format", fmt, "--files", str(files), "--seed", str(seed)]
    subprocess.run([*command, *extra], check=True, stdout=subprocess.DEVNULL)
    return tree


SOURCE: Path | None = None  # --source: run nhilint from this source tree (PYTHONPATH), e.g. a "before" checkout


def nhilint(tree: Path) -> tuple[list[str], tuple[int, ...]]:
    command = [sys.executable, "-c", ENTRY] if SOURCE else nhilint_command()
    return [*command, "scan", ".", "--no-cache", "--format", "json", "-o", os.devnull], (0, 1)


def startup(rounds: int) -> float:
    """nhilint's start-up: the median CPU of a scan of an empty tree (imports, config, an empty report)."""
    with tempfile.TemporaryDirectory(prefix="nhilint-empty-") as empty:
        command, ok = nhilint(Path(empty))
        runs = [run_child(command, Path(empty)) for _ in range(rounds)]
    for run in runs:
        check(run, command, ok)
    return statistics.median(r.cpu_seconds for r in runs)


def without_startup(ours: list[Run], base: list[Run], start: float) -> str:
    """nhilint's CPU less its start-up, over the floor's, pair by pair (what a larger tree tends to)."""
    pairs = [(a.cpu_seconds - start) / b.cpu_seconds for a, b in zip(ours, base, strict=True) if b.cpu_seconds]
    cpu = statistics.median(r.cpu_seconds for r in ours) - start
    return f"nhilint less start-up ({start:.2f} s): cpu {cpu:.2f} s, {statistics.median(pairs):.2f}x the floor's cpu"


def checkov(python: str, kind: str) -> tuple[list[str], tuple[int, ...]]:
    command = [python, "-m", "checkov.main", "-d", ".", "--framework", *FRAMEWORK[kind].split(",")]
    return [*command, "-o", "json", "--quiet", "--skip-download"], (0, 1)


def floor() -> tuple[list[str], tuple[int, ...]]:
    return [sys.executable, "-c", FLOOR], (0,)


def paired(
    tree: Path, first: tuple[list[str], tuple[int, ...]], second: tuple[list[str], tuple[int, ...]], rounds: int
) -> tuple[list[Run], list[Run]]:
    """Run two commands alternately in the tree; each round's pair ran back to back."""
    ones: list[Run] = []
    twos: list[Run] = []
    for index in range(rounds):
        order = [(first, ones), (second, twos)]
        for (command, ok), runs in order if index % 2 == 0 else reversed(order):
            run = run_child(command, tree)
            check(run, command, ok)
            runs.append(run)
    return ones, twos


def describe(name: str, runs: list[Run]) -> str:
    times = [r.seconds for r in runs]
    cpu = statistics.median(r.cpu_seconds for r in runs)
    rss = max(r.max_rss_kib for r in runs) / 1024
    return (
        f"{name:<8} median {statistics.median(times):7.2f} s (min {min(times):.2f}), cpu {cpu:6.2f} s, {rss:6.0f} MiB"
    )


def ratios(over: list[Run], under: list[Run]) -> str:
    pairs = [a.seconds / b.seconds for a, b in zip(over, under, strict=True)]
    cpu = [a.cpu_seconds / b.cpu_seconds for a, b in zip(over, under, strict=True) if b.cpu_seconds]
    memory = max(a.max_rss_kib for a in over) / max(b.max_rss_kib for b in under)
    shown = ", ".join(f"{p:.2f}" for p in pairs)
    return (
        f"pairs [{shown}] -> median {statistics.median(pairs):.2f}x wall, "
        f"{statistics.median(cpu) if cpu else float('nan'):.2f}x cpu, {memory:.2f}x memory"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=300, help="files per tree at scale 1 (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="pairs per comparison (default 5)")
    parser.add_argument("--trees", default=",".join(TREES), help=f"subset of {','.join(TREES)}")
    parser.add_argument("--scale", default="1,2,4", help="factors of --files for the linearity check ('' skips)")
    parser.add_argument("--scale-tree", default="kubernetes", help="tree kind for the linearity check")
    parser.add_argument("--no-peer", action="store_true", help="skip checkov even when NHILINT_CHECKOV is set")
    parser.add_argument("--source", type=Path, help="run nhilint from this source tree (PYTHONPATH)")
    parser.add_argument(
        "--dir",
        action="append",
        default=[],
        metavar="KIND=PATH",
        help="also compare on an existing directory, e.g. kubernetes=/src/kube-prometheus (KIND: checkov framework)",
    )
    args = parser.parse_args(argv)
    if args.source is not None:
        global SOURCE
        SOURCE = args.source.resolve()
        os.environ["PYTHONPATH"] = str(SOURCE)  # every child: nhilint from that tree (the floor does not import it)
    kinds = [k.strip() for k in args.trees.split(",") if k.strip()]
    unknown = set(kinds) - set(TREES)
    if unknown:
        parser.error(f"unknown trees: {', '.join(sorted(unknown))}")
    dirs: list[tuple[str, Path]] = []
    for given in args.dir:
        kind, _, path = given.partition("=")
        if kind not in FRAMEWORK or not Path(path).is_dir():
            parser.error(f"--dir {given}: want KIND=DIRECTORY with KIND one of {', '.join(TREES)}")
        dirs.append((kind, Path(path).resolve()))
    with_bytecode(SOURCE)
    peer = None if args.no_peer else os.environ.get("NHILINT_CHECKOV")
    shown = f"{sys.executable} with {SOURCE}" if SOURCE else " ".join(nhilint_command())
    print(f"nhilint: {shown}; peer: {peer or 'none (set NHILINT_CHECKOV)'}; cpus {os.cpu_count()}")
    start = startup(args.repeat)
    trees = [(kind, generate(kind, args.files, args.seed)) for kind in kinds] + dirs
    for kind, tree in trees:
        shown_tree = tree.relative_to(HERE) if tree.is_relative_to(HERE) else tree
        print(f"\n## {kind} ({shown_tree})", flush=True)
        ours, base = paired(tree, nhilint(tree), floor(), args.repeat)
        print(describe("nhilint", ours))
        print(describe("floor", base))
        print(f"nhilint / floor: {ratios(ours, base)}")
        print(without_startup(ours, base, start))
        if peer:
            ours, theirs = paired(tree, nhilint(tree), checkov(peer, kind), args.repeat)
            print(describe("nhilint", ours))
            print(describe("checkov", theirs))
            print(f"checkov / nhilint: {ratios(theirs, ours)}", flush=True)
    factors = [int(f) for f in args.scale.split(",") if f.strip()]
    if factors:
        print(f"\n## scale ({args.scale_tree}): nhilint and floor, per 1,000 files", flush=True)
        for factor in factors:
            files = args.files * factor
            tree = generate(args.scale_tree, files, args.seed)
            ours, base = paired(tree, nhilint(tree), floor(), args.repeat)
            count = sum(1 for p in tree.rglob("*") if p.is_file())
            ms = statistics.median(r.seconds for r in ours) / count * 1000  # seconds per 1,000 files
            floor_ms = statistics.median(r.seconds for r in base) / count * 1000
            rss = max(r.max_rss_kib for r in ours) / 1024
            floor_rss = max(r.max_rss_kib for r in base) / 1024
            print(
                f"{factor}x {count:6d} files: nhilint {ms:6.2f} s/1k files, {rss:5.0f} MiB; "
                f"floor {floor_ms:6.2f} s/1k files, {floor_rss:5.0f} MiB; {ratios(ours, base)}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
