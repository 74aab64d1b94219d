"""Measure nhilint on large generated Terraform, CloudFormation and Kubernetes trees; optionally append the
figures to RESULTS.md.

    python benchmarks/run.py [--formats terraform,cloudformation,kubernetes] [--tree DIR] [--cfn-tree DIR]
                             [--k8s-tree DIR] [--files 2000] [--seed 1] [--append-results] [--profile]

Every measurement is a fresh subprocess, so interpreter start-up and imports are counted:

a. whole scan      `nhilint scan . --no-cache --format json -o /dev/null` in the Terraform tree: best-of-N
                   wall time, peak RSS
b. hcl2 baseline   python-hcl2 alone, `hcl2.load(f)` on every .tf file of the tree: best-of-N wall time;
                   the ratio (a)/(b) is the parsing overhead of nhilint (target <= 2.0)
c. pre-commit      `nhilint scan f1 .. f5 -q` on five files of one service directory: best and median of
                   10 runs without the parse cache (target <= 0.3 s), with it warm (<= 0.2 s), and warm but
                   for one of the five edited before each run (most commits)
d. start-up        `nhilint --version`, `python -c "import nhilint.cli"` and `-X importtime` totals
e. cfn / k8s scan  the whole scan (a) in the CloudFormation and in the Kubernetes tree, and the identities
                   the report counts against those the tree declares

(a)-(c) run with `terraform` in --formats, (e) with `cloudformation` / `kubernetes`; (d) always.

Subprocesses run with the tree as working directory: nhilint takes the current directory as the scan root
and honours its .gitignore, and this repository ignores benchmarks/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_TREE = HERE / "out" / "tree"
FORMATS = ("terraform", "cloudformation", "kubernetes")
DEFAULT_TREES = {
    "terraform": DEFAULT_TREE,
    "cloudformation": HERE / "out" / "cloudformation",
    "kubernetes": HERE / "out" / "kubernetes",
}
PREFIX = {"terraform": "", "cloudformation": "cfn ", "kubernetes": "k8s "}  # of the figures' names
# Files that tell a generated tree of each format is there (generate.py writes it otherwise).
TREE_PATTERNS = {
    "terraform": ("*.tf",),
    "cloudformation": ("*.yaml", "*.yml", "*.json", "*.template"),
    "kubernetes": ("*.yaml", "*.yml", "*.json"),
}
RESULTS = HERE / "RESULTS.md"
PRECOMMIT_COLD_TARGET_S = 0.3  # issue 13: no parse cache (a first commit)
PRECOMMIT_TARGET_S = 0.2  # issue 13: the parse cache warm
RATIO_TARGET = 2.0

HCL2_SCRIPT = """\
import sys
import hcl2

errors = 0
with open(sys.argv[1], encoding="utf-8") as listing:
    paths = listing.read().splitlines()
for path in paths:
    with open(path, encoding="utf-8") as handle:
        try:
            hcl2.load(handle)
        except Exception:
            errors += 1
print(len(paths), errors)
"""

RESULTS_HEADER = f"""# nhilint benchmark results

Appended by `python benchmarks/run.py --append-results` (see `benchmarks/README.md`). Each section is one
run on trees from `benchmarks/generate.py` (same `--format` / `--files` / `--seed` -> same tree). Times are
wall-clock seconds of a fresh subprocess (imports included); "best" is the minimum over the repeats.

