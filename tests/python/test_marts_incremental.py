"""Incremental staging and marts: an appended log built incrementally equals a full refresh,
and re-running with no new data changes nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import dbt_env, run_dbt

# What this test builds: the incremental models and everything they need.
SELECT = [
    "--select",
    "+kpi_daily",
    "+api_performance_daily",
    "+api_error_reasons_daily",
    "+quarantined_rows",
    "+rca_api_leaf_measures_daily",
    "+rca_game_leaf_measures_daily",
    "+int_quality_rate_signals",
    "+int_event_type_counts_daily",
    "--indirect-selection",
    "cautious",
]
# The quality profiles, incremental by day (macro profile_days_start).
PROFILE_TABLES = [
    "intermediate.int_game_events_flagged",
    "intermediate.int_api_calls_profiled_daily",
    "intermediate.int_game_events_profiled_daily",
    "intermediate.int_conflicting_duplicates_profiled_daily",
    "intermediate.int_event_type_counts_daily",
]
INCREMENTAL_TABLES = [
    "staging.stg_api_gateway__api_calls",
    "staging.stg_game_telemetry__game_events",
    "intermediate.int_api_calls_deduplicated",
    "intermediate.int_game_events_deduplicated",
    "fct_api_calls",
    "fct_game_events",
    "api_performance_daily",
    "api_performance_rollup_daily",
    "api_error_reasons_daily",
    "game_kpis_daily",
    "kpi_daily",
    "rca_api_leaf_measures_daily",
    "rca_game_leaf_measures_daily",
    *PROFILE_TABLES,
]
LOOKBACK_DAYS = 4
VARS = ["--vars", f"{{lookback_days: {LOOKBACK_DAYS}}}"]
TIMESTAMPS = {"api_calls": "requested_at", "game_events": "event_at"}
# The staging and dedup tests: the two logs staged and deduplicated, nothing after them.
# (and the quality profiles, which keep the same bookkeeping column)
STAGED_SELECT = [
    "--select", "+int_api_calls_deduplicated", "+int_game_events_deduplicated",
    "+int_quality_rate_signals", "+int_event_type_counts_daily",
    "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
]  # fmt: skip
STAGED_TABLES = [
    "staging.stg_api_gateway__api_calls", "staging.stg_game_telemetry__game_events",
    "intermediate.int_api_calls_deduplicated", "intermediate.int_game_events_deduplicated",
    *PROFILE_TABLES,
]  # fmt: skip


def snapshot(db_path: Path, tables=INCREMENTAL_TABLES) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {table: con.sql(f"select * from {table} order by all").df() for table in tables}


def logs_as_of_now(small_warehouse, tmp_path: Path):
    """The small warehouse's logs whole, in tmp_path/seeds, and the dbt env reading them."""
    seeds = tmp_path / "seeds"
    write_landed_by(small_warehouse.raw_dir, seeds, pd.Timestamp("2100-01-01"), append_rest=False)
    return seeds, dbt_env(tmp_path, seed_dir=seeds)


def assert_snapshots_equal(left: dict, right: dict) -> None:
    for table in INCREMENTAL_TABLES:
        assert len(left[table]) > 0, table
        pd.testing.assert_frame_equal(
            left[table], right[table], check_exact=False, rtol=1e-12, obj=table
        )


def write_landed_by(raw_dir: Path, out_dir: Path, landed_before: pd.Timestamp, append_rest: bool):
    """The logs as they stood at `landed_before` (rows ingested earlier, file order kept); with
    `append_rest`, the later rows appended after them, as an append-only log grows."""
    out_dir.mkdir(parents=True, exist_ok=True)
    late_days = 0
    for name, timestamp in TIMESTAMPS.items():
        frame = pd.read_csv(raw_dir / f"{name}.csv", dtype=str, keep_default_na=False)
        ingested = pd.to_datetime(frame["ingested_at"], errors="coerce", format="ISO8601")
        landed = ingested < landed_before
        rows = pd.concat([frame[landed], frame[~landed]]) if append_rest else frame[landed]
        rows.to_csv(out_dir / f"{name}.csv", index=False)
        recorded = pd.to_datetime(
            frame[timestamp], errors="coerce", format="ISO8601"
        ).dt.normalize()
        newest_landed = recorded[landed].max()
        late = recorded[~landed & (recorded < newest_landed)]
        if len(late):
            late_days = max(late_days, (newest_landed - late.min()).days)
    (out_dir / "injected_incidents.csv").write_text(
        (raw_dir / "injected_incidents.csv").read_text()
    )
    return late_days


