"""What the leaf cube models run (rca_api_leaves_daily, rca_game_leaves_daily): each value
basis's leaf-day expectations (kpi_trust.rca.baseline), incremental by day like the marts.

A full build computes every day. An incremental run recomputes the days from the newest one
in the model's table minus ``lookback_days`` (as macro incremental_lookback_start does for the
leaf measures it reads, so the same days) and reads only the ``anomaly_season_periods`` weeks
of measures before them; the weeks of history a day has still count from the log's first day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from kpi_trust.rca.baseline import history_start, leaf_expectations


def leaf_cube(
    dbt: Any,
    session: Any,
    measures: Any,
    day_column: str,
    leaves: list[str],
    measure_columns: list[str],
    *,
    weeks: int,
    min_weeks: int,
    lookback_days: int,
    sparse_measures: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The cube's rows to write from the leaf ``measures`` (the dbt.ref relation): every day
    (full build) or the recomputed days (incremental: the model replaces those days,
    delete+insert by ``day_column``). The model reads its config itself (dbt exposes to a
    Python model only the keys its own source reads with dbt.config.get)."""
    relation = measures
    # the log's first day per basis matters only when a window is cut out of the measures;
    # a full build reads every day, so the frame's own first day is the log's
    log_first: dict[str, object] = {}
    output_from = None
    if dbt.is_incremental:
        newest = session.sql(f"select max({day_column}) from {dbt.this}").fetchall()[0][0]
        if newest is not None:
            log_first = dict(
                relation.aggregate(f"value_basis, min({day_column})", "value_basis").fetchall()
            )
            output_from = newest - dt.timedelta(days=lookback_days)
            start = history_start(output_from, weeks).date().isoformat()
            relation = relation.filter(f"{day_column} >= date '{start}'")
    parts = []
    for basis, frame in relation.df().groupby("value_basis", sort=True):
        part = leaf_expectations(
            frame,
            day_column,
            leaves,
            measure_columns,
            sparse_measures=sparse_measures,
            weeks=weeks,
            min_weeks=min_weeks,
            log_first_day=log_first.get(basis),
            output_from=output_from,
        )
        parts.append(part.assign(value_basis=basis))
    return pd.concat(parts, ignore_index=True)