| Figure | What | Target |
|---|---|---|
| scan best | `nhilint scan TREE --no-cache --format json -o /dev/null`, best of N | - |
| scan peak RSS | max resident set of the scan process or its largest worker (MiB) | - |
| hcl2 best | python-hcl2 alone, `hcl2.load()` of every `.tf` file, best of N | - |
| scan / hcl2 | ratio of the wall times (notes: ratio of CPU times, workers included) | <= {RATIO_TARGET} |
| pre-commit cold best / median | `nhilint scan f1..f5 -q --no-cache`, five files of one service dir, \
10 runs | < {PRECOMMIT_COLD_TARGET_S} s |
| pre-commit best / median | the same with the parse cache warm (every commit after the first), 10 runs \
| < {PRECOMMIT_TARGET_S} s |
| pre-commit edited best / median | the same, warm but for one of the five edited before each run | - |
| `--version` | `nhilint --version`, best of 5 | - |
| import nhilint.cli / .api | `python -c "import ..."`, best of 5; notes: `-X importtime` cumulative | - |
| cfn / k8s scan best | the whole scan of the CloudFormation / Kubernetes tree, best of N | - |
| cfn / k8s scan peak RSS | as for the Terraform tree | - |
| cfn / k8s identities | identities in the report / principals the tree declares (roles, users, groups, SAM \
generated roles; ServiceAccount objects) | equal |
"""


@dataclass
class Run:
    seconds: float
    returncode: int
    max_rss_kib: int  # largest single process: the child or any of its reaped workers, not a sum
    cpu_seconds: float = 0.0  # user + system of the child and its reaped workers
    stderr: str = ""


@dataclass
class Figures:
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (figure, value, target/verdict)

    def add(self, name: str, value: str, note: str = "") -> None:
        self.rows.append((name, value, note))


def run_child(argv: list[str], cwd: Path, stdout_path: str = os.devnull) -> Run:
    """Run argv once; wall time and the child's own peak RSS (os.wait4, KiB on Linux)."""
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", errors="replace")
    return Run(elapsed, process.returncode, int(usage.ru_maxrss), usage.ru_utime + usage.ru_stime, stderr)


def edited_runs(tree: Path, name: str, argv: list[str], times: int) -> list[Run]:
    """`argv` run `times` times, the file `name` edited (a new comment line) before each run, then restored."""
    edited = tree / name
    original = edited.read_bytes()
    runs: list[Run] = []
    try:
        for index in range(times):
            edited.write_bytes(original + f"# edit {index}\n".encode())
            runs.extend(repeat(argv, tree, 1, ok=(0, 1)))
    finally:
        edited.write_bytes(original)
    return runs


def repeat(argv: list[str], cwd: Path, times: int, ok: tuple[int, ...] = (0,)) -> list[Run]:
    runs = []
    for _ in range(times):
        run = run_child(argv, cwd)
        check(run, argv, ok)
        runs.append(run)
    return runs


def check(run: Run, argv: list[str], ok: tuple[int, ...]) -> None:
    """Fail on an unexpected exit code, or on a traceback (an uncaught exception also exits 1)."""
    if run.returncode not in ok or "Traceback (most recent call last)" in run.stderr:
        sys.stderr.write(run.stderr[-6000:])
        raise SystemExit(f"{' '.join(argv)} crashed (exit {run.returncode})")


def with_bytecode(source: Path | None = None) -> None:
    """Compile nhilint's modules (of `source`, else of the installed package) to bytecode before measuring.

    An installed package has bytecode (pip compiles it at install), so that is what users run. A source tree
    may have none, and where PYTHONDONTWRITEBYTECODE is set (CI and sandboxes often set it) every run would
    compile ~140 modules again, about 0.13 s that no user pays: measured on such a machine, start-up and every
    ratio against the floor were inflated by it.
    """
    if source is None:
        import importlib.util

        spec = importlib.util.find_spec("nhilint")
        if spec is None or spec.origin is None:
            return
        package = Path(spec.origin).parent
    else:
        package = source / "nhilint"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


# What the `nhilint` script runs (nhilint.launch), for `python -c`; a tree from before the launcher has only the CLI.
ENTRY = "try:\n    from nhilint.launch import entry\nexcept ImportError:\n    from nhilint.cli import entry\nentry()"


def nhilint_command() -> list[str]:
    script = Path(sys.executable).parent / "nhilint"
    if script.is_file():
        return [str(script)]
    found = shutil.which("nhilint")
    if found:
        return [found]
    return [sys.executable, "-c", ENTRY]


