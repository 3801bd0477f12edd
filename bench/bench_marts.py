"""Benchmark dbt (files mode) against one hand-written DuckDB SQL script (the floor), same Parquet.

    python bench/bench_marts.py [--rows 10000000] [--runs 3] [--scope marts|all]
        [--memory-limit 2GB|default] [--kinds hand,pandas,dbt,spark] [--out /tmp/kpi_bench_marts]

Generates ~N API calls + ~N game events (90 days, seed 42, all incidents, labels removed as for
users' own logs) as Parquet once, then alternates fresh full builds of each kind:

- hand: `bench/marts_hand_sql.py` through the duckdb Python API (the floor);
- pandas: `bench/marts_pandas.py`, the same core marts as a user would write them in pandas;
- dbt: `--scope marts` builds the marts and everything they need without tests, `--scope all`
  the whole project (`dbt build`: every model, every test, Great Expectations), both with
  KPI_TRUST_RAW_SOURCE=files so staging reads the Parquet files directly;
- spark: the same dbt build on Apache Spark (dbt-spark session, local[2], `make install-spark`),
  through `python -m kpi_trust.spark_build build` (Great Expectations on Spark inside it), from
  the same Parquet files (docs/spark.md); Spark has no DuckDB memory_limit.

Each build runs in its own process and writes its own new DuckDB file under the same DuckDB
`memory_limit` (`--memory-limit`; `default` = DuckDB's own, 80 % of RAM). Why CPU seconds: the
machine is shared, and wall time grows with the other users' load while CPU time barely does; so
every row reports wall, CPU (user + system of the process tree) and the load average around the
run, and the ratio to the floor is taken on medians of the same run. Peak RSS is the largest
process's max resident set (for Spark, the JVM's, sampled from /proc: dbt's Python process
never waits for it, so it is not in the OS's child accounting). Finally it checks the kpi_daily
tables hold the same numbers and prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DAYS = 90
EVENTS_PER_PLAYER = 14.6  # default behaviour model (see bench_generator.py)
SELECT = ["+kpi_daily", "+api_performance_daily", "+api_error_reasons_daily", "+quarantined_rows"]

# Runs a command; prints its exit code, wall s, CPU s (user + system of the whole process tree)
# and the peak RSS (KB) of the tree's largest process. A process the command starts but never
# waits for (pyspark's JVM) is not in RUSAGE_CHILDREN, so the tree is also sampled from /proc
# every 0.2 s (each process's own CPU ticks, its VmHWM) and the larger of the two is printed.
MEASURE = """
import os, resource, subprocess, sys, time

def tree(root):
    kids = {}
    for pid in os.listdir('/proc'):
        if pid.isdigit():
            try:
                with open(f'/proc/{pid}/stat') as f:
                    fields = f.read().rsplit(')', 1)[1].split()
                kids.setdefault(int(fields[1]), []).append(int(pid))
            except OSError:
                pass
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out

def sample(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        hwm = 0
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    hwm = int(line.split()[1])
        return ticks, hwm
    except (OSError, IndexError, ValueError):
        return None

start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:])
ticks, hwm = {}, 0
while proc.poll() is None:
    for pid in tree(proc.pid):
        got = sample(pid)
        if got:
            ticks[pid] = max(ticks.get(pid, 0), got[0])
            hwm = max(hwm, got[1])
    time.sleep(0.2)
code = proc.returncode
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = max(usage.ru_utime + usage.ru_stime, sum(ticks.values()) / os.sysconf('SC_CLK_TCK'))
print(f"@@ {code} {seconds:.3f} {cpu:.3f} {max(usage.ru_maxrss, hwm)}")
"""

HAND = """
import sys
sys.path.insert(0, {bench!r})
import duckdb
from marts_hand_sql import script
con = duckdb.connect({db!r})
if {memory_limit!r} != "default":
    con.execute("set memory_limit = '{memory_limit}'")
con.execute(script({raw!r}))
con.close()
"""


@dataclass(frozen=True)
class Run:
    """One measured build: wall and CPU seconds, peak RSS, load average before and after."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    load_before: float
    load_after: float


