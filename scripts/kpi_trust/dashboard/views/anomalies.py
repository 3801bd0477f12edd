"""Page "Anomalies and verdicts": every flagged KPI-day-slice and what the warehouse made of it.

A verdict (``kpi_verdicts_daily``) says whether a flagged move is a ``data_incident`` (the
data broke), a ``real_movement`` (trusted data moved), a ``repaired_incident`` (broken, but the
adjusted value is fine) or ``uncertain``. Counts per KPI, a timeline, the table, and one row's
series with its anomaly band, so a reader can judge the call.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi_trust.dashboard import charts, data, ui

TABLE_COLUMNS = [
    "kpi_date",
    "kpi_name",
    "dimension_name",
    "dimension_value",
    "verdict",
    "severity",
    "value",
    "expected",
    "z",
    "trust_score",
    "reasons",
]


def main() -> None:
    st.title("Anomalies and verdicts")
    flagged = ui.load("verdicts")
    if flagged.empty:
        st.info("No flagged day in the warehouse: the detectors raised no alarm.")
        return
    with st.sidebar:
        verdicts = st.multiselect("Verdicts", sorted(flagged["verdict"].unique()), key="verdicts")
        totals_only = st.toggle("Totals only (no slices)", key="totals_only")
    shown = flagged[flagged["verdict"].isin(verdicts)] if verdicts else flagged
    if totals_only:
        shown = shown[shown["dimension_name"] == data.TOTAL[0]]
    counts = shown["verdict"].value_counts()
    cells = st.columns(len(charts.VERDICT_COLORS) - 1)
    for cell, verdict in zip(cells, list(charts.VERDICT_COLORS)[:-1], strict=True):
        cell.metric(verdict.replace("_", " "), int(counts.get(verdict, 0)))
    st.altair_chart(charts.verdict_counts(shown), width="stretch")
    st.altair_chart(charts.verdict_timeline(shown), width="stretch")
    st.subheader(f"Flagged KPI-day-slices ({len(shown)})")
    table = shown[TABLE_COLUMNS].sort_values(["kpi_date", "kpi_name"], ascending=[False, True])
    ui.table(table)
    detail(table)


def detail(table: pd.DataFrame) -> None:
    """One flagged row's series around its day, with the band and the verdicts drawn."""
    if table.empty:
        return
    st.subheader("One flagged day in its series")
    labels = [
        " · ".join(
            [
                str(ui.day(r.kpi_date)),
                r.kpi_name,
                data.slice_label(r.dimension_name, r.dimension_value),
                r.verdict,
            ]
        )
        for r in table.itertuples()
    ]
    index = st.selectbox("Flagged day", range(len(labels)), format_func=labels.__getitem__)
    row = table.iloc[index]
    series = ui.load("series", kpi=row["kpi_name"])
    around = pd.Timestamp(row["kpi_date"])
    rows = series[
        (series["dimension_name"] == row["dimension_name"])
        & (series["dimension_value"] == row["dimension_value"])
        & series["kpi_date"].between(around - pd.Timedelta(days=28), around + pd.Timedelta(days=7))
    ]
    st.altair_chart(charts.kpi_chart(rows), width="stretch")
    st.altair_chart(charts.trust_strip(rows), width="stretch")
    st.markdown(f"**Why**: {row['reasons']}")


main()
