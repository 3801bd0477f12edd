"""The marts agree with an independent pandas computation from the raw files."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from kpi_reference import api_frames, d1_retention, game_frames


@pytest.fixture(scope="module")
def kpi_daily(small_warehouse) -> pd.DataFrame:
    with duckdb.connect(str(small_warehouse.db_path), read_only=True) as con:
        frame = con.sql("select * from kpi_daily").df()
    frame["kpi_date"] = pd.to_datetime(frame["kpi_date"])
    return frame


@pytest.fixture(scope="module")
def api(small_warehouse):
    return api_frames(small_warehouse.raw_dir)


@pytest.fixture(scope="module")
def game(small_warehouse):
    return game_frames(small_warehouse.raw_dir)


def warehouse_series(kpi_daily, kpi, dimension, column="value") -> pd.Series:
    rows = kpi_daily[(kpi_daily.kpi_name == kpi) & (kpi_daily.dimension_name == dimension)]
    if dimension == "all":
        return rows.set_index("kpi_date")[column].sort_index()
    return rows.set_index(["kpi_date", "dimension_value"])[column].sort_index()


def assert_same(expected: pd.Series, actual: pd.Series) -> None:
    """Same values on expected's rows. The warehouse may have more slice-days only where the
    adjusted number is empty (0 or null): a slice whose rows were all quarantined that day
    still has its naive (reported) figure, hence a kpi_daily row."""
    expected = expected.sort_index()
    assert len(expected) > 0
    extra = actual[~actual.index.isin(expected.index)]
    assert (extra.isna() | (extra == 0)).all(), extra[extra.notna() & (extra != 0)]
    actual = actual[actual.index.isin(expected.index)]
    assert list(expected.index) == list(actual.index)
    np.testing.assert_allclose(
        actual.to_numpy(dtype=float), expected.to_numpy(dtype=float), rtol=1e-9, equal_nan=True
    )


def by_dimension(frame: pd.DataFrame, dimension: str | None, agg) -> pd.Series:
    keys = ["date"] if dimension is None else ["date", dimension]
    result = agg(frame.groupby(keys))
    result.index = result.index.set_names(
        ["kpi_date"] if dimension is None else ["kpi_date", "dimension_value"]
    )
    return result


def success_share(groups):
    return groups["status"].apply(lambda status: (status == "success").mean())


def test_api_calls_all(kpi_daily, api):
    _, calls = api
    expected = by_dimension(calls, None, lambda g: g.size())
    assert_same(expected, warehouse_series(kpi_daily, "api_calls", "all"))


def test_api_success_rate_by_region(kpi_daily, api):
    _, calls = api
    expected = by_dimension(calls, "region", success_share)
    assert_same(expected, warehouse_series(kpi_daily, "api_success_rate", "region"))


def test_api_p95_latency_by_api_name(kpi_daily, api):
    _, calls = api
    assert calls["seconds"].any(), "the dataset should contain a latency-unit drift"
    expected = by_dimension(calls, "api_name", lambda g: g["latency"].quantile(0.95))
    assert_same(expected, warehouse_series(kpi_daily, "api_p95_latency_ms", "api_name"))


def test_api_success_rate_reported_is_naive(kpi_daily, api):
    naive, _ = api
    expected = by_dimension(naive, None, success_share)
    assert_same(expected, warehouse_series(kpi_daily, "api_success_rate", "all", "value_reported"))
    # The dataset has a status-casing drift: on those days the naive rate is lower.
    adjusted = warehouse_series(kpi_daily, "api_success_rate", "all")
    assert (expected.to_numpy() < adjusted.to_numpy() - 1e-9).any()


def test_dau_by_platform(kpi_daily, game):
    _, events = game
    expected = by_dimension(events, "platform", lambda g: g["user_id"].nunique())
    assert_same(expected, warehouse_series(kpi_daily, "dau", "platform"))


def test_revenue_by_country(kpi_daily, game):
    _, events = game
    purchases = events[events["event_name"] == "purchase"]
    expected = by_dimension(purchases, "country", lambda g: g["revenue"].sum())
    assert_same(expected, warehouse_series(kpi_daily, "revenue_usd", "country"))


def test_conversion_rate_all(kpi_daily, game):
    _, events = game
    dau = events.groupby("date")["user_id"].nunique()
    purchasers = events[events["event_name"] == "purchase"].groupby("date")["user_id"].nunique()
    expected = (purchasers.reindex(dau.index, fill_value=0) / dau).rename_axis("kpi_date")
    assert_same(expected, warehouse_series(kpi_daily, "conversion_rate", "all"))


def test_d1_retention_all(kpi_daily, game):
    _, events = game
    expected = d1_retention(events).rename_axis("kpi_date")
    assert np.isnan(expected.iloc[-1]), "the last day has no next day"
    assert_same(expected, warehouse_series(kpi_daily, "d1_retention", "all"))


def test_revenue_reported_is_naive(kpi_daily, game):
    naive, events = game
    days = sorted(naive["date"].unique())
    purchases = naive[naive["event_name"] == "purchase"]
    expected = purchases.groupby("date")["revenue"].sum().reindex(days, fill_value=0.0)
    actual = warehouse_series(kpi_daily, "revenue_usd", "all", "value_reported")
    assert_same(expected.rename_axis("kpi_date"), actual)
