"""Read the warehouse for the report: every table through `schema.TABLES`, read-only.

Why a module of its own: the report must survive tables that are not there yet (root causes),
tables of users' own logs without labels, and columns renamed in younger models. Everything
that touches SQL is here; the rest of the report works on pandas frames with canonical names.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kpi_trust.report.schema import TABLES, TOTAL, WEEK_DAYS, TableSpec


class MissingTable(LookupError):
    """A table (or a required column of it) is not in the warehouse: its section is left out."""


@dataclass
class Warehouse:
    """A read-only connection plus the tables and columns it holds."""

    path: Path
    con: object
    columns: dict[str, list[str]]
    notes: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, path: Path) -> Warehouse:
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        rows = con.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'main' order by table_name, ordinal_position"
        ).fetchall()
        columns: dict[str, list[str]] = {}
        for table, column in rows:
            columns.setdefault(table, []).append(column)
        return cls(path=path, con=con, columns=columns)

    def close(self) -> None:
        self.con.close()

    def has(self, table: str) -> bool:
        """True when the table exists and has every required column of its spec."""
        try:
            self.select_list(table)
        except MissingTable:
            return False
        return True

    def select_list(self, table: str) -> str:
        """`actual as canonical, ...` for the table's spec; raises MissingTable when unusable."""
        spec: TableSpec = TABLES[table]
        present = self.columns.get(table)
        if present is None:
            raise MissingTable(f"{table}: not in the warehouse")
        lower = {column.lower(): column for column in present}
        parts = []
        for column in (*spec.required, *spec.optional):
            actual = next(
                (
                    lower[name.lower()]
                    for name in (column, *spec.aliases.get(column, ()))
                    if name.lower() in lower
                ),
                None,
            )
            if actual is None and column in spec.required:
                raise MissingTable(f"{table}: no column {column} (nor {spec.aliases.get(column)})")
            parts.append(f'"{actual}" as {column}' if actual else f"null as {column}")
        return ", ".join(parts)

    def frame(self, table: str, where: str = "", params: list | None = None) -> pd.DataFrame:
        """The table with canonical column names, filtered by `where` (canonical names)."""
        sql = f"select * from (select {self.select_list(table)} from main.{table}) as t"
        if where:
            sql += f" where {where}"
        return self.con.execute(sql, params or []).df()

    def frame_or_none(self, table: str, where: str = "", params: list | None = None):
        """As `frame`, but None (and a note for the report) when the table is unusable."""
        try:
            return self.frame(table, where, params)
        except MissingTable as missing:
            self.notes.append(str(missing))
            return None

    def scalar(self, sql: str, params: list | None = None):
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None


@dataclass
class ReportData:
    """Every frame the report, the memo and the plots draw from (None = section left out)."""

    warehouse: Warehouse
    latest_date: dt.date
    week_start: dt.date
    kpis: pd.DataFrame
    kpi: pd.DataFrame
    trust: pd.DataFrame | None
    anomalies: pd.DataFrame | None
    verdicts: pd.DataFrame | None
    forecasts: pd.DataFrame | None
    root_causes: pd.DataFrame | None
    signals: pd.DataFrame | None
    tests: pd.DataFrame | None
    test_failures: pd.DataFrame | None
    gx: pd.DataFrame | None
    quarantine: pd.DataFrame | None
    trust_metrics: pd.DataFrame | None
    anomaly_metrics: pd.DataFrame | None

    @property
    def has_labels(self) -> bool:
        """True when trust_metrics was scored against labelled incidents (generated data)."""
        metrics = self.trust_metrics
        return metrics is not None and bool((metrics["n_positives"].fillna(0) > 0).any())


