"""Users' files in other dialects and formats: the CSV dialect is configured, not
sniffed (KPI_TRUST_CSV_*), `.csv.gz` is read by its extension, a Parquet timestamp WITH TIME ZONE
is read in UTC whatever the machine's zone, and a broken CSV line is named with its file and
line number by `kpi-trust build`. Each case stages the small fixture (~33 API calls) in files
mode."""

from __future__ import annotations

import csv
import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from conftest import REPO, files_env, run_dbt

FIXTURE = REPO / "tests" / "fixtures" / "raw_small"
MODEL = "stg_api_gateway__api_calls"


def _staged(db_path: Path) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(
            f"select call_id, requested_at, latency_ms, quarantine_reason from staging.{MODEL} "
            "order by source_row_number"
        ).fetchall()


def _reference(tmp_path: Path) -> list[tuple]:
    raw = tmp_path / "reference_raw"
    shutil.copytree(FIXTURE, raw)
    work = tmp_path / "reference"
    run_dbt(["run", "-s", MODEL], files_env(work, raw, "csv"))
    return _staged(work / "kpi.duckdb")


def test_semicolon_delimited_gzipped_file_stages_like_the_plain_one(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("api_calls", "game_events"):
        with (FIXTURE / f"{name}.csv").open(newline="") as fin:
            rows = list(csv.reader(fin))
        with gzip.open(raw / f"{name}.csv.gz", "wt", newline="", encoding="utf-8") as fout:
            csv.writer(fout, delimiter=";").writerows(rows)
    work = tmp_path / "work"
    run_dbt(["run", "-s", MODEL], files_env(work, raw, "csv.gz", KPI_TRUST_CSV_DELIMITER=";"))
    staged = _staged(work / "kpi.duckdb")
    assert len(staged) == 33
    assert staged == _reference(tmp_path)


def test_parquet_timestamp_with_time_zone_is_read_in_utc_outside_utc(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    with duckdb.connect() as con:
        con.sql("set TimeZone = 'UTC'")
        for name, column in (("api_calls", "requested_at"), ("game_events", "event_at")):
            con.sql(
                f"copy (select * replace (cast({column} as timestamptz) as {column}) "
                f"from read_csv('{FIXTURE / name}.csv', all_varchar = true) "
                f"where try_cast({column} as timestamp) is not null) "
                f"to '{raw / name}.parquet' (format parquet)"
            )
    work = tmp_path / "work"
    env = {**os.environ, **files_env(work, raw, "parquet"), "TZ": "America/New_York"}
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [dbt, "run", "-s", MODEL, "--project-dir", REPO], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-2000:]
    staged = {row[0]: row for row in _staged(work / "kpi.duckdb")}
    reference = {row[0]: row for row in _reference(tmp_path) if row[1] is not None}
    assert staged.keys() == reference.keys()
    assert all(staged[key][1] == reference[key][1] for key in reference)


def test_a_broken_csv_line_is_named_with_file_and_line(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURE, raw)
    lines = (raw / "api_calls.csv").read_text().splitlines(keepends=True)
    broken = 'c999,"2024-03-01 09:00:00,document_ocr,v1.0,eu-west,web,passport,success,200,,1\n'
    lines.insert(10, broken)  # file line 11: its quote is never closed
    (raw / "api_calls.csv").write_text("".join(lines))
    work = tmp_path / "work"
    env = {**os.environ, **files_env(work, raw, "csv")}
    result = subprocess.run(
        [Path(sys.executable).parent / "kpi-trust", "build", "-s", MODEL],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert f"{raw / 'api_calls.csv'} line 11:" in result.stderr, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