@pytest.fixture(scope="module")
def incremental_runs(small_warehouse, tmp_path_factory):
    """Build day-by-day history: first the rows landed by T, then the full appended log
    (incremental), a second run with nothing new, and finally --full-refresh."""
    work = tmp_path_factory.mktemp("incremental")
    seeds = work / "seeds"
    raw = small_warehouse.raw_dir
    # Cut the history a day after the API late-batch incident: part of that window's rows
    # land only after the cut, so the incremental run has late data to pick up.
    labels = pd.read_csv(raw / "injected_incidents.csv")
    late_batch = labels[(labels.incident_type == "late_batch") & (labels.dataset == "api_calls")]
    assert len(late_batch) == 1, "the small dataset should have one API late_batch incident"
    landed_before = pd.Timestamp(late_batch.end_at.iloc[0]) + pd.Timedelta(days=1)
    env = dbt_env(work, seed_dir=seeds)

    write_landed_by(raw, seeds, landed_before, append_rest=False)
    run_dbt(["build", *SELECT, *VARS], env)
    first = snapshot(work / "kpi.duckdb")

    late_days = write_landed_by(raw, seeds, landed_before, append_rest=True)
    run_dbt(["build", *SELECT, *VARS], env)
    incremental = snapshot(work / "kpi.duckdb")
    run_dbt(["build", *SELECT, *VARS], env)
    rerun = snapshot(work / "kpi.duckdb")
    run_dbt(["build", *SELECT, *VARS, "--full-refresh"], env)
    full = snapshot(work / "kpi.duckdb")
    return {"first": first, "incremental": incremental, "rerun": rerun, "full": full,
            "late_days": late_days}  # fmt: skip


def test_late_rows_fall_inside_the_lookback(incremental_runs):
    # Precondition of the equality below: rows that land after T are at most LOOKBACK_DAYS
    # older than the newest day already loaded (the generator's late batches are <= 72 h).
    assert 0 < incremental_runs["late_days"] <= LOOKBACK_DAYS


def test_incremental_run_added_days(incremental_runs):
    first = incremental_runs["first"]["kpi_daily"]["kpi_date"].max()
    assert incremental_runs["incremental"]["kpi_daily"]["kpi_date"].max() > first


def test_incremental_equals_full_refresh(incremental_runs):
    assert_snapshots_equal(incremental_runs["incremental"], incremental_runs["full"])


def test_rerun_without_new_data_changes_nothing(incremental_runs):
    assert_snapshots_equal(incremental_runs["incremental"], incremental_runs["rerun"])


def test_a_raw_file_rewritten_in_place_stops_the_incremental_run(small_warehouse, tmp_path):
    """Staging appends by file position, so a log rewritten in place (here: its first row
    dropped, every later row one position up) would mix two files: the run stops with a message
    naming the log and the fix, and `--full-refresh` then stages the new file."""
    seeds, env = logs_as_of_now(small_warehouse, tmp_path)
    staging = [
        "--select", "+stg_api_gateway__api_calls", "+stg_game_telemetry__game_events",
        "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
    ]  # fmt: skip
    run_dbt(["build", *staging], env)
    run_dbt(["build", *staging], env)  # nothing new: fine
    log = seeds / "api_calls.csv"
    frame = pd.read_csv(log, dtype=str, keep_default_na=False)
    frame.iloc[1:].to_csv(log, index=False)
    with pytest.raises(RuntimeError, match="raw log api_calls: the file was rewritten"):
        run_dbt(["build", *staging], env)
    run_dbt(["build", *staging, "--full-refresh"], env)
    with duckdb.connect(str(tmp_path / "kpi.duckdb"), read_only=True) as con:
        staged = con.sql("select count(*) from staging.stg_api_gateway__api_calls").fetchall()
    assert staged[0][0] == len(frame) - 1


