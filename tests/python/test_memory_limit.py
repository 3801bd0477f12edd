"""The build's DuckDB memory limit and spill directory come from profiles.yml's env vars.

Why: without a limit DuckDB takes 80 % of the machine's RAM (11 GB measured at 10 M rows per log),
so profiles.yml bounds it (default 2 GB, docs/configuration.md "Memory") and names where it
spills. These tests read the settings back from a dbt connection, the one every model runs on.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import Warehouse, run_dbt

SETTINGS_SQL = (
    "select current_setting('memory_limit') as memory_limit, "
    "current_setting('temp_directory') as temp_directory"
)


def connection_settings(warehouse: Warehouse, work: Path, **env: str) -> tuple[str, str]:
    """(memory_limit, temp_directory) of a dbt connection to a copy of the warehouse."""
    db = work / "kpi.duckdb"
    shutil.copy(warehouse.db_path, db)
    run_env = {
        **warehouse.env,
        "KPI_TRUST_DB": str(db),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        **env,
    }
    result = run_dbt(["show", "--inline", SETTINGS_SQL, "--quiet"], run_env)
    row = result.result.results[0].agate_table.rows[0]
    return str(row[0]), str(row[1])


def test_default_limit_is_2gb_spilling_next_to_the_warehouse(
    small_warehouse: Warehouse, tmp_path: Path
) -> None:
    memory_limit, temp_directory = connection_settings(small_warehouse, tmp_path)
    assert memory_limit == "1.8 GiB"  # DuckDB shows 2 GB (10^9 bytes) in GiB
    assert temp_directory == str(tmp_path / "kpi.duckdb.tmp")


def test_limit_and_spill_directory_follow_the_env_vars(
    small_warehouse: Warehouse, tmp_path: Path
) -> None:
    spill = tmp_path / "spill"
    memory_limit, temp_directory = connection_settings(
        small_warehouse,
        tmp_path,
        KPI_TRUST_MEMORY_LIMIT="1GB",
        KPI_TRUST_TEMP_DIR=str(spill),
    )
    assert memory_limit == "953.6 MiB"
    assert temp_directory == str(spill)
