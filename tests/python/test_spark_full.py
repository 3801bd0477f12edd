"""The full Spark build: every model, data test and unit test that makes sense on Spark passes
there, and the main tables equal DuckDB's full build of the same files.

The slow companion of test_spark_equality.py (which builds only the models the compared tables
read, for CI): a full `dbt build` on Spark runs ~350 nodes, ~270 of them data tests of a few
statements each, so it takes 10-25 minutes on 2 loaded cores (docs/testing.md). Marked
`spark_full`: `make test-spark-full` runs it; neither `make test` nor `make test-spark` does.
Same dataset, same comparison (1e-9 relative) as the CI test, with Great Expectations ON on
both engines: on DuckDB the dbt Python model, on Spark GE's Spark execution engine run by
`python -m kpi_trust.spark_build` inside the build (docs/spark.md). `gx_validation_results` must
hold the same rows on both (all but `run_id` and `run_at`, the invocation's id and time), and the
trust tables, which read that GE evidence, must be equal (as in the CI-sized test, here with
every data test's results in the trust evidence too).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import files_env, generate_raw, run_dbt
from test_spark_equality import (
    DATASET,
    TABLES,
    engine_tables,
    requires_spark,
    run_spark_steps,
    spark_env,
    table_differences,
)


def requires_spark_full(test):
    """Marker `spark_full` (not `spark`: `make test-spark` leaves these out)."""
    return requires_spark(test, marker="spark_full")


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spark_full")


@pytest.fixture(scope="module")
def built(work: Path) -> dict[str, Path]:
    """The whole project built on DuckDB and on Spark from the same raw CSV files."""
    raw_dir = generate_raw(work / "raw", **DATASET)
    duck = work / "duckdb"
    duck.mkdir()
    run_dbt(["build"], files_env(duck, raw_dir, "csv", KPI_TRUST_GX="on"))
    spark = work / "spark_build"
    spark.mkdir()
    log = spark / "dbt-spark.log"
    run_spark_steps([(["build"], spark_env(spark, raw_dir, KPI_TRUST_GX="on"))], work, log)
    return {"duckdb": duck / "kpi.duckdb", "spark": spark / "spark", "log": log}


@requires_spark_full
@pytest.mark.parametrize("table", list(TABLES))
def test_full_spark_build_table_equals_duckdb(built: dict[str, Path], table: str):
    duck, spark = engine_tables(built, table)
    assert len(duck) > 0
    assert table_differences(duck, spark, TABLES[table]) == []


@requires_spark_full
def test_full_spark_build_gx_results_equal_duckdb(built: dict[str, Path]):
    """GE on Spark gives the rows GE on DuckDB gives: same expectations, days, counts, observed
    values and samples of unexpected values (each engine's run id and time aside)."""
    duck, spark = engine_tables(built, "gx_validation_results")
    duck, spark = (frame.drop(columns=["run_id", "run_at"]) for frame in (duck, spark))
    assert len(duck) > 0
    assert spark["exception_message"].isna().all()
    assert table_differences(duck, spark, ["expectation_key", "batch_date"]) == []


@requires_spark_full
def test_full_spark_build_ran_tests_and_says_what_it_leaves_out(built: dict[str, Path]):
    log = built["log"].read_text(errors="replace")
    assert "spark: DuckDB-only, not built here: the dbt Python models" in log
    assert "spark: Great Expectations ran on Spark:" in log
    assert "no Great Expectations evidence" not in log
    # data tests and unit tests ran (and passed: the build succeeded)
    assert " PASS " in log and "unit_test" in log
