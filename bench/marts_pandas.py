"""The core marts in pandas: what a user would write instead of the warehouse.

    python bench/marts_pandas.py RAW_DIR OUT.duckdb

The same rules as `marts_hand_sql.py` (the DuckDB floor), written the way an analyst would in
pandas: read both Parquet logs, drop invalid rows, deduplicate (first ingestion wins), fix the
latency unit drift, flag bot user-days, then one groupby per dimension for the adjusted and the
naive (reported) figures, and kpi_daily in long form. Only kpi_daily is written (to a DuckDB
file, so `bench_marts.py` compares it with the floor's); the point is the time and memory a
pandas version costs, not a second warehouse.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from marts_hand_sql import API_DIMENSIONS, API_KPIS, GAME_DIMENSIONS, GAME_KPIS

STATUSES = ("success", "failure", "timeout")
GAME_EVENTS = ("session_start", "level_complete", "purchase", "in_app_purchase")
BOT_SESSION_STARTS = 20  # dbt var bot_session_starts_per_day
LATENCY_UNIT_RATIO = 50  # dbt var latency_unit_ratio
LATENCY_WINDOW_DAYS = 7  # dbt var latency_unit_window_days


def clean(series: pd.Series, case: str | None = None) -> pd.Series:
    """Trimmed (and lower- or upper-cased) text, nulls kept."""
    series = series.str.strip()
    return (
        series.str.lower() if case == "lower" else series.str.upper() if case == "upper" else series
    )


def first_ingestion(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per key: the first ingested (then first in the file), with the copies counted."""
    frame = frame.sort_values(["ingested_at", "row_number"], kind="stable")
    copies = frame.groupby(key)[key].transform("size")
    frame = frame.assign(duplicate_row_count=copies)
    return frame.drop_duplicates(key, keep="first")


def api_facts(raw: pd.DataFrame) -> pd.DataFrame:
    """Valid, deduplicated API calls with the latency unit drift corrected."""
    frame = raw.assign(
        call_id=clean(raw["call_id"]),
        batch_id=clean(raw["batch_id"]),
        **{col: clean(raw[col], "lower") for col in ("api_name", "api_version", "region")},
        client_type=clean(raw["client_type"], "lower"),
        document_type=clean(raw["document_type"], "lower"),
        status=clean(raw["status"], "lower"),
    )
    valid = (
        raw[["call_id", "requested_at", "api_name", "api_version", "region", "client_type"]]
        .notna()
        .all(axis=1)
        & raw[["document_type", "http_status", "ingested_at", "batch_id"]].notna().all(axis=1)
        & frame["status"].isin(STATUSES)
        & (raw["latency_ms"] >= 0)
    )
    frame = frame[valid]
    frame = frame.assign(call_date=frame["requested_at"].dt.normalize())
    frame = first_ingestion(frame, "call_id")
    # latency unit drift: an API version-day's median far below the API's trailing reference
    medians = (
        frame.groupby(["api_name", "api_version", "call_date"])["latency_ms"]
        .median()
        .rename("median_latency")
        .reset_index()
    )
    window = medians.merge(medians, on="api_name", suffixes=("", "_w"))
    lag = window["call_date"] - window["call_date_w"]
    window = window[(lag >= pd.Timedelta(0)) & (lag <= pd.Timedelta(days=LATENCY_WINDOW_DAYS))]
    reference = (
        window.groupby(["api_name", "api_version", "call_date", "median_latency"])[
            "median_latency_w"
        ]
        .median()
        .rename("reference")
        .reset_index()
    )
    reference["is_seconds"] = (
        reference["median_latency"] * LATENCY_UNIT_RATIO < reference["reference"]
    )
    frame = frame.merge(
        reference[["api_name", "api_version", "call_date", "is_seconds"]],
        on=["api_name", "api_version", "call_date"],
    )
    frame["latency_ms"] = np.where(
        frame["is_seconds"], frame["latency_ms"] * 1000, frame["latency_ms"]
    )
    return frame


