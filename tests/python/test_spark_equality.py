"""Spark equality (CI-sized): the same dbt project built on Spark gives the same numbers as DuckDB.

A small generated dataset (21 days, 300 API calls a day, 2,000 players) is read as CSV files
(files mode) by both engines: DuckDB through dbt-duckdb in this process, Spark through
dbt-spark's session method (pyspark, local[2]) in .venv-spark (`make install-spark`), in one
subprocess (`python -m kpi_trust.spark_build --steps`: one JVM for the three Spark builds).

What is built: the models and seeds the compared tables read (`--select +kpi_daily
+quality_signals_daily +kpi_trust_daily +dataset_trust_daily --resource-type model
--resource-type seed`), on both engines. The data tests are not run here (a Spark build runs each
as a few statements of a few seconds): so `dbt_test_results` is empty on both and the trust
scores compare like with like; the full Spark build with every data test and unit test is
test_spark_full.py (marker `spark_full`, `make test-spark-full`).

Asserted: `kpi_daily`, `quality_signals_daily`, `kpi_trust_daily` and `dataset_trust_daily` hold
the same rows (by key) with every value equal, numbers within 1e-9 relative; and on Spark the
marts built from the log as it stood before its last ingestion day, then brought up to date by an
incremental run (one new day), equal the full build.

The raw logs as Parquet files: staging on Spark numbers each row by its position in the file
(`_metadata.row_index`), the same `source_row_number` DuckDB reads (`file_row_number`).

Great Expectations is on for both engines: on DuckDB the dbt Python model, on Spark GE's Spark
execution engine run by `python -m kpi_trust.spark_build` inside the build (docs/spark.md);
`gx_validation_results` must hold the same rows, and the trust tables read that GE evidence.

Marked `spark`: `make test-spark` runs it (and `.ci/run`); `make test` leaves it out. Skipped
when Java 17 or .venv-spark is missing.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT, REPO, files_env, generate_raw, run_dbt

SPARK_VENV = Path(os.environ.get("KPI_TRUST_SPARK_VENV", REPO / ".venv-spark"))
SPARK_PYTHON = SPARK_VENV / "bin" / "python"
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
# The CI-sized build, the same on both engines: the compared tables, every model and seed they
# read, no data tests (the full build with tests: test_spark_full.py).
CI_SELECT = [
    "--select",
    *(f"+{table}" for table in TABLES),
    "--resource-type",
    "model",
    "--resource-type",
    "seed",
]
# The Spark schema of the marts of the incremental check (staging and intermediate models keep
# their schemas: the incremental steps run after the full build and replace them).
INCREMENTAL_SCHEMA = "kpi_trust_incremental"


def java_home() -> str | None:
    """A Java 17+ home: JAVA_HOME, else `java` on PATH, else Debian's /usr/lib/jvm/java-17|21-*
    (installed but not on PATH, as on machines where `make` did not install it)."""
    if os.environ.get("JAVA_HOME") and (Path(os.environ["JAVA_HOME"]) / "bin" / "java").exists():
        return os.environ["JAVA_HOME"]
    on_path = shutil.which("java")
    if on_path:
        return str(Path(os.path.realpath(on_path)).parents[1])
    for pattern in ("/usr/lib/jvm/java-17-*/bin/java", "/usr/lib/jvm/java-21-*/bin/java"):
        found = sorted(glob.glob(pattern))
        if found:
            return str(Path(found[0]).parents[1])
    return None


def requires_spark(test, marker: str = "spark"):
    """Mark `test` as a Spark test (`marker`), skipped without Java or .venv-spark."""
    skip = pytest.mark.skipif(
        not (java_home() and SPARK_PYTHON.exists()),
        reason="needs Java 17 and .venv-spark (make install-spark)",
    )
    return getattr(pytest.mark, marker)(skip(test))


def spark_env(work: Path, raw_dir: Path, **extra: str) -> dict[str, str]:
    """Env of a dbt-spark build reading `raw_dir`'s CSV files, every output under `work`."""
    env = files_env(work, raw_dir, "csv", KPI_TRUST_GX="off")
    env.update(
        KPI_TRUST_TARGET="spark",
        KPI_TRUST_SPARK_DIR=str(work / "spark"),
        DBT_TARGET_PATH=str(work / "spark-target"),
        DBT_LOG_PATH=str(work / "spark-logs"),
        # the many small statements of a build wait on the JVM more than on the cores
        KPI_TRUST_THREADS="4",
        JAVA_HOME=java_home() or "",
        DBT_PROFILES_DIR=str(REPO),
    )
    env.update(extra)
    return env


