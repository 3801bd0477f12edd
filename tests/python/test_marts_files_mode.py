"""Files mode: staging reads Parquet logs directly through DuckDB, and a raw dir
without labels (users' own logs) still builds. The marts equal the seed-mode build."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from conftest import dbt_env, run_dbt

SELECT = [
    "--select",
    "+kpi_daily",
    "+api_error_reasons_daily",
    "+quarantined_rows",
    "stg_ground_truth__injected_incidents",
    "--indirect-selection",
    "cautious",
]


@pytest.fixture(scope="module")
def files_warehouse(small_warehouse, tmp_path_factory):
    work = tmp_path_factory.mktemp("files_mode")
    raw_dir = work / "raw"
    raw_dir.mkdir()
    empty_seeds = work / "no_seeds"
    empty_seeds.mkdir()
    with duckdb.connect() as con:
        for name in ("api_calls", "game_events"):  # typed Parquet; no injected_incidents file
            con.execute(
                f"copy (select * from read_csv('{small_warehouse.raw_dir / name}.csv')) "
                f"to '{raw_dir / name}.parquet' (format parquet)"
            )
    env = dbt_env(
        work,
        seed_dir=empty_seeds,
        KPI_TRUST_RAW_SOURCE="files",
        KPI_TRUST_RAW_DIR=str(raw_dir),
        KPI_TRUST_RAW_FORMAT="parquet",
    )
    run_dbt(["build", *SELECT], env)
    return work / "kpi.duckdb"


def test_files_mode_marts_equal_seed_mode(small_warehouse, files_warehouse):
    query = "select * from kpi_daily order by all"
    with duckdb.connect(str(files_warehouse), read_only=True) as con:
        files_kpis = con.sql(query).df()
    with duckdb.connect(str(small_warehouse.db_path), read_only=True) as con:
        seed_kpis = con.sql(query).df()
    assert len(files_kpis) > 0
    pd.testing.assert_frame_equal(files_kpis, seed_kpis)


def test_missing_labels_give_an_empty_labels_table(files_warehouse):
    with duckdb.connect(str(files_warehouse), read_only=True) as con:
        labels = con.sql("select count(*) from staging.stg_ground_truth__injected_incidents")
        assert labels.fetchall() == [(0,)]
