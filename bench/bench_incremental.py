"""Benchmark a one-new-day incremental re-run against a full build (issue 16).

    python bench/bench_incremental.py [--rows 1000000] [--runs 1] [--memory-limit 2GB]
        [--out /tmp/kpi_bench_incremental]

The generator's Parquet logs (90 days, seed 42, all incidents, labels removed; the same files as
`bench_marts.py`) are cut at the start of their last ingestion day:

- `before/`: every row ingested before the cut, in file order (the logs as they stood yesterday);
- `after/`: the same rows followed by the rows ingested on the last day (the log appended to).

Per run, each in its own process and DuckDB file, files mode, the whole project (`dbt build`):

1. **full**: a fresh build of `after/` (the cost the re-run is compared with);
2. **yesterday**: a fresh build of `before/` (setup, measured for reference);
3. **one new day**: `dbt build --exclude-resource-type unit_test` again on that database, now
   reading `after/`: the daily run as dbt recommends running it in production (unit tests test
   the code, which did not change since the full build that ran them; `--with-unit-tests` keeps
   them);
4. **nothing new**: the same command once more on the same files, nothing appended: what every
   run costs whatever the data brings (dbt's per-node work, the tests over whole tables, the
   Python models), the floor under any re-run's ratio.

Then it checks that the re-run's tables (after step 4, which must leave them as they are) equal
the full build's (`bench/compare_warehouses.py`'s comparison, every table both hold) and prints
the CPU ratio re-run / full and where the re-run's node time goes (from its
`target/run_results.json`), as Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

import duckdb

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench_marts import BIN, Run, build_args, files_env, fresh_db, generate, measured  # noqa: E402

LOGS = ("api_calls", "game_events")


def cut_at_last_day(raw_dir: Path, before: Path, after: Path) -> str:
    """Write `before/` and `after/` (see the module doc); returns the cut (the last ingestion
    day's start, the day most rows were ingested among the log's last three)."""
    before.mkdir(parents=True, exist_ok=True)
    after.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    source = f"read_parquet('{raw_dir}/api_calls.parquet')"
    # the last ingestion day: the newest of the days holding at least 0.1 % of the rows (a few
    # implausible clock values lie far in the future and open no day)
    cut = con.execute(
        f"""
        select max(day) from (
            select cast(ingested_at as date) as day, count(*) as n
            from {source} group by all
        ) where n >= 0.001 * (select count(*) from {source})
        """
    ).fetchone()[0]
    for log in LOGS:
        rows = f"read_parquet('{raw_dir}/{log}.parquet', file_row_number = true)"
        landed = f"coalesce(cast(ingested_at as timestamp) < timestamp '{cut}', true)"
        con.execute(
            f"copy (select * exclude (file_row_number) from {rows} where {landed} "
            f"order by file_row_number) to '{before}/{log}.parquet' (format parquet)"
        )
        con.execute(
            f"copy (select * exclude (file_row_number, landed) from ("
            f"select *, {landed} as landed from {rows}) order by not landed, file_row_number) "
            f"to '{after}/{log}.parquet' (format parquet)"
        )
    return str(cut)


def build(work: Path, raw_dir: Path, memory_limit: str, fresh: bool, extra=()) -> Run:
    """`dbt build` of the whole project from `raw_dir` into work/kpi.duckdb (a new file if
    `fresh`); keeps that run's run_results.json as `<work>/run_results_<n>.json`."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / "kpi.duckdb"
    if fresh:
        fresh_db(db)
        for earlier in work.glob("run_results_*.json"):  # a previous benchmark's, same --out
            earlier.unlink()
    env = {
        **files_env(work, raw_dir),
        "KPI_TRUST_DB": str(db),
        "KPI_TRUST_MEMORY_LIMIT": "80%" if memory_limit == "default" else memory_limit,
    }
    run = measured([str(BIN / "dbt"), "build", *build_args("all"), *extra], env)
    kept = len(list(work.glob("run_results_*.json")))
    (work / "target" / "run_results.json").rename(work / f"run_results_{kept}.json")
    return run


def node_seconds(run_results: Path, manifest: Path) -> dict[str, float]:
    """Node seconds of one dbt run by folder of the project (staging, quality, anomalies...;
    Great Expectations and the data / unit tests apart)."""
    nodes = json.loads(manifest.read_text())["nodes"]
    parts: dict[str, float] = defaultdict(float)
    for result in json.loads(run_results.read_text())["results"]:
        uid = result["unique_id"]
        kind = uid.split(".")[0]
        if kind in ("test", "unit_test"):
            part = "data tests" if kind == "test" else "unit tests"
        elif uid.endswith(".gx_validation_results"):
            part = "gx_validation_results"
        else:
            fqn = nodes.get(uid, {}).get("fqn", [kind, kind])
            part = f"{kind}s: {fqn[1] if len(fqn) > 2 else '(top level)'}"
        parts[part] += result["execution_time"]
    return dict(sorted(parts.items(), key=lambda item: -item[1]))