def test_tables_from_before_the_incremental_checks_are_rebuilt_whole(small_warehouse, tmp_path):
    """A warehouse built by a version whose staging and dedup tables lack the columns the
    incremental checks read (log_first_ingested_at, raw_row_hash) is upgraded by the next run:
    every row is staged and deduplicated again with them, instead of the run failing on the
    missing columns."""
    _, env = logs_as_of_now(small_warehouse, tmp_path)
    run_dbt(["build", *STAGED_SELECT], env)
    db = tmp_path / "kpi.duckdb"
    built = snapshot(db, STAGED_TABLES)
    with duckdb.connect(str(db)) as con:
        for table in STAGED_TABLES:
            if table.startswith("staging."):
                con.execute(f"alter table {table} drop column raw_row_hash")
            con.execute(f"alter table {table} drop column log_first_ingested_at")
    run_dbt(["build", *STAGED_SELECT], env)
    upgraded = snapshot(db, STAGED_TABLES)
    for table in STAGED_TABLES:
        pd.testing.assert_frame_equal(
            upgraded[table][built[table].columns], built[table], obj=table
        )


def test_a_backfill_that_moves_the_log_start_restages_and_rededuplicates(small_warehouse, tmp_path):
    """Rows appended with an ingestion time before the whole log's first (a backfill) move the
    log's period start, which the timestamp plausibility checks of every row depend on: staging
    stages every row again and dedup starts over (pre-hook restart_dedup_when_restaged), so the
    run equals a full refresh. Call x-early is timed 33 days before the old start (quarantined:
    before_log_period, max lag 30 days) but 28 before the new one: it becomes valid without a
    new copy of its own, which only the restart can pick up."""
    seeds, env = logs_as_of_now(small_warehouse, tmp_path)
    log = seeds / "api_calls.csv"
    frame = pd.read_csv(log, dtype=str, keep_default_na=False)
    ingested = pd.to_datetime(frame["ingested_at"], errors="coerce", format="ISO8601")
    start = ingested.min().normalize()
    early = frame.head(1).copy()
    early["call_id"] = "x-early"
    early["requested_at"] = (start - pd.Timedelta(days=33)).isoformat(sep=" ")
    pd.concat([frame, early]).to_csv(log, index=False)
    run_dbt(["build", *STAGED_SELECT], env)
    db = tmp_path / "kpi.duckdb"
    dedup = "intermediate.int_api_calls_deduplicated"
    with duckdb.connect(str(db), read_only=True) as con:
        assert not con.sql(f"select * from {dedup} where call_id = 'x-early'").fetchall()
    backfill = frame.head(50).copy()
    backfill["ingested_at"] = (start - pd.Timedelta(days=5, hours=-1)).isoformat(sep=" ")
    backfill["requested_at"] = (start - pd.Timedelta(days=5)).isoformat(sep=" ")
    pd.concat([frame, early, backfill]).to_csv(log, index=False)
    run_dbt(["build", *STAGED_SELECT], env)
    incremental = snapshot(db, STAGED_TABLES)
    assert "x-early" in set(incremental[dedup]["call_id"])
    run_dbt(["build", *STAGED_SELECT, "--full-refresh"], env)
    full = snapshot(db, STAGED_TABLES)
    for table in STAGED_TABLES:
        pd.testing.assert_frame_equal(incremental[table], full[table], obj=table)


