"""Time `kpi-trust rca` on synthetic leaf tables of 20,000 and 200,000 leaves.

Each table (kpi_trust.rca.synthetic.make_case: heavy-tailed values, 10 % noise, 1-3 root
causes of 1-3 attributes) is written to CSV once; the command then runs in a fresh process
per repetition, timed end to end (Python start, reading the CSV, the search, writing the
result). CPU time is the child process's user + system time. Prints a Markdown table for
docs/benchmarks.md.

    PYTHONPATH=scripts .venv/bin/python bench/rca_bench.py [--runs 5] [--out /tmp/rca-bench]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from kpi_trust.rca.synthetic import make_case

SETTINGS = (
    ("20k, 4 dims", (10, 10, 10, 20)),
    ("20k, 5 dims", (10, 10, 10, 5, 4)),
    ("200k, 4 dims", (20, 25, 20, 20)),
    ("200k, 5 dims", (20, 25, 10, 8, 5)),
)


def run_once(path: Path) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kpi_trust",
            "rca",
            str(path),
            "--actual",
            "actual",
            "--expected",
            "expected",
        ],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("/tmp/rca-bench"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "| table | leaves | dims | runs | median wall s | median CPU s | runs wall s "
        "| found = labels |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for name, sizes in SETTINGS:
        case = make_case(np.random.default_rng(2026), sizes=sizes)
        path = args.out / f"leaves_{'x'.join(map(str, sizes))}.csv"
        case.frame.to_csv(path, index=False)
        walls, cpus, found = [], [], set()
        for _ in range(args.runs):
            wall, cpu, stdout = run_once(path)
            walls.append(wall)
            cpus.append(cpu)
            found = {line.split(",")[1] for line in stdout.strip().splitlines()[1:]}
        print(
            f"| {name} | {len(case.frame):,} | {len(sizes)} | {args.runs} | "
            f"{statistics.median(walls):.2f} | {statistics.median(cpus):.2f} | "
            f"{', '.join(f'{w:.2f}' for w in walls)} | {found == case.labels} |"
        )


if __name__ == "__main__":
    main()