def _dates(frame: pd.DataFrame | None, *columns: str) -> pd.DataFrame | None:
    """DuckDB DATE columns arrive as datetime64: normalise them to `datetime.date`."""
    if frame is None:
        return None
    for column in columns:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def load(path: Path) -> ReportData:
    """Read everything the report needs. Raises MissingTable when kpi_daily itself is unusable."""
    warehouse = Warehouse.open(path)
    kpi = _dates(warehouse.frame("kpi_daily"), "kpi_date")
    if kpi.empty:
        raise MissingTable("kpi_daily: the table is empty (did `dbt build` run on any data?)")
    latest = max(kpi["kpi_date"])
    week_start = latest - dt.timedelta(days=WEEK_DAYS - 1)
    definitions = warehouse.frame_or_none("kpi_definitions")
    if definitions is None or definitions.empty:
        definitions = kpi[["kpi_name", "dataset", "unit"]].drop_duplicates("kpi_name")
        definitions = definitions.assign(definition=None, formula=None)
    kpis = definitions[definitions["kpi_name"].isin(set(kpi["kpi_name"]))]
    kpis = kpis.sort_values(["dataset", "kpi_name"], na_position="last").reset_index(drop=True)

    # The latest build's dbt test results only: the table keeps every build's history.
    tests = warehouse.frame_or_none("dbt_test_results")
    failures = None
    if tests is not None and not tests.empty:
        latest_invocation = tests.sort_values("run_started_at")["invocation_id"].iloc[-1]
        tests = tests[tests["invocation_id"] == latest_invocation].reset_index(drop=True)
        failures = warehouse.frame_or_none(
            "dbt_test_failures_daily", "invocation_id = ?", [latest_invocation]
        )
    gx = warehouse.frame_or_none("gx_validation_results")
    if gx is not None and not gx.empty:
        order = "run_at" if gx["run_at"].notna().any() else "run_id"
        latest_run = gx.sort_values(order)["run_id"].iloc[-1]
        gx = gx[gx["run_id"] == latest_run].reset_index(drop=True)

    return ReportData(
        warehouse=warehouse,
        latest_date=latest,
        week_start=week_start,
        kpis=kpis,
        kpi=kpi,
        trust=_dates(warehouse.frame_or_none("kpi_trust_daily"), "kpi_date"),
        anomalies=_dates(warehouse.frame_or_none("kpi_anomalies_daily"), "kpi_date"),
        verdicts=_dates(warehouse.frame_or_none("kpi_verdicts_daily"), "kpi_date"),
        forecasts=_dates(warehouse.frame_or_none("kpi_forecasts_daily"), "forecast_date"),
        root_causes=_dates(warehouse.frame_or_none("kpi_root_causes"), "kpi_date"),
        signals=_dates(warehouse.frame_or_none("quality_signals_daily"), "signal_date"),
        tests=tests,
        test_failures=_dates(failures, "failure_date"),
        gx=_dates(gx, "batch_date"),
        quarantine=_dates(warehouse.frame_or_none("quarantined_rows"), "record_date"),
        trust_metrics=warehouse.frame_or_none("trust_metrics"),
        anomaly_metrics=warehouse.frame_or_none("anomaly_metrics"),
    )


def totals(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a KPI-grain frame on each KPI's total (dimension all = all)."""
    name, value = TOTAL
    return frame[(frame["dimension_name"] == name) & (frame["dimension_value"] == value)]


def adjusted_basis(anomalies: pd.DataFrame) -> pd.DataFrame:
    """The anomaly rows judging `value` (adjusted); all rows when the table has one basis."""
    basis = anomalies["value_basis"]
    if basis.notna().any() and (basis == "adjusted").any():
        return anomalies[basis == "adjusted"]
    return anomalies


def as_number(value: object) -> float | None:
    """A cell as a float, or None for NULL / NaN (pandas gives both)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return float(value)


def as_text(value: object) -> str:
    """A cell as text, '' for NULL / NaN."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def report_days(data: ReportData) -> list[dt.date]:
    """Every day of kpi_daily, in order: the x axis of every chart and heatmap."""
    return sorted(set(data.kpi["kpi_date"]))
