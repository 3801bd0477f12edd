"""Benchmark: Great Expectations per-day validation of both logs on DuckDB (10 M rows x 90 days).

What is timed is exactly what the dbt model `gx_validation_results` runs
(`kpi_trust.gx_validate.validate_daily`): copy the rows into temp tables sorted by time, then
one GE query asset per day per log, both suites in SQL pushdown, results flattened. Data Docs
are not built (the model builds them once per run, ~1 s for 180 results).

Data: the project generator (seed 42, 90 days, all incidents) to Parquet, loaded once into a
DuckDB file as the staged logs look to GE (typed columns, raw `status` / `event_name` kept in
`*_raw` columns). Each run is a fresh process (GE import, ~4 s, reported separately and not
timed); the median of the runs and the largest peak RSS (whole process: Python, GE, DuckDB)
are written to the "Great Expectations" section of docs/benchmarks.md.

    python bench/bench_gx.py                 # 5 M api calls + ~5 M game events, 3 runs
    python bench/bench_gx.py --rows-per-log 10000000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = REPO / "docs" / "benchmarks.md"
DAYS = 90
# Default dataset: ~14.6 game events per player over 90 days (sizes the population only).
EVENTS_PER_PLAYER = 14.6
SECTION = "## Great Expectations"
HEADER = (
    "| api_calls rows | game_events rows | day batches | runs | median wall s | runs s | CPU s "
    "| wall s / batch | peak RSS MB |\n|---:|---:|---:|---:|---:|---|---:|---:|---:|"
)


def _prepare(rows_per_log: int, work: Path) -> tuple[Path, dict[str, int]]:
    """Generate the logs (Parquet) and load them into a DuckDB file (in generation order)."""
    import duckdb
    from kpi_trust.generator import GeneratorConfig, generate

    raw = work / "raw"
    generate(
        GeneratorConfig(
            seed=42,
            days=DAYS,
            api_calls_per_day=round(rows_per_log / DAYS),
            players=round(rows_per_log / EVENTS_PER_PLAYER),
            fmt="parquet",
        ),
        raw,
    )
    db = work / "gx_bench.duckdb"
    with duckdb.connect(str(db)) as connection:
        connection.execute(
            "create table api_calls as select *, status as status_raw"
            f" from read_parquet('{raw / 'api_calls.parquet'}')"
        )
        connection.execute(
            "create table game_events as select *, event_name as event_name_raw"
            f" from read_parquet('{raw / 'game_events.parquet'}')"
        )
        counts = {
            table: int(connection.sql(f"select count(*) from {table}").fetchall()[0][0])
            for table in ("api_calls", "game_events")
        }
    return db, counts


def _worker(db: str) -> None:
    """One timed validation run; prints a JSON line with timings and peak RSS."""
    started = time.perf_counter()
    import duckdb
    from kpi_trust import gx_duckdb, gx_validate

    gx_duckdb.apply()
    import_seconds = time.perf_counter() - started

    connection = duckdb.connect(db, read_only=True)
    cursor = connection.cursor()
    sources = {
        dataset: gx_validate.raw_values_source(dataset, f"select * from {dataset}")
        for dataset in ("api_calls", "game_events")
    }
    started, cpu_started = time.perf_counter(), time.process_time()
    validation = gx_validate.validate_daily(cursor, sources, gx_validate.current_run())
    seconds = time.perf_counter() - started
    # CPU time of the whole process (GE's Python + DuckDB's threads): on a shared machine the
    # wall time also counts waiting for the cores, CPU time does not.
    cpu_seconds = time.process_time() - cpu_started
    cursor.close()
    connection.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        "RESULT"
        + json.dumps(
            {
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu_seconds, 2),
                "import_seconds": round(import_seconds, 2),
                "batches": len(validation.days),
                "rows": len(validation.rows),
                "failed": sum(1 for row in validation.rows if not row["success"]),
                "peak_rss_mb": round(peak_kb / 1024),
            }
        )
    )


def _run_worker(db: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", str(db)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"worker failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )
    return json.loads(lines[-1].removeprefix("RESULT"))


def _section(counts: dict[str, int], runs: list[dict], load: str) -> str:
    """The markdown of the Great Expectations section."""
    seconds = [run["seconds"] for run in runs]
    median = statistics.median(seconds)
    cpu = statistics.median(run["cpu_seconds"] for run in runs)
    batches = runs[0]["batches"]
    import_s = statistics.median(r["import_seconds"] for r in runs)
    row = " | ".join(
        [
            f"{counts['api_calls']:,}",
            f"{counts['game_events']:,}",
            str(batches),
            str(len(runs)),
            f"{median:.1f}",
            ", ".join(f"{s:.1f}" for s in seconds),
            f"{cpu:.1f}",
            f"{median / batches:.2f}",
            f"{max(r['peak_rss_mb'] for r in runs):,}",
        ]
    )
    verdict = "met" if median <= 60 else f"NOT met on wall time ({median:.0f} s)"
    return f"""{SECTION}

