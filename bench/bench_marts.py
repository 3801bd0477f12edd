"""Benchmark the marts: dbt (files mode) vs one hand-written DuckDB SQL script, same Parquet files.

    python bench/bench_marts.py [--rows 10000000] [--runs 3] [--out /tmp/kpi_bench_marts]

Generates ~N API calls + ~N game events (90 days, seed 42, all incidents) as Parquet once, then
alternates fresh full builds: `dbt build` of the marts and everything they need, without tests
(KPI_TRUST_RAW_SOURCE=files, so staging reads the Parquet files directly), and
`bench/marts_hand_sql.py` run through the duckdb Python API. Each build runs in its own process
and writes its own new DuckDB file; peak RSS is that process's max resident set. Finally it checks
both kpi_daily tables hold the same numbers and prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DAYS = 90
EVENTS_PER_PLAYER = 14.6  # default behaviour model (see bench_generator.py)
SELECT = ["+kpi_daily", "+api_performance_daily", "+api_error_reasons_daily", "+quarantined_rows"]

# Runs a command and prints the peak RSS (KB) of its process tree's largest process.
MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:]).returncode
seconds = time.perf_counter() - start
print(f"@@ {code} {seconds:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
"""

HAND = """
import sys
sys.path.insert(0, {bench!r})
import duckdb
from marts_hand_sql import script
con = duckdb.connect({db!r})
con.execute(script({raw!r}))
con.close()
"""


def measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one command run in a fresh process; raises on failure."""
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, *cmd], env=env, capture_output=True, text=True
    )
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@ ")]
    if proc.returncode != 0 or not line or line[-1].split()[1] != "0":
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise RuntimeError(f"command failed: {' '.join(cmd[:3])} ...")
    _, _, seconds, rss_kb = line[-1].split()
    return float(seconds), int(rss_kb) / 1024


def generate(raw_dir: Path, rows: int) -> dict[str, int]:
    from kpi_trust.generator import GeneratorConfig
    from kpi_trust.generator import generate as run_generator

    marker = raw_dir / "config.json"
    config = {"seed": 42, "days": DAYS, "api_calls_per_day": round(rows / DAYS),
              "players": round(rows / EVENTS_PER_PLAYER), "fmt": "parquet"}  # fmt: skip
    if marker.exists() and json.loads(marker.read_text()).get("config") == config:
        return json.loads(marker.read_text())["row_counts"]
    result = run_generator(GeneratorConfig(**config), raw_dir)
    (raw_dir / "injected_incidents.csv").unlink(missing_ok=True)  # users' logs have no labels
    marker.write_text(json.dumps({"config": config, "row_counts": result.row_counts}))
    return result.row_counts


def dbt_build(out: Path, raw_dir: Path, run: int) -> tuple[float, float]:
    work = out / f"dbt_{run}"
    (work / "seeds").mkdir(parents=True, exist_ok=True)
    db = work / "kpi.duckdb"
    db.unlink(missing_ok=True)
    env = {
        **os.environ,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_PROFILES_DIR": str(REPO),
        "KPI_TRUST_DB": str(db),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        # files mode: no raw seeds; a relative path inside the project (see the seed-dir guard)
        "KPI_TRUST_SEED_DIR": "data/bench-no-seeds",
        "KPI_TRUST_RAW_SOURCE": "files",
        "KPI_TRUST_RAW_DIR": str(raw_dir),
        "KPI_TRUST_RAW_FORMAT": "parquet",
    }
    cmd = [str(BIN / "dbt"), "build", "--select", *SELECT,
           "--exclude", "resource_type:test", "resource_type:unit_test",
           "--project-dir", str(REPO), "--profiles-dir", str(REPO)]  # fmt: skip
    return measured(cmd, env)


def hand_build(out: Path, raw_dir: Path, run: int) -> tuple[float, float]:
    db = out / f"hand_{run}.duckdb"
    db.unlink(missing_ok=True)
    code = HAND.format(bench=str(Path(__file__).parent), db=str(db), raw=str(raw_dir))
    return measured([sys.executable, "-c", code])


def same_kpis(dbt_db: Path, hand_db: Path) -> str:
    import duckdb

    def close(column: str) -> str:
        return (f"(dk.{column} is not distinct from hk.{column} or abs(dk.{column} - hk.{column})"
                f" <= 1e-9 * greatest(1, abs(hk.{column})))")  # fmt: skip

    with duckdb.connect() as con:
        con.execute(f"attach '{dbt_db}' as d (read_only)")
        con.execute(f"attach '{hand_db}' as h (read_only)")
        rows = con.sql("select count(*) from d.kpi_daily").fetchall()[0][0]
        diff = con.sql(f"""
            select count(*)
            from d.kpi_daily as dk
            full join h.kpi_daily as hk
                using (kpi_name, kpi_date, dimension_name, dimension_value)
            where not ({close("value")} and {close("value_reported")}
                and {close("numerator")} and {close("denominator")})
        """).fetchall()[0][0]
    return f"{rows:,} kpi_daily rows, {diff} differing"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="target rows per log")
    parser.add_argument("--runs", type=int, default=3, help="builds of each kind (alternating)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/kpi_bench_marts"), help="work dir")
    args = parser.parse_args()
    raw_dir = args.out / f"raw_{args.rows}"
    raw_dir.mkdir(parents=True, exist_ok=True)
    counts = generate(raw_dir, args.rows)
    print(f"data: {counts}", flush=True)
    results: dict[str, list[tuple[float, float]]] = {"dbt": [], "hand": []}
    for run in range(args.runs):
        results["hand"].append(hand_build(args.out, raw_dir, run))
        print(f"hand run {run}: {results['hand'][-1]}", flush=True)
        results["dbt"].append(dbt_build(args.out, raw_dir, run))
        print(f"dbt run {run}: {results['dbt'][-1]}", flush=True)
    check = same_kpis(args.out / "dbt_0" / "kpi.duckdb", args.out / "hand_0.duckdb")
    summary = {
        kind: {
            "median_s": statistics.median(s for s, _ in runs),
            "runs_s": [round(s, 1) for s, _ in runs],
            "peak_rss_mb": max(m for _, m in runs),
        }  # fmt: skip
        for kind, runs in results.items()
    }
    ratio = summary["dbt"]["median_s"] / summary["hand"]["median_s"]
    (args.out / "marts_result.json").write_text(
        json.dumps({"rows": counts, "summary": summary, "ratio": ratio, "check": check}, indent=2)
    )
    print(f"\ncheck: {check}\n")
    print("| build | api_calls rows | game_events rows | runs (s) | median s | peak RSS MB |")
    print("|---|---:|---:|---|---:|---:|")
    labels = {"dbt": "dbt build (files mode, no tests)", "hand": "hand-written DuckDB SQL"}
    for kind, label in labels.items():
        s = summary[kind]
        runs = ", ".join(map(str, s["runs_s"]))
        print(
            f"| {label} | {counts['api_calls']:,} | {counts['game_events']:,} | {runs} | "
            f"{s['median_s']:.1f} | {s['peak_rss_mb']:.0f} |"
        )
    print(f"\nratio dbt / hand: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
