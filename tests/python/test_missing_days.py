"""A whole day missing from a log is not a silent disappearance: the build warns
with the dataset and the day (tests/staging/assert_no_day_missing_from_a_log.sql)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from conftest import files_env, generate_raw, run_dbt


def test_a_day_missing_from_one_log_is_named(tmp_path: Path) -> None:
    raw = generate_raw(tmp_path / "raw", days=8, api_calls_per_day=50, players=200)
    events = pd.read_csv(raw / "game_events.csv", dtype=str, keep_default_na=False)
    lost = events["event_at"].str.startswith("2026-07-04")
    assert lost.any()
    events[~lost].to_csv(raw / "game_events.csv", index=False)
    env = files_env(tmp_path, raw)
    run_dbt(["run", "-s", "stg_api_gateway__api_calls", "stg_game_telemetry__game_events"], env)
    run_dbt(["test", "-s", "assert_no_day_missing_from_a_log"], env)
    with duckdb.connect(str(tmp_path / "kpi.duckdb"), read_only=True) as con:
        missing = con.sql(
            "select dataset, cast(missing_day as varchar) "
            "from audit.assert_no_day_missing_from_a_log"
        ).fetchall()
    assert missing == [("game_events", "2026-07-04")]
