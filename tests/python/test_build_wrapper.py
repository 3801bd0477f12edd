"""`kpi-trust build` (scripts/kpi_trust/build.py): operational errors end in one or two clear
lines naming the cause and what to do, never in a Python traceback alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kpi_trust.build import diagnose, strip_tracebacks

KPI_TRUST = Path(sys.executable).parent / "kpi-trust"
REPO = Path(__file__).resolve().parents[2]


def build(db_path: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "KPI_TRUST_DB": str(db_path), "DBT_LOG_PATH": str(tmp_path / "logs")}
    return subprocess.run(
        [KPI_TRUST, "build"], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_a_warehouse_held_by_another_process_is_named_with_its_holder(tmp_path):
    db_path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db_path)!r}); "
         "print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = build(db_path, tmp_path)
    finally:
        holder.kill()
    assert result.returncode == 2
    assert "is open in another process" in result.stderr
    assert f"PID {holder.pid}" in result.stderr
    assert "KPI_TRUST_DB" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


def test_a_file_that_is_not_duckdb_is_named(tmp_path):
    db_path = tmp_path / "damaged.duckdb"
    db_path.write_bytes(b"\x00not a database" * 500)
    result = build(db_path, tmp_path)
    assert result.returncode == 2
    assert f"{db_path} is not a DuckDB database" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_known_causes_in_dbt_output_become_one_line():
    full_disk = "Runtime Error\n  IO Error: could not write file: No space left on device\n"
    assert diagnose(full_disk).startswith("the disk is full (No space left on device)")
    lock = (
        'IO Error: Could not set lock on file "/w/kpi.duckdb": Conflicting lock is held in '
        "/usr/bin/python3 (PID 42). See also https://duckdb.org/docs/current/connect/concurrency"
    )
    assert diagnose(lock).startswith(
        "the warehouse /w/kpi.duckdb is open in another process (/usr/bin/python3 (PID 42))"
    )
    assert diagnose("Raw log 'api_calls' (file x.csv) has no data rows").startswith("Raw log")
    missing_seed = (
        "Model 'model.kpi_trust.stg_ground_truth__injected_incidents' (models/...) depends on a "
        "node named 'injected_incidents' which was not found"
    )
    assert diagnose(missing_seed).startswith("no raw log 'injected_incidents' in the seed folder")
    assert diagnose("Completed successfully") is None


def test_tracebacks_are_kept_out_of_the_console_but_their_exception_is_shown():
    lines = [
        "12:00:01  1 of 3 OK\n",
        "Traceback (most recent call last):\n",
        '  File "x.py", line 1, in <module>\n',
        "    raise ValueError('bad')\n",
        "ValueError: bad\n",
        "12:00:02  2 of 3 ERROR\n",
    ]
    assert list(strip_tracebacks(lines)) == [lines[0], "ValueError: bad\n", lines[5]]