def start_spark_steps(
    steps: list[tuple[list[str], dict[str, str]]], work: Path, log: Path
) -> subprocess.Popen:
    """Start .venv-spark's `python -m kpi_trust.spark_build --steps`: the dbt commands
    `steps` ((args, env) each) one after another in one process and one Spark session."""
    plan = [
        {"args": [*args, "--project-dir", str(PROJECT), "--profiles-dir", str(REPO)], "env": env}
        for args, env in steps
    ]
    plan_file = work / f"{log.stem}.steps.json"
    plan_file.write_text(json.dumps(plan, indent=1))
    handle = log.open("w")
    return subprocess.Popen(
        [str(SPARK_PYTHON), "-m", "kpi_trust.spark_build", "--steps", str(plan_file)],
        env={**os.environ, **steps[0][1]},
        cwd=PROJECT,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def wait_spark_steps(process: subprocess.Popen, log: Path) -> None:
    """Wait for `start_spark_steps`'s process; raise with the failing nodes if it failed."""
    code = process.wait()
    if code != 0:
        lines = log.read_text(errors="replace").splitlines()
        summary = [line for line in lines if " ERROR " in line or "== spark step" in line]
        raise AssertionError(
            f"dbt on Spark failed (exit {code}); log {log}:\n"
            + "\n".join(summary[-20:] or lines[-40:])
        )


def run_spark_steps(steps: list[tuple[list[str], dict[str, str]]], work: Path, log: Path) -> None:
    wait_spark_steps(start_spark_steps(steps, work, log), log)


def read_spark_table(spark_dir: Path, schema: str, table: str) -> pd.DataFrame:
    """A Spark managed table read from its Parquet files (partition columns from the paths)."""
    location = spark_dir / "spark-warehouse" / f"{schema}.db" / table
    with duckdb.connect() as con:
        return con.sql(
            f"select * from read_parquet('{location}/**/*.parquet', hive_partitioning = true, "
            "union_by_name = true)"
        ).df()


def engine_tables(built: dict, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`table` as the DuckDB build and the Spark build (its Parquet files) of `built` hold it."""
    with duckdb.connect(str(built["duckdb"]), read_only=True) as con:
        duck = con.sql(f"select * from main.{table}").df()
    return duck, read_spark_table(built["spark"], "kpi_trust", table)


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


# The incremental check: the marts up to kpi_daily (dbt run), first from the rows landed before
# the last ingestion day, then from the whole log.
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


# The Parquet check: the two staging models (and the seeds they read) from the same logs written
# as Parquet, rebuilt whole after the steps above (staging keeps its schema on Spark).
STAGING = {
    "api_calls": ("stg_api_gateway__api_calls", "call_id"),
    "game_events": ("stg_game_telemetry__game_events", "event_id"),
}
PARQUET_SELECT = [
    "--select",
    *(f"+{model}" for model, _ in STAGING.values()),
    "--resource-type",
    "model",
    "--resource-type",
    "seed",
    "--full-refresh",
]


@pytest.fixture(scope="module")
def parquet_raw_dir(work: Path) -> Path:
    return generate_raw(work / "raw_parquet", fmt="parquet", **DATASET)


@pytest.fixture(scope="module")
def spark_started(work: Path, raw_dir: Path, parquet_raw_dir: Path) -> dict:
    """The Spark builds, started in the background (the DuckDB build runs meanwhile): the CI
    selection from the whole log, then the incremental check's two `dbt run`s (log before its
    last ingestion day, then the whole log: insert_overwrite of the lookback's days) into
    schema INCREMENTAL_SCHEMA, then staging again from the Parquet logs."""
    from test_marts_incremental import LOOKBACK_DAYS, VARS, write_landed_by

    spark = work / "spark_build"
    landed_before = last_full_ingestion_day(raw_dir)
    late_days = 0
    steps = [(["build", *CI_SELECT], spark_env(spark, raw_dir, KPI_TRUST_GX="on"))]
    for step, append_rest in [("first", False), ("incremental", True)]:
        step_raw = work / f"raw_{step}"
        late_days = write_landed_by(raw_dir, step_raw, landed_before, append_rest=append_rest)
        env = spark_env(spark, step_raw, KPI_TRUST_SPARK_SCHEMA=INCREMENTAL_SCHEMA)
        steps.append((["run", *INCREMENTAL_SELECT, *VARS], env))
    parquet_env = spark_env(spark, parquet_raw_dir, KPI_TRUST_RAW_FORMAT="parquet")
    steps.append((["build", *PARQUET_SELECT], parquet_env))
    log = spark / "dbt-spark.log"
    spark.mkdir()
    return {
        "process": start_spark_steps(steps, work, log),
        "log": log,
        "spark": spark / "spark",
        "late_days": late_days,
        "lookback_days": LOOKBACK_DAYS,
    }


@pytest.fixture(scope="module")
def duckdb_warehouse(work: Path, raw_dir: Path) -> Path:
    """The CI selection built on DuckDB from the raw CSV files (GE on, as on Spark)."""
    duck = work / "duckdb"
    duck.mkdir()
    run_dbt(["build", *CI_SELECT], files_env(duck, raw_dir, "csv", KPI_TRUST_GX="on"))
    return duck / "kpi.duckdb"


@pytest.fixture(scope="module")
def built(spark_started: dict, duckdb_warehouse: Path) -> dict:
    """Both builds done (Spark started first, so the two overlap)."""
    wait_spark_steps(spark_started["process"], spark_started["log"])
    return {**spark_started, "duckdb": duckdb_warehouse}


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
def test_spark_table_equals_duckdb(built: dict, table: str):
    duck, spark = engine_tables(built, table)
    assert len(duck) > 0
    assert table_differences(duck, spark, TABLES[table]) == []


@requires_spark
@pytest.mark.parametrize("table", list(INCREMENTAL_TABLES))
def test_spark_incremental_day_equals_full_build(built: dict, table: str):
    # rows landing on the new day are at most lookback_days older than the days loaded before
    assert built["late_days"] <= built["lookback_days"]
    with duckdb.connect(str(built["duckdb"]), read_only=True) as con:
        duck = con.sql(f"select * from main.{table}").df()
    spark = read_spark_table(built["spark"], INCREMENTAL_SCHEMA, table)
    # source_row_number is a row's position in the file read: the appended log lists the rows
    # landed on the last day after the others, so it differs from the generated file's order
    duck, spark = (
        frame.drop(columns="source_row_number", errors="ignore") for frame in (duck, spark)
    )
    assert len(duck) > 0
    assert table_differences(duck, spark, INCREMENTAL_TABLES[table]) == []


@requires_spark
@pytest.mark.parametrize("dataset", list(STAGING))
def test_spark_parquet_rows_numbered_as_in_the_file(
    built: dict, parquet_raw_dir: Path, dataset: str
):
    """A Parquet log staged on Spark: every row, each with its 1-based position in the file
    (the row's id there: the file's id at that position)."""
    model, id_column = STAGING[dataset]
    staged = read_spark_table(built["spark"], "staging", model)
    staged = staged[["source_row_number", id_column]].sort_values("source_row_number")
    path = parquet_raw_dir / f"{dataset}.parquet"
    with duckdb.connect() as con:
        in_file = con.sql(
            f"select file_row_number + 1 as source_row_number, "
            f"nullif(trim(cast({id_column} as varchar)), '') as {id_column} "
            f"from read_parquet('{path}', file_row_number = true) order by 1"
        ).df()
    assert len(in_file) > 1000
    assert staged["source_row_number"].tolist() == in_file["source_row_number"].tolist()
    assert table_differences(in_file, staged.reset_index(drop=True), ["source_row_number"]) == []


@requires_spark
def test_spark_gx_results_equal_duckdb(built: dict):
    """GE on Spark (GE's Spark engine, run by kpi_trust.spark_build inside the build) gives the
    rows GE on DuckDB gives: same expectations, days, counts, observed values and samples of
    unexpected values (each engine's run id and time aside)."""
    duck, spark = engine_tables(built, "gx_validation_results")
    duck, spark = (frame.drop(columns=["run_id", "run_at"]) for frame in (duck, spark))
    assert len(duck) > 0
    assert spark["exception_message"].isna().all()
    assert table_differences(duck, spark, ["expectation_key", "batch_date"]) == []


@requires_spark
def test_spark_build_says_what_it_leaves_out(built: dict):
    # the first step, the CI build (GE on); the incremental steps select no GE model
    log = built["log"].read_text(errors="replace").split("== spark step 2/")[0]
    assert "spark: DuckDB-only, not built here: the dbt Python models" in log
    assert "spark: Great Expectations ran on Spark:" in log
    assert "no Great Expectations evidence" not in log