def measured(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """One command run in a fresh process, measured; raises on failure (with its output tail)."""
    load_before = os.getloadavg()[0]
    proc = subprocess.run(
        ["nice", "-n", "10", sys.executable, "-c", MEASURE, *cmd],
        env=env,
        capture_output=True,
        text=True,
    )
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@ ")]
    if proc.returncode != 0 or not line or line[-1].split()[1] != "0":
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise RuntimeError(f"command failed: {' '.join(cmd[:3])} ...")
    _, _, seconds, cpu, rss_kb = line[-1].split()
    return Run(float(seconds), float(cpu), int(rss_kb) / 1024, load_before, os.getloadavg()[0])


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


def files_env(work: Path, raw_dir: Path) -> dict[str, str]:
    """The env both engines' builds share: files mode from `raw_dir`'s Parquet, every output
    (target, logs, GE) under `work`."""
    return {
        **os.environ,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        # files mode: no raw seeds; a relative path inside the project (see the seed-dir guard)
        "KPI_TRUST_SEED_DIR": "data/bench-no-seeds",
        "KPI_TRUST_RAW_SOURCE": "files",
        "KPI_TRUST_RAW_DIR": str(raw_dir),
        "KPI_TRUST_RAW_FORMAT": "parquet",
        "KPI_TRUST_GX_DIR": str(work / "gx"),
        "KPI_TRUST_GX_DATA_DOCS": "0",
    }


def build_args(scope: str) -> list[str]:
    """`dbt build`'s arguments after the command: the project, and for scope 'marts' the marts
    and what they need, without tests."""
    args = ["--project-dir", str(REPO), "--profiles-dir", str(REPO)]
    if scope == "marts":
        args += ["--select", *SELECT, "--exclude", "resource_type:test", "resource_type:unit_test"]
    return args


def dbt_build(out: Path, raw_dir: Path, run: int, scope: str, memory_limit: str) -> Run:
    """A fresh `dbt build` (scope 'marts': the marts without tests; 'all': everything)."""
    work = out / f"dbt_{run}"
    (work / "seeds").mkdir(parents=True, exist_ok=True)
    env = {
        **files_env(work, raw_dir),
        "KPI_TRUST_DB": str(fresh_db(work / "kpi.duckdb")),
        "KPI_TRUST_MEMORY_LIMIT": "80%" if memory_limit == "default" else memory_limit,
    }
    return measured([str(BIN / "dbt"), "build", *build_args(scope)], env)


def spark_build(out: Path, raw_dir: Path, run: int, scope: str) -> Run:
    """The same build on Apache Spark (dbt-spark session, local[2], .venv-spark; docs/spark.md),
    run as a user would (`python -m kpi_trust.spark_build build`: Great Expectations on Spark
    inside the build), reading the same Parquet files; its own metastore and warehouse dir."""
    work = out / f"spark_{run}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {
        **files_env(work, raw_dir),
        "KPI_TRUST_TARGET": "spark",
        "KPI_TRUST_SPARK_DIR": str(work / "spark"),
        "KPI_TRUST_SPARK_MASTER": "local[2]",
        "KPI_TRUST_THREADS": "4",
        # Java 17 as `make java` finds it (JAVA_HOME, else Debian's /usr/lib/jvm)
        "JAVA_HOME": os.environ.get("JAVA_HOME")
        or next(iter(sorted(glob.glob("/usr/lib/jvm/java-17-*"))), ""),
    }
    python = Path(os.environ.get("KPI_TRUST_SPARK_VENV", REPO / ".venv-spark")) / "bin" / "python"
    return measured([str(python), "-m", "kpi_trust.spark_build", "build", *build_args(scope)], env)


def fresh_db(db: Path) -> Path:
    """`db` with no file, WAL or spill directory left by an earlier (maybe failed) run.

    A WAL left beside a deleted database file is replayed into the new one: a failed run's
    half-written tables would come back.
    """
    db.unlink(missing_ok=True)
    db.with_name(db.name + ".wal").unlink(missing_ok=True)
    shutil.rmtree(db.with_name(db.name + ".tmp"), ignore_errors=True)
    return db


def hand_build(out: Path, raw_dir: Path, run: int, memory_limit: str) -> Run:
    """The hand-written DuckDB script in a fresh process (the floor)."""
    db = fresh_db(out / f"hand_{run}.duckdb")
    code = HAND.format(
        bench=str(Path(__file__).parent), db=str(db), raw=str(raw_dir), memory_limit=memory_limit
    )
    return measured([sys.executable, "-c", code])


def pandas_build(out: Path, raw_dir: Path, run: int) -> Run:
    """bench/marts_pandas.py in a fresh process (pandas has no memory limit to set)."""
    db = fresh_db(out / f"pandas_{run}.duckdb")
    return measured([sys.executable, str(BENCH / "marts_pandas.py"), str(raw_dir), str(db)])


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


