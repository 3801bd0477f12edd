"""Root causes on an incremental run: the leaf cubes recompute only their last days from the
weeks before them, and kpi_root_causes reuses the causes whose inputs are unchanged
(kpi_trust.rca.carry). Both must give what a full build gives."""

from __future__ import annotations

import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import dbt_env, run_dbt
from kpi_trust.rca.baseline import history_start, leaf_expectations
from kpi_trust.rca.carry import CARRY_KEY, split_carried

LEAVES = ["region", "client"]
MEASURES = ["calls", "failures", "p95"]
WEEKS, MIN_WEEKS = 8, 3


def _frame(seed: int, days: int, gap: tuple[int, int] | None = None) -> pd.DataFrame:
    """Sparse leaf-days with activity (counts; a percentile where there were calls)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-03-02")
    rows = []
    for day in range(days):
        if gap and gap[0] <= day < gap[1]:
            continue
        for region in ("eu", "us", "ap"):
            for client in ("ios", "android", "web", "cli"):
                calls = int(rng.poisson(1.5 if client != "cli" else 0.2))
                if calls:
                    rows.append(
                        {
                            "region": region,
                            "client": client,
                            "calls": calls,
                            "failures": int(rng.binomial(calls, 0.1)),
                            "p95": float(rng.gamma(2.0, 100.0)),
                            "day": (start + pd.Timedelta(days=day)).date(),
                        }
                    )
    return pd.DataFrame(rows)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values([*LEAVES, "day"]).reset_index(drop=True)


@pytest.mark.parametrize(
    ("seed", "days", "output_day", "gap"),
    [
        (1, 90, 85, None),  # the usual re-run: the last days of a long log
        (2, 90, 60, None),
        (3, 90, 70, (14, 20)),  # no row at all on the first days of the history window
        (4, 30, 26, None),  # a log younger than the history window
        (5, 90, 89, (84, 89)),  # days without any row just before the recomputed one
    ],
)
def test_leaf_expectations_from_a_day_equal_the_full_computation(seed, days, output_day, gap):
    frame = _frame(seed, days, gap)
    kwargs = {"sparse_measures": ("p95",), "weeks": WEEKS, "min_weeks": MIN_WEEKS}
    full = leaf_expectations(frame, "day", LEAVES, MEASURES, **kwargs)
    output_from = pd.Timestamp("2026-03-02") + pd.Timedelta(days=output_day)
    read = frame[pd.to_datetime(frame["day"]) >= history_start(output_from, WEEKS)]
    part = leaf_expectations(
        read,
        "day",
        LEAVES,
        MEASURES,
        **kwargs,
        log_first_day=frame["day"].min(),
        output_from=output_from,
    )
    expected = _sorted(full[pd.to_datetime(full["day"]) >= output_from])
    assert len(expected) > 0
    pd.testing.assert_frame_equal(_sorted(part), expected, check_exact=False, rtol=1e-12)


def _verdicts(rows):
    return pd.DataFrame(
        rows,
        columns=["kpi_name", "dimension_name", "dimension_value", "verdict", "_day",
                 "dataset", "inputs_fingerprint"],
    ).astype({"inputs_fingerprint": "Int64"})  # fmt: skip


def test_split_carried_reuses_only_causes_whose_inputs_are_unchanged():
    day = pd.Timestamp("2026-05-04").date()
    stored = pd.DataFrame(
        {
            "kpi_name": ["api_calls", "api_calls", "dau", "sessions", "revenue_usd"],
            "dimension_name": ["all", "all", "all", "platform", "all"],
            "dimension_value": ["all", "all", "all", "ios", "all"],
            "verdict": ["real_movement", "real_movement", "data_incident", "real_movement",
                        "real_movement"],
            "cause_rank": [1, 2, 1, 1, 1],
            "kpi_date": pd.to_datetime([day] * 5),
            "inputs_fingerprint": [11, 11, 22, 33, 44],
        }
    )  # fmt: skip
    verdicts = _verdicts(
        [
            ("api_calls", "all", "all", "real_movement", day, "api_calls", 11),  # unchanged
            ("dau", "all", "all", "real_movement", day, "game_events", 22),  # verdict changed
            ("sessions", "platform", "ios", "real_movement", day, "game_events", 34),  # leaves
            ("purchasers", "all", "all", "real_movement", day, "game_events", 55),  # new row
        ]
    )  # revenue_usd's verdict is gone: its stored cause must not come back
    carried, todo = split_carried(stored, verdicts)
    assert sorted(carried["cause_rank"]) == [1, 2]
    assert set(carried["kpi_name"]) == {"api_calls"}
    assert list(carried.columns) == list(stored.columns)
    assert sorted(todo["kpi_name"]) == ["dau", "purchasers", "sessions"]
    # a table written before inputs_fingerprint existed carries nothing
    carried, todo = split_carried(stored.drop(columns="inputs_fingerprint"), verdicts)
    assert carried.empty and len(todo) == len(verdicts)
    assert "inputs_fingerprint" in CARRY_KEY


ROOT_CAUSE_TABLES = ["rca_api_leaves_daily", "rca_game_leaves_daily", "kpi_root_causes"]


def _table(con, table: str) -> pd.DataFrame:
    """The table in a fixed order, floats rounded to 9 decimals: a recomputed day sums floats
    in another order. inputs_fingerprint left out: it hashes the floats' exact bits."""
    frame = (
        con.sql(f"select * from {table}").df().drop(columns="inputs_fingerprint", errors="ignore")
    )
    floats = frame.select_dtypes("float").columns
    frame[floats] = frame[floats].round(9)
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_an_incremental_run_of_the_root_causes_equals_the_full_build(small_warehouse, tmp_path):
    """On a copy of the built warehouse, the cubes lose their last days and kpi_root_causes
    the causes of its last verdict days, one stored fingerprint goes stale and a cause of a
    verdict that does not exist is added: one incremental run of the three models gives back
    the full build's tables (floats to 9 decimals) and leaves no temporary table behind."""
    env = dbt_env(tmp_path, seed_dir=small_warehouse.raw_dir)
    db = tmp_path / "kpi.duckdb"
    shutil.copy(small_warehouse.db_path, db)
    with duckdb.connect(str(db)) as con:
        built = {table: _table(con, table) for table in ROOT_CAUSE_TABLES}
        assert len(built["kpi_root_causes"]) > 0
        newest = con.sql("select max(call_date) from rca_api_leaves_daily").fetchall()[0][0]
        cut = newest - pd.Timedelta(days=6)
        con.execute(f"delete from rca_api_leaves_daily where call_date > date '{cut}'")
        con.execute(f"delete from rca_game_leaves_daily where event_date > date '{cut}'")
        con.execute(
            "delete from kpi_root_causes where kpi_date > "
            "(select max(kpi_date) - interval 10 day from kpi_root_causes)"
        )
        con.execute(
            "update kpi_root_causes set inputs_fingerprint = inputs_fingerprint + 1 "
            "where kpi_root_cause_id = (select min(kpi_root_cause_id) from kpi_root_causes)"
        )
        con.execute(
            "insert into kpi_root_causes by name select * replace ("
            "'no-such-verdict' as kpi_root_cause_id, 'no_such_kpi' as kpi_name) "
            "from kpi_root_causes limit 1"
        )
    run_dbt(["run", "--select", *ROOT_CAUSE_TABLES], env)
    with duckdb.connect(str(db), read_only=True) as con:
        for table in ROOT_CAUSE_TABLES:
            pd.testing.assert_frame_equal(_table(con, table), built[table], obj=table)
        # the incremental Python runs left no __dbt_tmp table (post-hook)
        leftovers = con.sql(
            "select table_name from information_schema.tables where table_name like '%dbt_tmp%'"
        ).fetchall()
        assert leftovers == []
