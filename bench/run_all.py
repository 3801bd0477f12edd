"""Run every benchmark in bench/ one after another (`make bench`).

Each script measures one performance target (generator throughput, marts vs hand-written SQL,
Great Expectations per-day validation) and prints a markdown table; record the numbers in
docs/benchmarks.md with the machine and the load it ran under. Benchmarks use large data
(10 M rows per log) and take many minutes: they are never part of `make test`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# (script, arguments): the marts benchmark runs three ways, as recorded in docs/benchmarks.md:
# the whole pipeline at 10 M rows per log under the 2 GB default cap and uncapped (one run each:
# a build takes many minutes), and at 1 M rows per log with the pandas line (three runs); the
# one-new-day incremental re-run against a full build at 1 M and 10 M rows per log.
RUNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bench_generator.py", ()),
    ("bench_marts.py", ("--rows", "1000000", "--runs", "3", "--scope", "all",
                        "--kinds", "hand,pandas,dbt")),
    ("bench_marts.py", ("--runs", "1", "--scope", "all", "--memory-limit", "2GB")),
    ("bench_marts.py", ("--runs", "1", "--scope", "all", "--memory-limit", "default")),
    ("bench_gx.py", ()),
    ("bench_incremental.py", ("--rows", "1000000")),
    ("bench_incremental.py", ("--rows", "10000000")),
)  # fmt: skip
SCRIPTS = tuple(dict.fromkeys(name for name, _ in RUNS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        choices=[name.removesuffix(".py") for name in SCRIPTS],
        action="append",
        help="run only this benchmark (repeatable); default all",
    )
    args = parser.parse_args(argv)
    chosen = [
        (name, extra)
        for name, extra in RUNS
        if not args.only or name.removesuffix(".py") in args.only
    ]
    failed = []
    for name, extra in chosen:
        print(f"== {name} {' '.join(extra)}", flush=True)
        command = [sys.executable, str(BENCH / name), *extra]
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(f"{name} {' '.join(extra)}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
