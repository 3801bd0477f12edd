"""Generator throughput to Parquet at 1 M and 10 M rows per log.

Each run is a fresh child process (so peak RSS is per run, not cumulative) that generates the
API-call log and the game-event log with ~N rows each over the default 90 days, timed end to end
including writing. Prints a markdown table (median wall time of the runs) for
docs/benchmarks.md. Target: 10 M + 10 M rows in <= 60 s on 2 cores.

    .venv/bin/python bench/bench_generator.py [--sizes 1000000,10000000] [--runs 3,1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DAYS = 90
# Game events per player over 90 days with the default behaviour model (measured on the default
# dataset: 395k events / 27k players). Used only to size the population for a target row count.
EVENTS_PER_PLAYER = 14.6  # ~395-406k events / 27k players, depending on incidents


def _child(rows: int, out: str) -> None:
    """One timed generation; prints a JSON line with the measurements."""
    from kpi_trust.generator import GeneratorConfig, generate

    cfg = GeneratorConfig(
        seed=42,
        days=DAYS,
        api_calls_per_day=round(rows / DAYS),
        players=round(rows / EVENTS_PER_PLAYER),
        fmt="parquet",
    )
    started = time.perf_counter()
    result = generate(cfg, Path(out))
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = sum(p.stat().st_size for p in result.paths.values()) / 1e6
    print(
        json.dumps(
            {"seconds": seconds, "peak_mb": peak_mb, "size_mb": size_mb, "rows": result.row_counts}
        )
    )


def _run_once(rows: int) -> dict:
    out = tempfile.mkdtemp(prefix="bench_gen_", dir=os.environ.get("BENCH_TMP"))
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(rows), out],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="target rows per log")
    parser.add_argument("--runs", default="3,3", help="runs per size (median reported)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(int(args.child[0]), args.child[1])
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = [int(r) for r in args.runs.split(",")]
    lines = [
        "| target rows / log | api_calls rows | game_events rows | runs | median s | "
        "rows/s (both logs) | peak RSS MB | Parquet MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, n_runs in zip(sizes, runs, strict=True):
        results = [_run_once(size) for _ in range(n_runs)]
        for r in results:
            print(f"  {size:>12,}: {r['seconds']:.1f} s, peak {r['peak_mb']:.0f} MB", flush=True)
        median = statistics.median(r["seconds"] for r in results)
        rows = results[0]["rows"]
        total = rows["api_calls"] + rows["game_events"]
        lines.append(
            f"| {size:,} | {rows['api_calls']:,} | {rows['game_events']:,} | {n_runs} | "
            f"{median:.1f} | {total / median:,.0f} | "
            f"{max(r['peak_mb'] for r in results):,.0f} | {results[0]['size_mb']:,.0f} |"
        )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