LABELS = {
    "hand": "hand-written DuckDB SQL (floor)",
    "pandas": "pandas script, same core marts",
    "dbt": "dbt build",
    "spark": "dbt build on Spark local[2]",
}


def built_db(out: Path, kind: str) -> Path:
    """The DuckDB file the first build of `kind` wrote."""
    return out / "dbt_0" / "kpi.duckdb" if kind == "dbt" else out / f"{kind}_0.duckdb"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="target rows per log")
    parser.add_argument("--runs", type=int, default=3, help="builds of each kind (alternating)")
    parser.add_argument(
        "--scope",
        choices=["marts", "all"],
        default="marts",
        help="dbt builds the marts without tests, or everything",
    )
    parser.add_argument(
        "--memory-limit",
        default="2GB",
        help="DuckDB memory_limit of every build; 'default': DuckDB's 80%% of RAM",
    )
    parser.add_argument(
        "--kinds", default="hand,dbt", help="comma list of hand, pandas, dbt, spark"
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/kpi_bench_marts"), help="work dir")
    args = parser.parse_args()
    kinds = [kind for kind in args.kinds.split(",") if kind]
    if unknown := set(kinds) - set(LABELS):
        parser.error(f"--kinds: unknown {', '.join(sorted(unknown))} (hand, pandas, dbt, spark)")
    raw_dir = args.out / f"raw_{args.rows}"
    raw_dir.mkdir(parents=True, exist_ok=True)
    counts = generate(raw_dir, args.rows)
    print(f"data: {counts}", flush=True)
    builders = {
        "hand": lambda run: hand_build(args.out, raw_dir, run, args.memory_limit),
        "pandas": lambda run: pandas_build(args.out, raw_dir, run),
        "dbt": lambda run: dbt_build(args.out, raw_dir, run, args.scope, args.memory_limit),
        "spark": lambda run: spark_build(args.out, raw_dir, run, args.scope),
    }
    results: dict[str, list[Run]] = {kind: [] for kind in kinds}
    for run in range(args.runs):
        for kind in kinds:
            results[kind].append(builders[kind](run))
            print(f"{kind} run {run}: {results[kind][-1]}", flush=True)
    checks = [
        f"{kind}: " + same_kpis(built_db(args.out, kind), args.out / "hand_0.duckdb")
        for kind in kinds
        if kind not in ("hand", "spark") and "hand" in kinds
    ]
    summary = {
        kind: {
            "median_wall_s": statistics.median(r.wall_s for r in runs),
            "median_cpu_s": statistics.median(r.cpu_s for r in runs),
            "peak_rss_mb": max(r.peak_rss_mb for r in runs),
            "runs": [asdict(r) for r in runs],
        }
        for kind, runs in results.items()
    }
    floor = summary.get("hand", {}).get("median_cpu_s")
    (args.out / f"marts_result_{args.rows}_{args.scope}_{args.memory_limit}.json").write_text(
        json.dumps(
            {
                "rows": counts,
                "scope": args.scope,
                "memory_limit": args.memory_limit,
                "summary": summary,
                "checks": checks,
            },
            indent=2,
        )
    )
    print("\n" + "\n".join(f"check {c}" for c in checks) + "\n")
    print(
        f"scope {args.scope}, DuckDB memory_limit {args.memory_limit}, "
        f"{counts['api_calls']:,} api_calls + {counts['game_events']:,} game_events rows\n"
    )
    print(
        "| build | runs | wall s (runs) | median wall s | median CPU s | CPU / floor "
        "| peak RSS MB | load avg (1 min, before–after) |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---|")
    for kind, runs in results.items():
        s = summary[kind]
        label = LABELS[kind] + (f" ({args.scope})" if kind in ("dbt", "spark") else "")
        walls = ", ".join(f"{r.wall_s:.1f}" for r in runs)
        loads = ", ".join(f"{r.load_before:.1f}–{r.load_after:.1f}" for r in runs)
        ratio = f"{s['median_cpu_s'] / floor:.2f}x" if floor else "–"
        print(
            f"| {label} | {len(runs)} | {walls} | {s['median_wall_s']:.1f} | "
            f"{s['median_cpu_s']:.1f} | {ratio} | {s['peak_rss_mb']:.0f} | {loads} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