def parse_formats(text: str) -> tuple[str, ...]:
    """`terraform,kubernetes` -> the formats in the order they are measured."""
    asked = {part.strip() for part in text.split(",") if part.strip()}
    unknown = asked - set(FORMATS)
    if unknown or not asked:
        raise argparse.ArgumentTypeError(f"formats are a comma-separated subset of {','.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in asked)


def tree_stats(tree: Path) -> tuple[list[Path], int]:
    files = sorted(p for p in tree.rglob("*.tf") if p.is_file())
    pattern = re.compile(r'^\s*resource\s+"', re.M)
    resources = sum(len(pattern.findall(p.read_text(encoding="utf-8"))) for p in files)
    return files, resources


def ensure_tree(tree: Path, files: int, seed: int, fmt: str = "terraform") -> None:
    """Generate the tree unless it is there (delete the directory to regenerate it)."""
    if tree.is_dir() and any(any(tree.rglob(pattern)) for pattern in TREE_PATTERNS[fmt]):
        return
    print(f"generating {fmt} tree {tree} ({files} files, seed {seed}) ...", flush=True)
    subprocess.run(
        [
            sys.executable,
            str(HERE / "generate.py"),
            str(tree),
            "--format",
            fmt,
            "--files",
            str(files),
            "--seed",
            str(seed),
        ],
        check=True,
    )


def precommit_files(tree: Path) -> list[str]:
    """Five .tf files of the first service directory (sorted) that has at least five."""
    for directory in sorted(p for p in (tree / "envs").glob("*/*") if p.is_dir()):
        names = sorted(p.name for p in directory.glob("*.tf"))
        if len(names) >= 5:
            preferred = [n for n in names if n not in ("variables.tf", "outputs.tf", "locals.tf")]
            chosen = (preferred + [n for n in names if n not in preferred])[:5]
            return [(directory / n).relative_to(tree).as_posix() for n in chosen]
    raise SystemExit(f"no service directory with five .tf files under {tree}/envs")


def import_time_us(module: str) -> int:
    """Cumulative `-X importtime` microseconds of `module` (imports it pulls in included)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, check=True
    )
    for line in result.stderr.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1])
    return -1


def git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        # Modified tracked files outside benchmarks/ (RESULTS.md itself changes with every run).
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)benchmarks"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{rev}+dirty" if dirty else rev


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def import_generators() -> None:
    """Make generate.py and its format modules importable."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))


def display(tree: Path) -> Path:
    return tree.relative_to(REPO) if tree.is_relative_to(REPO) else tree


def whole_scan(nhilint: list[str], tree: Path, times: int, label: str) -> tuple[dict[str, int], list[Run]]:
    """`times` whole scans of a tree; the first keeps its JSON to check that nhilint actually saw the tree."""
    scan_argv = [*nhilint, "scan", ".", "--no-cache", "--format", "json", "-o"]
    with tempfile.TemporaryDirectory() as scratch:
        report_path = Path(scratch) / "scan.json"
        first = run_child([*scan_argv, str(report_path)], tree)
        check(first, scan_argv, (0, 1))
        if not report_path.is_file():
            sys.stderr.write(first.stderr[-6000:])
            raise SystemExit(f"nhilint wrote no report for {tree} (exit {first.returncode})")
        summary: dict[str, int] = json.loads(report_path.read_text(encoding="utf-8"))["summary"]
    if not summary["files"]:
        raise SystemExit(f"nhilint scanned no files in {tree}: {summary}")
    print(f"{label} scan 1/{times}: {first.seconds:.1f} s, summary {summary}", flush=True)
    return summary, [first, *repeat([*scan_argv, os.devnull], tree, times - 1, ok=(0, 1))]


def add_scan_rows(figures: Figures, prefix: str, scans: list[Run], files: int) -> None:
    fastest = min(scans, key=lambda r: r.seconds)
    rss = max(r.max_rss_kib for r in scans)
    per_file = f"; {fastest.seconds / files * 1000:.1f} ms/file" if prefix and files else ""
    figures.add(
        f"{prefix}scan best",
        seconds(fastest.seconds),
        f"exit {scans[0].returncode}, best of {len(scans)}; CPU {fastest.cpu_seconds:.1f} s{per_file}",
    )
    figures.add(f"{prefix}scan runs", ", ".join(f"{r.seconds:.1f}" for r in scans) + " s", "")
    figures.add(f"{prefix}scan peak RSS", f"{rss / 1024:.0f} MiB", f"{rss} KiB")


def measure_format(fmt: str, nhilint: list[str], tree: Path, times: int, figures: Figures) -> list[str]:
    """(e): whole scans of a CloudFormation or Kubernetes tree; returns the section's lines about it."""
    import_generators()
    if fmt == "cloudformation":
        import generate_cfn

        cfn = generate_cfn.tree_summary(tree)
        files, declared = cfn.templates, cfn.principals
        described = (
            f"{cfn.templates} templates ({cfn.yaml} YAML, {cfn.json} JSON) and {cfn.other_files} other "
            f"YAML/JSON files, {cfn.bytes / 2**20:.1f} MiB, {cfn.resources} resources"
        )
        declares = f"{declared} principals"
    else:
        import generate_k8s

        k8s = generate_k8s.tree_summary(tree)
        # every ServiceAccount object: the same add-on in each cluster's directory is its own identity there
        files, declared = k8s.files, k8s.service_account_objects
        described = (
            f"{k8s.files} manifest files ({k8s.yaml} YAML, {k8s.json} JSON) and {k8s.other_files} other "
            f"YAML/JSON files, {k8s.bytes / 2**20:.1f} MiB, {k8s.objects} objects"
        )
        declares = f"{declared} ServiceAccount objects ({k8s.service_accounts} distinct namespace/name)"
    prefix = PREFIX[fmt]
    print(f"{fmt} tree {tree}: {described}; declares {declares}", flush=True)
    summary, scans = whole_scan(nhilint, tree, times, fmt)
    if declared and not summary["identities"]:
        raise SystemExit(f"nhilint found no identities in {tree}, which declares {declares}: {summary}")
    add_scan_rows(figures, prefix, scans, summary["files"])
    fastest = min(scans, key=lambda r: r.seconds)
    rss = max(r.max_rss_kib for r in scans)
    print(f"{fmt} scan best {fastest.seconds:.1f} s, peak RSS {rss / 1024:.0f} MiB", flush=True)
    seen = summary["identities"]
    figures.add(
        f"{prefix}identities",
        f"{seen} / {declared}",
        "seen / declared: " + ("ok" if seen == declared else f"MISMATCH ({seen - declared:+d})"),
    )
    return [
        f"- {fmt} tree: {described} (`{display(tree)}`)",
        f"- {fmt} scan saw: {summary['files']} files (tree has {files}), {seen} identities (tree declares "
        f"{declares}), {summary['credentials']} credentials, {summary['grants']} grants, "
        f"{summary['findings']} findings, {summary['parse_errors']} parse errors",
    ]


def profile(tree: Path, top: int) -> None:
    """cProfile of one whole scan, sorted by cumulative time."""
    script = nhilint_command()
    if len(script) != 1:
        raise SystemExit("--profile needs the nhilint console script")
    command = [
        sys.executable,
        "-m",
        "cProfile",
        "-s",
        "cumtime",
        script[0],
        "scan",
        ".",
        "--no-cache",
        "--format",
        "json",
        "-o",
        os.devnull,
    ]
    result = subprocess.run(command, cwd=tree, capture_output=True, text=True)
    lines = result.stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    print("\n".join(lines[max(0, start - 4) : start + 1 + top]))


def measure_terraform(nhilint: list[str], tree: Path, args: argparse.Namespace, figures: Figures) -> list[str]:
    """(a)-(c) on the Terraform tree; returns the section's lines about it."""
    tf_files, resources = tree_stats(tree)
    print(f"tree {tree}: {len(tf_files)} .tf files, {resources} resources", flush=True)

    # a. whole scan; the first run keeps its JSON to check the scan actually saw the tree.
    summary, scans = whole_scan(nhilint, tree, args.repeat, "terraform")
    scan_fastest = min(scans, key=lambda r: r.seconds)
    scan_best = scan_fastest.seconds
    scan_rss = max(r.max_rss_kib for r in scans)
    print(f"scan best {scan_best:.1f} s, peak RSS {scan_rss / 1024:.0f} MiB", flush=True)

    # b. python-hcl2 alone on the same files.
    with tempfile.TemporaryDirectory() as scratch:
        listing = Path(scratch) / "files.txt"
        listing.write_text("\n".join(str(p) for p in tf_files) + "\n", encoding="utf-8")
        script = Path(scratch) / "hcl2_load.py"
        script.write_text(HCL2_SCRIPT, encoding="utf-8")
        hcl2_argv = [sys.executable, str(script), str(listing)]
        hcl2_runs = []
        for _ in range(args.repeat):
            out = Path(scratch) / "hcl2.out"
            run = run_child(hcl2_argv, tree, str(out))
            check(run, hcl2_argv, (0,))
            hcl2_runs.append(run)
            parsed, hcl2_errors = (int(x) for x in out.read_text(encoding="utf-8").split())
    hcl2_fastest = min(hcl2_runs, key=lambda r: r.seconds)
    hcl2_best = hcl2_fastest.seconds
    hcl2_rss = max(r.max_rss_kib for r in hcl2_runs)
    ratio = scan_best / hcl2_best
    print(f"hcl2 best {hcl2_best:.1f} s ({parsed} files, {hcl2_errors} errors), ratio {ratio:.2f}", flush=True)

    # c. pre-commit: five files of one service directory; without the parse cache (a first commit), with it
    #    warm (the module's unchanged files are not parsed again), and warm but for one of the five edited
    #    before each run (what most commits cost: the parser is loaded for the one changed file).
    chosen = precommit_files(tree)
    pre_argv = [*nhilint, "scan", *chosen, "-q"]
    cold_runs = repeat([*pre_argv, "--no-cache"], tree, args.precommit_runs, ok=(0, 1))
    cold_times = [r.seconds for r in cold_runs]
    cold_best, cold_median = min(cold_times), statistics.median(cold_times)
    with tempfile.TemporaryDirectory() as cache_dir:
        os.environ["NHILINT_CACHE_DIR"] = cache_dir
        repeat(pre_argv, tree, 1, ok=(0, 1))  # fills the cache
        pre_runs = repeat(pre_argv, tree, args.precommit_runs, ok=(0, 1))
        edit_runs = edited_runs(tree, chosen[0], pre_argv, args.precommit_runs)
        del os.environ["NHILINT_CACHE_DIR"]
    pre_times = [r.seconds for r in pre_runs]
    pre_best, pre_median = min(pre_times), statistics.median(pre_times)
    edit_best, edit_median = min(r.seconds for r in edit_runs), statistics.median(r.seconds for r in edit_runs)
    print(
        f"pre-commit ({' '.join(chosen)}): cold best {cold_best:.3f} s, median {cold_median:.3f} s; "
        f"warm best {pre_best:.3f} s, median {pre_median:.3f} s; "
        f"one file edited best {edit_best:.3f} s, median {edit_median:.3f} s",
        flush=True,
    )

    cpu_ratio = scan_fastest.cpu_seconds / hcl2_fastest.cpu_seconds
    add_scan_rows(figures, PREFIX["terraform"], scans, summary["files"])
    figures.add(
        "hcl2 best",
        seconds(hcl2_best),
        f"CPU {hcl2_fastest.cpu_seconds:.1f} s; peak RSS {hcl2_rss / 1024:.0f} MiB, {hcl2_errors} parse errors",
    )
    figures.add(
        "scan / hcl2",
        f"{ratio:.2f}",
        f"wall; target <= {RATIO_TARGET}: {verdict(ratio <= RATIO_TARGET)}; CPU ratio {cpu_ratio:.2f}",
    )
    figures.add("pre-commit cold best", seconds(cold_best), "--no-cache")
    figures.add(
        "pre-commit cold median",
        seconds(cold_median),
        f"of {args.precommit_runs}, --no-cache; target < {PRECOMMIT_COLD_TARGET_S} s: "
        f"{verdict(cold_median < PRECOMMIT_COLD_TARGET_S)}",
    )
    figures.add(
        "pre-commit best",
        seconds(pre_best),
        f"parse cache warm; target < {PRECOMMIT_TARGET_S} s: {verdict(pre_best < PRECOMMIT_TARGET_S)}",
    )
    figures.add(
        "pre-commit median",
        seconds(pre_median),
        f"of {args.precommit_runs}, parse cache warm; target < {PRECOMMIT_TARGET_S} s: "
        f"{verdict(pre_median < PRECOMMIT_TARGET_S)}",
    )
    figures.add("pre-commit edited best", seconds(edit_best), f"parse cache warm but for `{chosen[0]}`, edited")
    figures.add("pre-commit edited median", seconds(edit_median), f"of {args.precommit_runs}")

    import_generators()
    from generate import expected_identities

    declared = expected_identities(tree) if (tree / "envs").is_dir() and (tree / "modules").is_dir() else -1
    if declared > 0 and not summary["identities"]:
        raise SystemExit(f"nhilint found no identities in {tree}, which declares {declared}: {summary}")
    scanned = (
        f"{summary['files']} files, {summary['identities']} identities (tree declares {declared}), "
        f"{summary['credentials']} "
        f"credentials, {summary['grants']} grants, {summary['findings']} findings, "
        f"{summary['parse_errors']} parse errors"
    )
    return [
        f"- tree: {len(tf_files)} .tf files, {resources} resources (`{display(tree)}`)",
        f"- scan saw: {scanned}",
        f"- pre-commit files: {', '.join(f'`{c}`' for c in chosen)}",
    ]


def measure_startup(nhilint: list[str], cwd: Path, figures: Figures) -> None:
    """(d) start-up and import cost."""
    version_best = min(r.seconds for r in repeat([*nhilint, "--version"], cwd, 5))
    import_best = {
        module: min(r.seconds for r in repeat([sys.executable, "-c", f"import {module}"], cwd, 5))
        for module in ("nhilint.cli", "nhilint.api")
    }
    import_us = {module: import_time_us(module) for module in import_best}
    figures.add("nhilint --version", seconds(version_best), "best of 5")
    for module, best in import_best.items():
        figures.add(f"import {module}", seconds(best), f"-X importtime cumulative {import_us[module] / 1e6:.3f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark nhilint on generated Terraform, CloudFormation and Kubernetes trees."
    )
    parser.add_argument(
        "--formats",
        type=parse_formats,
        default=FORMATS,
        metavar="LIST",
        help=f"comma-separated formats to measure (default {','.join(FORMATS)})",
    )
    parser.add_argument(
        "--tree", type=Path, default=DEFAULT_TREE, help=f"Terraform tree to scan (default {display(DEFAULT_TREE)})"
    )
    parser.add_argument(
        "--cfn-tree",
        type=Path,
        default=DEFAULT_TREES["cloudformation"],
        help=f"CloudFormation tree (default {display(DEFAULT_TREES['cloudformation'])})",
    )
    parser.add_argument(
        "--k8s-tree",
        type=Path,
        default=DEFAULT_TREES["kubernetes"],
        help=f"Kubernetes tree (default {display(DEFAULT_TREES['kubernetes'])})",
    )
    parser.add_argument("--files", type=int, default=2000, help="files to generate if a tree is missing")
    parser.add_argument("--seed", type=int, default=1, help="seed to generate with if a tree is missing")
    parser.add_argument("--repeat", type=int, default=3, help="repeats of the whole-tree runs (default 3)")
    parser.add_argument("--precommit-runs", type=int, default=10, help="repeats of the pre-commit run")
    parser.add_argument("--append-results", action="store_true", help=f"append a section to {RESULTS}")
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of one whole scan of each format's tree"
    )
    parser.add_argument("--profile-lines", type=int, default=25, help="profile rows to print (default 25)")
    args = parser.parse_args(argv)

    formats: tuple[str, ...] = args.formats
    trees: dict[str, Path] = {
        "terraform": args.tree.resolve(),
        "cloudformation": args.cfn_tree.resolve(),
        "kubernetes": args.k8s_tree.resolve(),
    }
    revision_at_start = git_revision()
    with_bytecode(REPO)
    for fmt in formats:
        ensure_tree(trees[fmt], args.files, args.seed, fmt)
    nhilint = nhilint_command()
    figures = Figures()
    lines: list[str] = []
    if "terraform" in formats:
        lines += measure_terraform(nhilint, trees["terraform"], args, figures)
    for fmt in formats:
        if fmt != "terraform":
            lines += measure_format(fmt, nhilint, trees[fmt], args.repeat, figures)
    measure_startup(nhilint, trees[formats[0]], figures)

    width = max(len(name) for name, _, _ in figures.rows)
    value_width = max(len(value) for _, value, _ in figures.rows)
    print()
    for name, value, note in figures.rows:
        print(f"{name.ljust(width)}  {value.rjust(value_width)}  {note}")
    for line in lines:
        print(line.removeprefix("- "))

    if args.append_results:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        revision = git_revision()
        if revision != revision_at_start:
            revision = f"{revision_at_start} -> {revision} (the checkout changed during the run)"
        skipped = [f for f in FORMATS if f not in formats]
        section = [
            f"\n## {stamp} - {revision}\n",
            f"- machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()} "
            f"({platform.system()} {platform.machine()}); nhilint {package_version('nhilint')}, "
            f"python-hcl2 {package_version('python-hcl2')}, lark {package_version('lark')}, "
            f"PyYAML {package_version('PyYAML')}",
            *([f"- formats: {', '.join(formats)} (not measured in this run: {', '.join(skipped)})"] if skipped else []),
            *lines,
            "",
            "| Figure | Value | Notes |",
            "|---|---|---|",
            *(f"| {name} | {value} | {note} |" for name, value, note in figures.rows),
            "",
        ]
        if not RESULTS.exists():
            RESULTS.write_text(RESULTS_HEADER, encoding="utf-8")
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(section))
        print(f"appended to {RESULTS}")

    if args.profile:
        for fmt in formats:
            print(f"\n{fmt}: {display(trees[fmt])}")
            profile(trees[fmt], args.profile_lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
