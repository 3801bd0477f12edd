"""Spark equality: the same dbt project built on Spark gives the same numbers as on DuckDB.

A small generated dataset (21 days, 300 API calls a day, 2,000 players) is read as CSV files
(files mode) by both engines: DuckDB through dbt-duckdb in this process, Spark through
dbt-spark's session method (pyspark, local[2]) in its own venv (`make install-spark`,
.venv-spark) as a subprocess. The main tables must be equal: same rows (by key) and every value
equal, numbers within 1e-9 relative. And on Spark, the marts built from the log as it stood the
day before and then brought up to date by an incremental run (one new ingestion day) must equal
the full build.

Great Expectations runs inside `dbt build` as a dbt Python model, which dbt-spark runs on
Databricks only; so both builds run with KPI_TRUST_GX=off (no GE evidence), and the trust
scores compare like with like (docs/spark.md).

The Spark tests are marked `spark`: a Spark build took 19-21 minutes on 2 loaded cores (JVM start,
then ~350 nodes of a few seconds each), so `make test` leaves them out and `make test-spark`
runs them. Skipped when Java or .venv-spark is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT, REPO, files_env, generate_raw, run_dbt

SPARK_DBT = Path(os.environ.get("KPI_TRUST_SPARK_VENV", REPO / ".venv-spark")) / "bin" / "dbt"
DATASET = {"seed": 7, "days": 21, "api_calls_per_day": 300, "players": 2000}
RELATIVE_TOLERANCE = 1e-9
# A value of 0 on one engine may be a rounding residue (1e-17) on the other.
ABSOLUTE_FLOOR = 1e-12

# table -> key columns (one row per key on both engines)
TABLES = {
    "kpi_daily": ["kpi_name", "dimension_name", "dimension_value", "kpi_date"],
    "quality_signals_daily": ["quality_signal_id"],
    "kpi_trust_daily": ["kpi_trust_id"],
    "dataset_trust_daily": ["dataset_trust_id"],
}


def _java_available() -> bool:
    if os.environ.get("JAVA_HOME") and (Path(os.environ["JAVA_HOME"]) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


def requires_spark(test):
    """Mark `test` as a Spark test (marker `spark`), skipped without Java or .venv-spark."""
    skip = pytest.mark.skipif(
        not (_java_available() and SPARK_DBT.exists()),
        reason="needs Java 17 and .venv-spark (make install-spark)",
    )
    return pytest.mark.spark(skip(test))


def spark_env(work: Path, raw_dir: Path) -> dict[str, str]:
    """Env of a dbt-spark build reading `raw_dir`'s CSV files, every output under `work`."""
    env = files_env(work, raw_dir, "csv", KPI_TRUST_GX="off")
    env.update(
        KPI_TRUST_TARGET="spark",
        KPI_TRUST_SPARK_DIR=str(work / "spark"),
        DBT_TARGET_PATH=str(work / "spark-target"),
        DBT_LOG_PATH=str(work / "spark-logs"),
        # the many small statements of a build wait on the JVM more than on the cores
        KPI_TRUST_THREADS="4",
    )
    return env