`bench/bench_gx.py`: `kpi_trust.gx_validate.validate_daily` (what the dbt model
`gx_validation_results` runs): both logs copied into temp tables sorted by time, then one GE
query asset per day per log, suites `api_calls_raw` and `game_events_raw` (15 expectations
each) in SQL pushdown on DuckDB through the `kpi_trust.gx_duckdb` shim, results flattened.
Generator data (seed 42, {DAYS} days, all incidents) loaded into a DuckDB file. Each run is a
fresh process; GE's import (~{import_s:.0f} s) is not timed; Data Docs are not built (about
1 s per run in the model). CPU s = median over the runs of the process CPU time (Python +
DuckDB threads): on the shared machine it is the better estimate of the uncontended cost.

{HEADER}
| {row} |

Load average (1/5/15 min) at the end: {load} on 2 cores shared with other engineers' builds.

Target: 10 M rows x 90 days <= 60 s: {verdict}.
Where the time goes: GE spends ~10-20 ms of Python per expectation per batch on its metric
graph, and each map expectation issues two queries per day (count, sample of 20 values) that
DuckDB answers in ~5-15 ms because the day's rows are contiguous in the time-sorted table
(zone maps skip the other days' row groups). So cost grows with batches x expectations far
more than with rows; copying + sorting the 10 M rows once is ~15-20 s and most of the peak
memory. Hence one pushed-down "required fields present" query instead of 13 per-column
not-null expectations, and no `add_batch_definition_daily` (FACTS: 134 s for 90 days x 5 M).
"""


def _write_section(text: str) -> None:
    """Replace (or append) only the Great Expectations section of docs/benchmarks.md."""
    if BENCHMARKS_MD.exists():
        current = BENCHMARKS_MD.read_text()
    else:
        current = "# Benchmarks\n\nEach section names the script that produced it.\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text.rstrip("\n") + "\n\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    BENCHMARKS_MD.write_text(updated.rstrip("\n") + "\n")


def main() -> int:
    """Generate, load, run the validation N times in fresh processes, record the median."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows-per-log",
        type=int,
        default=5_000_000,
        help="target rows of EACH log (default 5 M: 10 M rows in total)",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs (median reported)")
    parser.add_argument("--no-write", action="store_true", help="print, do not edit the docs")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench_gx_") as tmp:
        started = time.perf_counter()
        db, counts = _prepare(args.rows_per_log, Path(tmp))
        print(f"data ready in {time.perf_counter() - started:.1f} s: {counts}", flush=True)
        runs = []
        for index in range(args.runs):
            runs.append(_run_worker(db))
            print(f"run {index + 1}: {runs[-1]}", flush=True)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    text = _section(counts, runs, load)
    print(text)
    if not args.no_write:
        _write_section(text)
        print(f"wrote the section to {BENCHMARKS_MD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