def differing_tables(full: Path, rerun: Path) -> list[str]:
    """Tables of every schema whose contents differ between the full build and the re-run
    (`compare_warehouses.py`'s check: run-keyed history tables and run ids left out)."""
    from compare_warehouses import compare_warehouses

    with duckdb.connect(str(full), read_only=True) as con:
        schemas = tuple(
            row[0]
            for row in con.sql(
                "select distinct table_schema from information_schema.tables "
                "where table_catalog = current_database()"
            ).fetchall()
        )
    diffs, _ = compare_warehouses(full, rerun, schemas)
    return [
        f"{d.schema}.{d.table} ({d.problem or f'{d.only_before} / {d.only_after} rows'})"
        for d in diffs
        if not d.is_identical
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="target rows per log")
    parser.add_argument("--runs", type=int, default=1, help="full / re-run pairs")
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory_limit; 'default'")
    parser.add_argument("--out", type=Path, default=Path("/tmp/kpi_bench_incremental"))
    parser.add_argument(
        "--with-unit-tests", action="store_true", help="the re-run runs the unit tests too"
    )
    args = parser.parse_args()
    raw_dir = Path("/tmp/kpi_bench_marts") / f"raw_{args.rows}"
    raw_dir.mkdir(parents=True, exist_ok=True)
    counts = generate(raw_dir, args.rows)
    cut = cut_at_last_day(raw_dir, args.out / "before", args.out / "after")
    print(f"data: {counts}, cut at {cut}", flush=True)
    runs: dict[str, list[Run]] = {"full": [], "yesterday": [], "one new day": [], "nothing new": []}
    for n in range(args.runs):
        runs["full"].append(
            build(args.out / f"full_{n}", args.out / "after", args.memory_limit, True)
        )
        print(f"full {n}: {runs['full'][-1]}", flush=True)
        work = args.out / f"incremental_{n}"
        runs["yesterday"].append(build(work, args.out / "before", args.memory_limit, True))
        print(f"yesterday {n}: {runs['yesterday'][-1]}", flush=True)
        extra = () if args.with_unit_tests else ("--exclude-resource-type", "unit_test")
        # the same command twice on the same database: the day appended, then nothing new
        for label in ("one new day", "nothing new"):
            runs[label].append(build(work, args.out / "after", args.memory_limit, False, extra))
            print(f"{label} {n}: {runs[label][-1]}", flush=True)
    differing = differing_tables(
        args.out / "full_0" / "kpi.duckdb", args.out / "incremental_0" / "kpi.duckdb"
    )
    full_cpu = statistics.median(r.cpu_s for r in runs["full"])
    (args.out / f"incremental_result_{args.rows}.json").write_text(
        json.dumps(
            {
                "rows": counts,
                "cut": cut,
                "differing": differing,
                "runs": {k: [asdict(r) for r in v] for k, v in runs.items()},
            },
            indent=2,
        )
    )
    print(
        f"\n{counts['api_calls']:,} api_calls + {counts['game_events']:,} game_events rows, "
        f"cut at {cut}, DuckDB memory_limit {args.memory_limit}\n"
    )
    print(
        "| build | runs | wall s (runs) | CPU s (runs) | median CPU s | CPU / full | peak RSS MB "
        "| load avg before–after |"
    )
    print("|---|---:|---|---|---:|---:|---:|---|")
    for label, rows in runs.items():
        cpu = statistics.median(r.cpu_s for r in rows)
        print(
            f"| {label} | {len(rows)} | {', '.join(f'{r.wall_s:.1f}' for r in rows)} | "
            f"{', '.join(f'{r.cpu_s:.1f}' for r in rows)} | {cpu:.1f} | {cpu / full_cpu:.0%} | "
            f"{max(r.peak_rss_mb for r in rows):.0f} | "
            f"{', '.join(f'{r.load_before:.1f}–{r.load_after:.1f}' for r in rows)} |"
        )
    print("\nre-run vs full build, node seconds by part (run 0):\n")
    manifest = args.out / "full_0" / "target" / "manifest.json"
    full_parts = node_seconds(args.out / "full_0" / "run_results_0.json", manifest)
    # incremental_0's run_results: 0 yesterday, 1 one new day, 2 nothing new
    reruns = [
        node_seconds(args.out / "incremental_0" / f"run_results_{kept}.json", manifest)
        for kept in (1, 2)
    ]
    print("| part | full build s | one new day s | nothing new s |\n|---|---:|---:|---:|")
    for part, seconds in full_parts.items():
        cells = " | ".join(f"{parts.get(part, 0.0):.1f}" for parts in reruns)
        print(f"| {part} | {seconds:.1f} | {cells} |")
    print(f"\ntables differing from the full build: {', '.join(differing) or 'none'}")
    return 0 if not differing else 1


if __name__ == "__main__":
    raise SystemExit(main())