def run_spark_dbt(args: list[str], env: dict[str, str], log: Path) -> None:
    """Run .venv-spark's dbt with `env` (added to this process's), output to `log`."""
    with log.open("w") as handle:
        completed = subprocess.run(
            [str(SPARK_DBT), *args, "--project-dir", str(PROJECT), "--profiles-dir", str(REPO)],
            env={**os.environ, **env},
            cwd=PROJECT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if completed.returncode != 0:
        lines = log.read_text(errors="replace").splitlines()
        summary = [line for line in lines if " ERROR " in line or " FAIL " in line][:20]
        raise AssertionError(
            f"dbt-spark {' '.join(args)} failed (exit {completed.returncode}); log {log}:\n"
            + "\n".join(summary or lines[-40:])
        )


def read_spark_table(spark_dir: Path, schema: str, table: str) -> pd.DataFrame:
    """A Spark managed table read from its Parquet files (partition columns from the paths)."""
    location = spark_dir / "spark-warehouse" / f"{schema}.db" / table
    with duckdb.connect() as con:
        return con.sql(
            f"select * from read_parquet('{location}/**/*.parquet', hive_partitioning = true, "
            "union_by_name = true)"
        ).df()


def table_differences(
    left: pd.DataFrame, right: pd.DataFrame, key: list[str], rel: float = RELATIVE_TOLERANCE
) -> list[str]:
    """What differs between two tables with the same key: missing rows or values (numbers
    within `rel` relative, with an absolute floor for zeros); [] when equal."""
    problems: list[str] = []
    if sorted(left.columns) != sorted(right.columns):
        return [f"columns differ: {sorted(left.columns)} vs {sorted(right.columns)}"]
    for frame in (left, right):
        for column in key:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].dt.date
            frame[column] = frame[column].astype(str)
    for name, frame in (("duckdb", left), ("spark", right)):
        duplicated = frame.duplicated(key).sum()
        if duplicated:
            problems.append(f"{name}: {duplicated} duplicated keys")
    merged = left.merge(right, on=key, how="outer", suffixes=("_l", "_r"), indicator=True)
    for side, label in (("left_only", "only on duckdb"), ("right_only", "only on spark")):
        rows = merged[merged["_merge"] == side]
        if len(rows):
            problems.append(f"{len(rows)} rows {label}, e.g. {rows[key].head(3).values.tolist()}")
    both = merged[merged["_merge"] == "both"]
    for column in [c for c in left.columns if c not in key]:
        a, b = both[f"{column}_l"], both[f"{column}_r"]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            a, b = a.astype(float).to_numpy(), b.astype(float).to_numpy()
            same = (np.isnan(a) & np.isnan(b)) | np.isclose(
                a, b, rtol=rel, atol=ABSOLUTE_FLOOR, equal_nan=False
            )
        else:
            a = a.map(lambda v: None if v is None or v is pd.NA or v != v else str(v))
            b = b.map(lambda v: None if v is None or v is pd.NA or v != v else str(v))
            same = (a.isna() & b.isna()) | (a == b)
            same = np.asarray(same, dtype=bool)
        if not same.all():
            rows = both[~same]
            example = rows[[*key, f"{column}_l", f"{column}_r"]].head(3).values.tolist()
            problems.append(f"{column}: {int((~same).sum())} values differ, e.g. {example}")
    return problems


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spark_equality")


@pytest.fixture(scope="module")
def raw_dir(work: Path) -> Path:
    return generate_raw(work / "raw", **DATASET)


@pytest.fixture(scope="module")
def duckdb_warehouse(work: Path, raw_dir: Path) -> Path:
    """The whole project built on DuckDB from the raw CSV files (GE off, as on Spark)."""
    duck = work / "duckdb"
    duck.mkdir()
    run_dbt(["build"], files_env(duck, raw_dir, "csv", KPI_TRUST_GX="off"))
    return duck / "kpi.duckdb"


@pytest.fixture(scope="module")
def built(work: Path, raw_dir: Path, duckdb_warehouse: Path) -> dict[str, Path]:
    """The whole project built on Spark from the same files, beside the DuckDB build."""
    spark = work / "spark_build"
    spark.mkdir()
    run_spark_dbt(["build"], spark_env(spark, raw_dir), spark / "dbt-spark.log")
    return {"duckdb": duckdb_warehouse, "spark": spark / "spark", "log": spark / "dbt-spark.log"}


# The incremental run: the marts up to kpi_daily (dbt run, no tests: the full build above runs
# them), first from the rows landed before the last ingestion day, then from the whole log.
INCREMENTAL_SELECT = ["--select", "+kpi_daily"]
INCREMENTAL_TABLES = {
    "kpi_daily": TABLES["kpi_daily"],
    "fct_api_calls": ["call_id"],
    "fct_game_events": ["event_id"],
    "game_kpis_daily": ["event_date", "dimension_name", "dimension_value"],
    "api_performance_rollup_daily": ["call_date", "dimension_name", "dimension_value"],
}


