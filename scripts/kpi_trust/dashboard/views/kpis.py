"""Page "KPIs and trust": one KPI and slice over a date range, with its trust overlaid.

The chart shows the value, the detectors' expected band, the trust score and level, and the
flagged days coloured by verdict; the table below lists the days that need a reader's eye (low
trust or a verdict) with the reasons. ``?kpi=&date=&dimension_name=&dimension_value=`` opens it
on an alert's KPI, slice and day (alerts link here when ``report_url`` points at this page).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi_trust.dashboard import charts, data, ui

ALERT_COLUMNS = {
    "kpi_date": "day",
    "value": "value",
    "expected": "expected",
    "trust_score": "trust",
    "trust_level": "trust level",
    "verdict": "verdict",
    "verdict_sentence": "why",
    "root_cause_sentence": "root cause",
    "top_reasons": "trust reasons",
}


def main() -> None:
    st.title("KPIs and trust")
    catalogue = ui.load("catalogue")
    with st.sidebar:
        kpi = ui.pick_kpi(catalogue, ui.query_param("kpi"))
        series = ui.load("series", kpi=kpi.name)
        if series.empty:
            st.info(f"No rows of {kpi.name} in the warehouse yet.")
            return
        wanted = (ui.query_param("dimension_name"), ui.query_param("dimension_value"))
        chosen = ui.pick_slice(series, wanted if all(wanted) else data.TOTAL)
        first, last = ui.day(series["kpi_date"].min()), ui.day(series["kpi_date"].max())
        start, end = ui.pick_days(first, last, ui.query_day())
    rows = series[
        (series["dimension_name"] == chosen[0])
        & (series["dimension_value"] == chosen[1])
        & series["kpi_date"].between(pd.Timestamp(start), pd.Timestamp(end))
    ]
    st.caption(
        f"**{kpi.name}** ({kpi['dataset']}, {data.slice_label(*chosen)}): {kpi['definition']}"
    )
    if rows.empty:
        st.info("No rows for this slice in these days.")
        return
    summary(rows)
    st.altair_chart(charts.kpi_chart(rows, str(kpi["unit"] or "")), width="stretch")
    st.altair_chart(charts.trust_strip(rows), width="stretch")
    alerting = rows[(rows["trust_level"] == "low") | rows["verdict"].notna()]
    st.subheader(f"Days that need a look: low trust or a verdict ({len(alerting)})")
    if alerting.empty:
        st.success("None in these days: every value is trusted and nothing moved unexpectedly.")
    else:
        table = alerting[list(ALERT_COLUMNS)].rename(columns=ALERT_COLUMNS)
        ui.table(table.sort_values("day", ascending=False))
    with st.expander("How this KPI is computed"):
        st.markdown(f"**Formula**: {kpi['formula']}  \n**Owner**: {kpi.get('owner') or '-'}")


def summary(rows: pd.DataFrame) -> None:
    """The latest day's value and trust, and counts over the range, as metrics."""
    latest = rows.iloc[-1]
    cells = st.columns(4)
    cells[0].metric(f"value on {ui.day(latest['kpi_date'])}", f"{latest['value']:,.4g}")
    cells[1].metric("trust score", f"{latest['trust_score']:.0f}", str(latest["trust_level"]))
    cells[2].metric("low-trust days", int((rows["trust_level"] == "low").sum()))
    cells[3].metric("days with a verdict", int(rows["verdict"].notna().sum()))


main()