def test_profiles_with_a_new_slice_an_absent_slice_and_an_old_id_copied(small_warehouse, tmp_path):
    """The profiles' incremental runs equal a full refresh where a day outside the lookback
    changes or a slice has no row in the days profiled again. First build: the log up to its
    last day, plus country 'QQ' and API region 'zz-rare-1' seen once early and never again.
    - Run 2 appends a row of API region 'zz-new-1', never seen: every past day gains its zero
      row, so the API profile is computed whole (profile_days_start gives none).
    - Run 3 appends the last day and a valid game event of a day outside the lookback, copied
      with another time: a conflicting duplicate, so that old day's conflicting_duplicate_rate
      changes (the conflicting profile profiles again every day holding a copy of an id copied
      now); 'QQ' and 'zz-rare-1' still get their zero rows on the days profiled again (the
      stored slices join the grid)."""
    seeds, raw = tmp_path / "seeds", small_warehouse.raw_dir
    env = dbt_env(tmp_path, seed_dir=seeds)
    select = [*SELECT, *VARS, "--exclude-resource-type", "test",
              "--exclude-resource-type", "unit_test"]  # fmt: skip
    game = pd.read_csv(raw / "game_events.csv", dtype=str, keep_default_na=False)
    last_day = pd.to_datetime(game["ingested_at"], format="ISO8601").max().normalize()
    write_landed_by(raw, seeds, last_day, append_rest=False)
    before = {name: pd.read_csv(seeds / f"{name}.csv", dtype=str, keep_default_na=False)
              for name in TIMESTAMPS}  # fmt: skip
    rare = {
        "game_events": before["game_events"].iloc[[10]].assign(event_id="x-rare", country="QQ"),
        "api_calls": before["api_calls"].iloc[[10]].assign(call_id="x-rare", region="zz-rare-1"),
    }
    new_region = before["api_calls"].iloc[[-1]].assign(call_id="x-new", region="zz-new-1")
    logs = {name: [before[name], rare[name]] for name in TIMESTAMPS}

    def build(**appended: pd.DataFrame) -> None:
        for name, rows in appended.items():
            logs[name].append(rows)
        for name, parts in logs.items():
            pd.concat(parts).to_csv(seeds / f"{name}.csv", index=False)
        run_dbt(["build", *select], env)

    build()
    build(api_calls=new_region)
    db = tmp_path / "kpi.duckdb"
    old_day = (last_day - pd.Timedelta(days=LOOKBACK_DAYS + 6)).date()
    with duckdb.connect(str(db), read_only=True) as con:
        old_id = con.execute(
            "select min(event_id) from intermediate.int_game_events_deduplicated "
            "where event_date = ? and copy_count = 1",
            [old_day],
        ).fetchall()[0][0]
    write_landed_by(raw, seeds, last_day, append_rest=True)
    after = {name: pd.read_csv(seeds / f"{name}.csv", dtype=str, keep_default_na=False)
             for name in TIMESTAMPS}  # fmt: skip
    newest = after["game_events"].iloc[-1]
    copy = before["game_events"][before["game_events"]["event_id"] == old_id]
    copy = copy.assign(event_at=newest["event_at"], ingested_at=newest["ingested_at"])
    rest = {name: after[name].iloc[len(before[name]) :] for name in TIMESTAMPS}
    build(api_calls=rest["api_calls"], game_events=pd.concat([rest["game_events"], copy]))
    incremental = snapshot(db, PROFILE_TABLES)
    compiled = tmp_path / "target" / "compiled" / "kpi_trust" / "models" / "intermediate"
    for model in ["int_api_calls_profiled_daily", "int_game_events_profiled_daily",
                  "int_conflicting_duplicates_profiled_daily"]:  # fmt: skip
        assert "date '" in (compiled / "quality" / f"{model}.sql").read_text(), model

    run_dbt(["build", *select, "--full-refresh"], env)
    full = snapshot(db, PROFILE_TABLES)
    for table in PROFILE_TABLES:
        pd.testing.assert_frame_equal(incremental[table], full[table], obj=table)
    conflicts = full["intermediate.int_conflicting_duplicates_profiled_daily"]
    on_old_day = conflicts[
        (conflicts.dataset == "game_events")
        & (conflicts.slice_value == "all")
        & (pd.to_datetime(conflicts.signal_date) == pd.Timestamp(old_day))
    ]
    assert on_old_day["numerator"].iloc[0] >= 1
    for table, value in [("int_game_events_profiled_daily", "QQ"),
                         ("int_api_calls_profiled_daily", "zz-rare-1"),
                         ("int_api_calls_profiled_daily", "zz-new-1")]:  # fmt: skip
        volume = full[f"intermediate.{table}"].query("signal_name == 'row_count_robust_z'")
        rows = volume[volume.slice_value == value]
        assert set(rows["signal_date"]) == set(volume["signal_date"]), value  # every day
        assert rows["numerator"].sum() == 1, value