def last_full_ingestion_day(raw_dir: Path) -> pd.Timestamp:
    """The start of the last day on which api_calls landed at least half an average day's rows
    (a few rows may land after midnight of the last day: that is not a day of data)."""
    ingested = pd.read_csv(raw_dir / "api_calls.csv", usecols=["ingested_at"], dtype=str)
    days = pd.to_datetime(ingested["ingested_at"], errors="coerce", format="ISO8601").dt.normalize()
    counts = days.value_counts()
    return counts[counts >= counts.mean() / 2].index.max()


@pytest.fixture(scope="module")
def spark_incremental(work: Path, raw_dir: Path) -> Path:
    """Spark warehouse built from the log as it stood before its last ingestion day, then
    brought up to date by an incremental run (insert_overwrite of the lookback's days)."""
    from test_marts_incremental import LOOKBACK_DAYS, VARS, write_landed_by

    landed_before = last_full_ingestion_day(raw_dir)
    spark = work / "spark_incremental"
    late_days = 0
    for step, append_rest in [("first", False), ("incremental", True)]:
        step_raw = work / f"raw_{step}"
        late_days = write_landed_by(raw_dir, step_raw, landed_before, append_rest=append_rest)
        env = spark_env(spark, step_raw)
        run_spark_dbt(["run", *INCREMENTAL_SELECT, *VARS], env, work / f"dbt-spark-{step}.log")
    # rows landing on the new day are at most lookback_days older than the days loaded before
    assert late_days <= LOOKBACK_DAYS
    return spark / "spark"


def test_table_differences_sees_a_changed_value():
    left = pd.DataFrame({"k": ["a", "b"], "v": [1.0, 2.0], "s": ["x", None]})
    assert table_differences(left.copy(), left.copy(), ["k"]) == []
    close = left.assign(v=[1.0 + 1e-12, 2.0])
    assert table_differences(left.copy(), close, ["k"]) == []
    changed = left.assign(v=[1.0, 2.0 + 1e-6])
    assert "v: 1 values differ" in table_differences(left.copy(), changed, ["k"])[0]
    renamed = left.assign(s=["x", "y"])
    assert "s: 1 values differ" in table_differences(left.copy(), renamed, ["k"])[0]
    assert "1 rows only on spark" in table_differences(left.iloc[:1].copy(), left.copy(), ["k"])[0]


@requires_spark
@pytest.mark.parametrize("table", list(TABLES))
def test_spark_table_equals_duckdb(built: dict[str, Path], table: str):
    with duckdb.connect(str(built["duckdb"]), read_only=True) as con:
        duck = con.sql(f"select * from main.{table}").df()
    spark = read_spark_table(built["spark"], "kpi_trust", table)
    assert len(duck) > 0
    assert table_differences(duck, spark, TABLES[table]) == []


@requires_spark
@pytest.mark.parametrize("table", list(INCREMENTAL_TABLES))
def test_spark_incremental_day_equals_full_build(
    spark_incremental: Path, duckdb_warehouse: Path, table: str
):
    with duckdb.connect(str(duckdb_warehouse), read_only=True) as con:
        duck = con.sql(f"select * from main.{table}").df()
    spark = read_spark_table(spark_incremental, "kpi_trust", table)
    # source_row_number is a row's position in the file read: the appended log lists the rows
    # landed on the last day after the others, so it differs from the generated file's order
    duck, spark = (
        frame.drop(columns="source_row_number", errors="ignore") for frame in (duck, spark)
    )
    assert len(duck) > 0
    assert table_differences(duck, spark, INCREMENTAL_TABLES[table]) == []


@requires_spark
def test_spark_build_says_what_it_leaves_out(built: dict[str, Path]):
    log = built["log"].read_text(errors="replace")
    assert "spark: DuckDB-only, not built here: the dbt Python models" in log
    assert "spark: no Great Expectations evidence in this build" in log
