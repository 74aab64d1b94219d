"""Which modules a command imports and what each costs: `python -X importtime`, repeated, least noisy run kept.

On a shared machine one `-X importtime` run is dominated by whoever else holds the CPU, so this runs the
command `--runs` times in fresh processes and keeps each module's smallest self time; modules are grouped
(nhilint sub-packages, third-party distributions) so that the heavy families stand out:

    python benchmarks/importtime.py -- -c "import nhilint.api"
    cd benchmarks/out/tree && python ../../importtime.py --runs 5 -- -c "from nhilint.launch import entry; entry()" \
        scan envs/dev/analytics-batch/iam.tf -q --no-cache

A module loaded with `importlib.import_module` (the rule modules, the Terraform platform tables, the report
formats) bypasses the C import path that `-X importtime` instruments: it is not listed and its own body's
time is not counted, but what it imports with `import` statements is, as top-level entries (Python 3.11;
`python -X importtime -c "import importlib; importlib.import_module('json.tool')"` lists `json.decoder` and
`argparse` at the top level, neither `json` nor `json.tool`). Grouped by family below, those entries still
add up where they belong; pyinstrument shows the rest (dataclass creation, for one, is a module's own body).

Compile nhilint's bytecode first (`python -m compileall -q nhilint`) when PYTHONDONTWRITEBYTECODE is set, or
every run pays for compiling the sources.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter, defaultdict

LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def group_of(module: str) -> str:
    """nhilint.rules.* and nhilint.extract.terraform.* as one family each; else two levels of nhilint, one of others."""
    parts = module.split(".")
    if parts[0] != "nhilint":
        return parts[0]
    if len(parts) > 2 and parts[1] in ("rules", "report", "commands", "audit", "checkov_interop"):
        return f"nhilint.{parts[1]}.*"
    if len(parts) > 3 and parts[1] == "extract":
        return ".".join(parts[:3]) + ".*"
    return ".".join(parts[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=40, help="groups to print")
    parser.add_argument("--modules", action="store_true", help="print every module, not groups")
    parser.add_argument("argv", nargs="+", help="arguments for python after --")
    args = parser.parse_args()
    best: dict[str, int] = {}
    for _ in range(args.runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", *args.argv], capture_output=True, text=True, check=False
        )
        for line in done.stderr.splitlines():
            match = LINE.match(line)
            if match:
                name, self_us = match.group(4), int(match.group(1))
                best[name] = min(best.get(name, self_us), self_us)
    totals: Counter[str] = Counter()
    members: defaultdict[str, int] = defaultdict(int)
    for name, self_us in best.items():
        key = name if args.modules else group_of(name)
        totals[key] += self_us
        members[key] += 1
    print(f"{len(best)} modules, {sum(best.values()) / 1000:.1f} ms self time (each module's best of {args.runs})")
    for key, self_us in totals.most_common(args.top):
        print(f"{self_us / 1000:8.1f} ms {members[key]:4d}  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
