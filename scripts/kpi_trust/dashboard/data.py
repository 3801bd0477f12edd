"""The dashboard's warehouse reads: the read API's SQL (``serve.queries``), read whole.

No Streamlit here, so the reads are plain functions of the warehouse path (``ui`` caches
them). Each read opens the file ``read_only`` and closes it at once, as the API does, so the
dashboard never holds the file a ``dbt build`` wants to write; while one writes, a read raises
``WarehouseBusy``. Filters become SQL parameters, never text, through ``queries.where_clause``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from kpi_trust.serve.queries import (
    KPI_CATALOGUE_SQL,
    dataset_trust_sql,
    kpi_rows_sql,
    kpi_series_sql,
    quality_signals_sql,
    where_clause,
)
from kpi_trust.serve.warehouse import connect, root_cause_sql

TOTAL = ("all", "all")  # the slice that is the whole KPI


@contextmanager
def _connection(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, closed when the read is done (the API's rule)."""
    con = connect(path)
    try:
        yield con
    finally:
        con.close()


def read(
    path: str | Path, sql: str | Callable[[object], str], params: list | None = None
) -> pd.DataFrame:
    """One query's rows; `sql` is text, or built from the connection (the series' SQL)."""
    with _connection(path) as con:
        text = sql(con) if callable(sql) else sql
        return con.execute(text, params or []).df()


def catalogue(path: str | Path) -> pd.DataFrame:
    """``kpi_definitions``: every KPI with its dataset, unit, definition and owner."""
    return read(path, KPI_CATALOGUE_SQL)


def series(path: str | Path, kpi: str) -> pd.DataFrame:
    """Every slice and day of one KPI: value, trust, anomaly band, verdict, top root cause."""
    where, params = where_clause(kpi=kpi)
    return read(path, lambda con: kpi_series_sql(con, where), params)


def verdicts(path: str | Path, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """``kpi_verdicts_daily``: one row per flagged KPI-day-slice with its verdict and reasons."""
    where, params = where_clause(start=start, end=end)
    return read(path, kpi_rows_sql("kpi_verdicts_daily", "kpi_verdict_id", where), params)


def root_causes(path: str | Path) -> pd.DataFrame | None:
    """Every ranked root cause per KPI, day and slice; None before ``kpi_root_causes`` exists."""
    with _connection(path) as con:
        sql = root_cause_sql(con, ranked=True)
        return None if sql is None else con.execute(sql).df()


def quality_signals(
    path: str | Path,
    dataset: str,
    start: date | None = None,
    end: date | None = None,
    max_health: float = 1.0,
) -> pd.DataFrame:
    """A dataset's ``quality_signals_daily`` rows with health below `max_health`."""
    where, params = where_clause(
        start=start,
        end=end,
        date_column="signal_date",
        kpi_column=None,
        slice_columns=("slice_dimension", "slice_value"),
    )
    where += " and dataset = ? and health < ?"
    return read(path, quality_signals_sql(where), [*params, dataset, max_health])


def dataset_trust(path: str | Path, dataset: str) -> pd.DataFrame:
    """``dataset_trust_daily`` of one dataset: its daily trust score, level and reasons."""
    where, params = where_clause(date_column="trust_date", kpi_column=None)
    return read(path, dataset_trust_sql(where + " and dataset = ?"), [*params, dataset])


def low_trust(path: str | Path, dataset: str) -> pd.DataFrame:
    """The dataset's KPI-days whose trust is low, with the reasons the score gives."""
    where, params = where_clause()
    where += " and dataset = ? and trust_level = 'low'"
    return read(path, kpi_rows_sql("kpi_trust_daily", "kpi_trust_id", where), [*params, dataset])


def slice_label(dimension_name: str, dimension_value: str) -> str:
    """How a slice reads in a picker: ``total`` or ``dimension = value``."""
    if (dimension_name, dimension_value) == TOTAL:
        return "total"
    return f"{dimension_name} = {dimension_value}"
