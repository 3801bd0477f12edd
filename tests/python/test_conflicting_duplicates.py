"""Duplicates with conflicting content are their own quality signal, apart from
exact replays, and the copy deduplication keeps is the first ingested one whose times are
possible. The small fixture (where c001 is already replayed exactly) gets, on 2024-03-02, a
second copy of c006 with another status and latency, ingested later, and a copy of c004 with
an ingestion time 26 years before its call (quarantined: it cannot win)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from conftest import REPO, files_env, run_dbt

FIXTURE = REPO / "tests" / "fixtures" / "raw_small"
EXTRA_ROWS = [
    # c006 again, same call time, but a failure with another latency: a conflict
    "c006,2024-03-01 13:00:00,face_match,v2.0,us-east,web,passport,failure,500,internal_error,"
    "900,2024-03-01 20:00:00,b009",
    # c004 again, identical but ingested in 1998: an impossible time, quarantined
    "c004,2024-03-01 11:00:00,face_match,v2.0,eu-west,web,passport,failure,500,internal_error,"
    "80,1998-03-01 11:05:00,b010",
]


def test_conflicting_copies_are_their_own_signal_and_never_win_with_an_impossible_time(
    tmp_path: Path,
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURE, raw)
    with (raw / "api_calls.csv").open("a") as handle:
        handle.write("\n".join(EXTRA_ROWS) + "\n")
    env = files_env(tmp_path, raw)
    run_dbt(
        ["run", "-s", "+int_conflicting_duplicates_profiled_daily", "+int_api_calls_deduplicated"],
        env,
    )
    with duckdb.connect(str(tmp_path / "kpi.duckdb"), read_only=True) as con:
        signal = con.sql(
            "select signal_date, numerator, denominator "
            "from intermediate.int_conflicting_duplicates_profiled_daily "
            "where dataset = 'api_calls' and slice_dimension = 'all' and numerator > 0"
        ).fetchall()
        kept = dict(
            con.sql(
                "select call_id, status from intermediate.int_api_calls_deduplicated "
                "where call_id in ('c004', 'c006')"
            ).fetchall()
        )
        quarantined = con.sql(
            "select quarantine_reason from staging.stg_api_gateway__api_calls "
            "where call_id = 'c004' and ingested_at < '2000-01-01'"
        ).fetchall()
    # both copies of c006 conflict; the exact replay of c001 is not a conflict
    assert [(str(day), numerator) for day, numerator, _ in signal] == [("2024-03-01", 2.0)]
    assert kept == {"c006": "success", "c004": "success"}
    assert quarantined == [("event_after_ingestion",)]
