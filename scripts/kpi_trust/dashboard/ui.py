"""Streamlit helpers the pages share: cached warehouse reads, clear messages, pickers.

Why cached: a page reruns on every click, and opening the file costs ~50 ms of CPU before any
query (docs/serving.md). Reads are cached per warehouse file *and its modification time*, so a
rebuild shows at the next click, and for ten minutes at most otherwise. A missing warehouse, a
build holding the write lock or a missing table stop the page with one sentence saying what to
do, never a traceback.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from kpi_trust.dashboard import data
from kpi_trust.serve.warehouse import WarehouseBusy, WarehouseMissing, db_path


def warehouse() -> Path:
    """The warehouse file (KPI_TRUST_DB, else the project default), or stop the page."""
    path = db_path().resolve()
    if not path.exists():
        st.error(
            f"No warehouse at `{path}`: run `make run` first (or set KPI_TRUST_DB to a "
            "warehouse file). The **Score a CSV** page works without one."
        )
        st.stop()
    return path


@st.cache_data(ttl=600, show_spinner="Reading the warehouse...", max_entries=64)
def _cached(reader: str, path: str, stamp: int, arguments: tuple) -> pd.DataFrame | None:
    """``data.<reader>(path, **arguments)``; `stamp` (the file's mtime) only keys the cache."""
    return getattr(data, reader)(path, **dict(arguments))


def load(reader: str, **arguments: Any) -> pd.DataFrame | None:
    """A ``data`` read on the warehouse, cached; stops the page with a message on failure."""
    path = warehouse()
    try:
        stamp = path.stat().st_mtime_ns
        return _cached(reader, str(path), stamp, tuple(sorted(arguments.items())))
    except (WarehouseBusy, WarehouseMissing) as error:
        st.warning(f"{error}. Reload the page in a moment.")
    except duckdb.CatalogException as error:
        st.error(f"The warehouse lacks a table this page reads: run `make run`. ({error})")
    st.stop()


def query_param(name: str) -> str | None:
    """A URL query parameter (alert links open the KPI page on their KPI, slice and day)."""
    value = st.query_params.get(name)
    return value or None


def query_day(name: str = "date") -> date | None:
    """A day from the URL (``?date=2026-08-15``); None when absent or not a date."""
    value = query_param(name)
    try:
        return pd.Timestamp(value).date() if value else None
    except ValueError:
        return None


def pick(label: str, options: list, default: Any = None, **kwargs: Any) -> Any:
    """A selectbox starting on `default` when it is one of `options`."""
    index = options.index(default) if default in options else 0
    return st.selectbox(label, options, index=index, **kwargs)


def pick_kpi(catalogue: pd.DataFrame, default: str | None = None, key: str = "kpi") -> pd.Series:
    """The KPI picker (``name (dataset)``); returns the KPI's catalogue row."""
    names = catalogue["kpi_name"].tolist()
    datasets = dict(zip(catalogue["kpi_name"], catalogue["dataset"], strict=True))
    name = pick("KPI", names, default, key=key, format_func=lambda n: f"{n} ({datasets[n]})")
    return catalogue.set_index("kpi_name").loc[name].rename(name)


def pick_slice(
    frame: pd.DataFrame, default: tuple[str, str] | None = None, key: str = "slice"
) -> tuple[str, str]:
    """The slice picker over the slices in `frame` (total first); returns (name, value)."""
    found = frame[["dimension_name", "dimension_value"]].drop_duplicates()
    slices = sorted(map(tuple, found.to_numpy()), key=lambda s: (s != data.TOTAL, s))
    return pick("Slice", slices, default, key=key, format_func=lambda s: data.slice_label(*s))


def pick_days(
    first: date, last: date, around: date | None = None, key: str = "days"
) -> tuple[date, date]:
    """A date range within [first, last]; `around` opens four weeks before to a week after it."""
    start, end = first, last
    if around is not None and first <= around <= last:
        start, end = max(first, around - timedelta(days=28)), min(last, around + timedelta(days=7))
    chosen = st.date_input("Days", (start, end), min_value=first, max_value=last, key=key)
    if isinstance(chosen, tuple) and len(chosen) == 2:
        return chosen
    return start, end  # half a range while the user picks its end


def day(value: Any) -> date:
    """A DuckDB date (a pandas Timestamp in frames) as a ``date``."""
    return pd.Timestamp(value).date()


def table(frame: pd.DataFrame) -> None:
    """A data frame without its index, days shown as days (DuckDB dates arrive as datetimes)
    and sentences (reasons, root causes) given a wide column instead of a few letters."""
    shown = frame.copy()
    widths = {}
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_datetime64_any_dtype(values) and (values.dt.normalize() == values).all():
            shown[column] = values.dt.date
        elif pd.api.types.is_string_dtype(values) and values.str.len().median() > 40:
            widths[column] = st.column_config.TextColumn(width="large")
    st.dataframe(shown, hide_index=True, column_config=widths)
