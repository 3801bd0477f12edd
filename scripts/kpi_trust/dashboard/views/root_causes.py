"""Page "Root causes": which slices explain a KPI's move (``kpi_root_causes``).

For each flagged KPI-day-slice the warehouse ranks the combinations of dimension values that
explain the move (docs/root-cause.md). The page shows which causes recur for a KPI, then one
day's ranked causes with the share of the move each explains and its sentence.
"""

from __future__ import annotations

import streamlit as st

from kpi_trust.dashboard import charts, data, ui


def main() -> None:
    st.title("Root causes")
    causes = ui.load("root_causes")
    if causes is None or causes.empty:
        st.info(
            "No root causes in this warehouse yet (`kpi_root_causes` is missing or empty): "
            "they are computed for flagged days by `make run`."
        )
        return
    catalogue = ui.load("catalogue")
    catalogue = catalogue[catalogue["kpi_name"].isin(causes["kpi_name"])]
    with st.sidebar:
        kpi = ui.pick_kpi(catalogue, ui.query_param("kpi"), key="cause_kpi")
        mine = causes[causes["kpi_name"] == kpi.name]
        chosen = ui.pick_slice(mine, data.TOTAL, key="cause_slice")
    mine = mine[(mine["dimension_name"] == chosen[0]) & (mine["dimension_value"] == chosen[1])]
    top = mine[mine["cause_rank"] == 1]
    st.caption(f"**{kpi.name}**, {data.slice_label(*chosen)}: {len(top)} flagged days with causes")
    st.subheader("Top causes over all flagged days")
    st.altair_chart(charts.cause_frequency(top), width="stretch")
    days = sorted({ui.day(d) for d in top["kpi_date"]}, reverse=True)
    picked = ui.pick("Flagged day", days, key="cause_day")
    ranked = mine[mine["kpi_date"].dt.date == picked].sort_values("cause_rank")
    st.subheader(f"Ranked causes on {picked}")
    st.altair_chart(charts.cause_shares(ranked), width="stretch")
    columns = ["cause_rank", "root_cause", "root_cause_share", "root_cause_sentence"]
    ui.table(ranked[columns])


main()
