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
SCRIPTS = ("bench_generator.py", "bench_marts.py", "bench_gx.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        choices=[name.removesuffix(".py") for name in SCRIPTS],
        action="append",
        help="run only this benchmark (repeatable); default all",
    )
    args = parser.parse_args(argv)
    chosen = [name for name in SCRIPTS if not args.only or name.removesuffix(".py") in args.only]
    failed = []
    for name in chosen:
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, str(BENCH / name)], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