def api_rollup(frame: pd.DataFrame) -> pd.DataFrame:
    """Calls, status counts, rates and exact latency percentiles per day x dimension ('all')."""
    parts = []
    for dim in ("all", *API_DIMENSIONS):
        rows = frame if dim == "all" else frame[frame[dim].notna()]
        keys = ["call_date"] if dim == "all" else ["call_date", dim]
        grouped = rows.assign(
            successes=rows["status"].eq("success"),
            failures=rows["status"].eq("failure"),
            timeouts=rows["status"].eq("timeout"),
        ).groupby(keys)
        counts = grouped.agg(
            calls=("status", "size"),
            successes=("successes", "sum"),
            failures=("failures", "sum"),
            timeouts=("timeouts", "sum"),
        )
        quantiles = grouped["latency_ms"].quantile([0.5, 0.95, 0.99]).unstack()
        quantiles.columns = ["p50_latency_ms", "p95_latency_ms", "p99_latency_ms"]
        part = counts.join(quantiles).reset_index()
        part["dimension_name"] = dim
        part["dimension_value"] = "all" if dim == "all" else part.pop(dim)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    for rate, count in (("success_rate", "successes"), ("failure_rate", "failures")):
        out[rate] = out[count] / out["calls"]
    out["timeout_rate"] = out["timeouts"] / out["calls"]
    return out.rename(columns={"call_date": "kpi_date"})


def game_facts(raw: pd.DataFrame) -> pd.DataFrame:
    """Valid, deduplicated game events with purchases renamed and bot user-days flagged."""
    logged = clean(raw["event_name"], "lower")
    frame = raw.assign(
        event_id=clean(raw["event_id"]),
        user_id=clean(raw["user_id"]),
        event_name=logged.replace({"in_app_purchase": "purchase"}),
        platform=clean(raw["platform"], "lower"),
        country=clean(raw["country"], "upper"),
        acquisition_channel=clean(raw["acquisition_channel"], "lower"),
    )
    required = ["event_id", "user_id", "session_id", "event_at", "platform", "country"]
    required += ["acquisition_channel", "install_date", "ingested_at", "batch_id"]
    valid = (
        raw[required].notna().all(axis=1)
        & logged.isin(GAME_EVENTS)
        & (raw["level"].fillna(0) >= 0)
        & (raw["revenue_usd"].fillna(0) >= 0)
    )
    frame = frame[valid]
    frame = frame.assign(event_date=frame["event_at"].dt.normalize())
    frame = first_ingestion(frame, "event_id")
    starts = (
        frame["event_name"]
        .eq("session_start")
        .groupby([frame["user_id"], frame["event_date"]])
        .transform("sum")
    )
    return frame.assign(is_bot=starts > BOT_SESSION_STARTS)


def game_kpis(frame: pd.DataFrame) -> pd.DataFrame:
    """DAU, sessions, purchases, revenue, levels, new users and D1 retention per day x dimension."""
    users = frame[frame["user_id"].notna()]
    first_day = users.groupby("user_id")["event_date"].min()
    user_days = users[["user_id", "event_date"]].drop_duplicates()
    last_day = frame["event_date"].max()
    frame = frame.assign(
        purchaser=frame["user_id"].where(frame["event_name"].eq("purchase")),
        is_session=frame["event_name"].eq("session_start"),
        is_purchase=frame["event_name"].eq("purchase"),
        is_level=frame["event_name"].eq("level_complete"),
        purchase_revenue=frame["revenue_usd"].where(frame["event_name"].eq("purchase")),
    )
    is_first = frame["user_id"].map(first_day).eq(frame["event_date"])
    cohort = frame[is_first]
    came_back = (
        cohort[["user_id", "event_date"]]
        .assign(event_date=cohort["event_date"] + pd.Timedelta(days=1))
        .merge(user_days, how="left", indicator=True)["_merge"]
        .eq("both")
    )
    cohort = cohort.assign(retained_user=cohort["user_id"].where(came_back.to_numpy()))
    parts = []
    for dim in ("all", *GAME_DIMENSIONS):
        rows = frame if dim == "all" else frame[frame[dim].notna()]
        firsts = cohort if dim == "all" else cohort[cohort[dim].notna()]
        keys = ["event_date"] if dim == "all" else ["event_date", dim]
        metrics = rows.groupby(keys).agg(
            dau=("user_id", "nunique"),
            sessions=("is_session", "sum"),
            purchasers=("purchaser", "nunique"),
            purchases=("is_purchase", "sum"),
            revenue_usd=("purchase_revenue", "sum"),
            levels_completed=("is_level", "sum"),
        )
        cohorts = firsts.groupby(keys).agg(
            new_users=("user_id", "nunique"), retained=("retained_user", "nunique")
        )
        part = metrics.join(cohorts).reset_index()
        part["dimension_name"] = dim
        part["dimension_value"] = "all" if dim == "all" else part.pop(dim)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    complete = out["event_date"] < last_day
    out["d1_retained_users"] = out["retained"].fillna(0).where(complete)
    out["d1_retention"] = (out["retained"].fillna(0) / out["new_users"].replace(0, np.nan)).where(
        complete
    )
    out["new_users"] = out["new_users"].fillna(0)
    out["conversion_rate"] = out["purchasers"] / out["dau"]
    out["arpdau"] = out["revenue_usd"] / out["dau"]
    out["arppu"] = out["revenue_usd"] / out["purchasers"].replace(0, np.nan)
    return out.drop(columns="retained").rename(columns={"event_date": "kpi_date"})


