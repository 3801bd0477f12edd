"""The warehouse file opens in the DuckDB versions users have (1.4 LTS and newer).

duckdb 2.x writes storage v2 by default, which 1.4/1.5 clients refuse ("version number ...").
profiles.yml sets storage_compatibility_version=v1.4.0; this test opens a freshly built
warehouse with a real DuckDB 1.4 client (installed by `make install` into .venv/duckdb14) in a
separate process and reads a mart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
DUCKDB14 = Path(os.environ.get("KPI_TRUST_DUCKDB14_PATH", REPO / ".venv" / "duckdb14"))

READ_WITH_OLD_CLIENT = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
rows = con.execute("select count(*), count(distinct kpi_name) from kpi_daily").fetchall()
print(json.dumps({"version": duckdb.__version__, "rows": rows[0][0], "kpis": rows[0][1]}))
"""


def test_old_duckdb_client_is_installed() -> None:
    if not (DUCKDB14 / "duckdb").is_dir():
        pytest.fail(f"DuckDB 1.4 client missing at {DUCKDB14}: run `make install`")


def test_warehouse_opens_in_duckdb_1_4(small_warehouse) -> None:
    if not (DUCKDB14 / "duckdb").is_dir():
        pytest.fail(f"DuckDB 1.4 client missing at {DUCKDB14}: run `make install`")
    with duckdb.connect(str(small_warehouse.db_path), read_only=True) as con:
        expected_rows = con.execute("select count(*) from kpi_daily").fetchall()[0][0]
    env = {**os.environ, "PYTHONPATH": str(DUCKDB14)}
    proc = subprocess.run(
        [sys.executable, "-c", READ_WITH_OLD_CLIENT, str(small_warehouse.db_path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["version"].startswith("1.4."), result
    assert result["rows"] == expected_rows > 0
    assert result["kpis"] >= 10
