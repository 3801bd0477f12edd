"""Page "Quality evidence": what the warehouse measured about a dataset's data, and its cost.

The trust score is built from evidence (docs/trust.md, docs/quality-evidence.md): the
dataset's daily trust, the worst health per quality signal and day (``quality_signals_daily``),
the signals below a chosen health, and the KPI-days whose trust is low with the reasons the
score gives. A reader sees which check failed, when, and which numbers it made untrustworthy.
"""

from __future__ import annotations

import streamlit as st

from kpi_trust.dashboard import charts, ui

SIGNAL_COLUMNS = [
    "signal_date",
    "signal_name",
    "signal_category",
    "slice_dimension",
    "slice_value",
    "health",
    "detail",
]
REASON_COLUMNS = [
    "kpi_date",
    "kpi_name",
    "dimension_name",
    "dimension_value",
    "trust_score",
    "top_reasons",
]


def main() -> None:
    st.title("Quality evidence")
    catalogue = ui.load("catalogue")
    datasets = sorted(catalogue["dataset"].unique())
    with st.sidebar:
        dataset = ui.pick("Dataset", datasets, key="dataset")
        threshold = st.slider("Show signals with health below", 0.1, 1.0, 0.9, 0.05, key="health")
    trust = ui.load("dataset_trust", dataset=dataset)
    st.subheader(f"Trust in {dataset}, day by day")
    st.altair_chart(charts.trust_over_time(trust), width="stretch")
    signals = ui.load("quality_signals", dataset=dataset, max_health=1.0)
    st.subheader("Quality signals: worst health per day (over slices)")
    if signals.empty:
        st.success("Every quality signal of this dataset is at full health on every day.")
    else:
        st.altair_chart(charts.health_heatmap(signals), width="stretch")
    weak = signals[signals["health"] < threshold]
    st.subheader(f"Signals below health {threshold:.2f} ({len(weak)})")
    ui.table(
        weak[SIGNAL_COLUMNS].sort_values(["signal_date", "health"], ascending=[False, True]),
    )
    low = ui.load("low_trust", dataset=dataset)
    st.subheader(f"Low-trust KPI-days and the reasons the score gives ({len(low)})")
    ui.table(low[REASON_COLUMNS].sort_values("kpi_date", ascending=False))


main()