def kpi_long(dataset: str, kpis: list, adjusted: pd.DataFrame, reported: pd.DataFrame):
    """kpi_daily rows of one dataset: adjusted and reported side by side, one row per KPI."""
    keys = ["kpi_date", "dimension_name", "dimension_value"]
    joined = adjusted.merge(reported, on=keys, how="outer", suffixes=("", "__r"))
    parts = []
    for name, value, numerator, denominator in kpis:

        def column(col: str | None, suffix: str = "") -> pd.Series:
            return joined[col + suffix].astype(float) if col else pd.Series(np.nan, joined.index)

        parts.append(
            pd.DataFrame(
                {
                    "kpi_name": name,
                    "dataset": dataset,
                    "dimension_name": joined["dimension_name"],
                    "dimension_value": joined["dimension_value"],
                    "value": column(value),
                    "value_reported": column(value, "__r"),
                    "numerator": column(numerator),
                    "denominator": column(denominator),
                    "numerator_reported": column(numerator, "__r"),
                    "denominator_reported": column(denominator, "__r"),
                    "kpi_date": joined["kpi_date"],
                }
            )  # fmt: skip
        )
    return pd.concat(parts, ignore_index=True)


def main(raw_dir: Path, out: Path) -> None:
    """Read the logs, compute kpi_daily, write it to `out` (table kpi_daily)."""
    api = pd.read_parquet(raw_dir / "api_calls.parquet")
    api["row_number"] = np.arange(len(api))
    api_reported = api[api["requested_at"].notna()]
    api_reported = pd.DataFrame({
        **{dim: clean(api_reported[dim], "lower") for dim in API_DIMENSIONS},
        "status": clean(api_reported["status"]),
        "latency_ms": api_reported["latency_ms"],
        "call_date": api_reported["requested_at"].dt.normalize(),
    })  # fmt: skip
    api_long = kpi_long("api_calls", API_KPIS, api_rollup(api_facts(api)), api_rollup(api_reported))
    del api, api_reported
    game = pd.read_parquet(raw_dir / "game_events.parquet")
    game["row_number"] = np.arange(len(game))
    game_reported = game[game["event_at"].notna()]
    game_reported = pd.DataFrame({
        "user_id": clean(game_reported["user_id"]),
        "event_name": clean(game_reported["event_name"]),
        "platform": clean(game_reported["platform"], "lower"),
        "country": clean(game_reported["country"], "upper"),
        "acquisition_channel": clean(game_reported["acquisition_channel"], "lower"),
        "revenue_usd": game_reported["revenue_usd"],
        "event_date": game_reported["event_at"].dt.normalize(),
    })  # fmt: skip
    facts = game_facts(game)
    game_long = kpi_long(
        "game_events",
        GAME_KPIS,
        game_kpis(facts[~facts["is_bot"]]),
        game_kpis(game_reported),
    )
    kpi_daily = pd.concat([api_long, game_long], ignore_index=True)
    with duckdb.connect(str(out)) as con:
        con.register("kpi_daily_frame", kpi_daily)
        con.execute(
            "create or replace table kpi_daily as "
            "select * replace (cast(kpi_date as date) as kpi_date) from kpi_daily_frame"
        )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/marts_pandas.py RAW_DIR OUT.duckdb")
    main(Path(sys.argv[1]), Path(sys.argv[2]))
