"""Page "Score a CSV": any CSV, one column, every detector's flags side by side.

The seed systems' flow: upload a file, pick a column, compare what the seasonal baseline, the
change-point test and the ML detectors flag, move the **consensus** slider (how many must
agree: 1 sensitive, 2 balanced, 3 strict) and download the alarms as CSV. The work is
``dashboard.scoring``: the CSV reading and detectors of `kpi-trust detect`. No warehouse needed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from kpi_trust.anomaly import DetectConfig
from kpi_trust.cli import UserError
from kpi_trust.dashboard import charts, scoring, ui
from kpi_trust.serve.dashboard import example_csv


@st.cache_data(max_entries=32, show_spinner="Scoring...")
def scored(content: bytes, name: str, column: str, consensus: int) -> pd.DataFrame:
    """``scoring.score_column``, cached: the slider moves back and forth over the same file."""
    return scoring.score_column(content, name, column, consensus)


@st.cache_data(max_entries=32, show_spinner=False)
def columns_of(content: bytes, name: str) -> tuple[str, list[str]]:
    """The time column and the numeric columns of the file (``UserError`` if it has none)."""
    time_column, _, columns = scoring.read_upload(content, name)
    return time_column, list(columns)


def main() -> None:
    st.title("Score a CSV")
    st.markdown(
        "Any CSV with a date or timestamp column and numeric columns (daily or sub-daily). "
        "The detectors are the warehouse's own, as `kpi-trust detect` runs them: a seasonal "
        "baseline, a change-point test and the ML detectors "
        f"({', '.join(DetectConfig().ml_detectors)}). Each flags rows on its own; an **alarm** "
        "needs as many of them to agree as the consensus level says."
    )
    upload = st.file_uploader("CSV file", type=["csv", "txt"], key="upload")
    use_example = st.toggle("Use an example series instead", key="example")
    if upload is not None:
        content, name = upload.getvalue(), upload.name
    elif use_example:
        content, name = example_csv().encode("utf-8"), "example.csv"
    else:
        st.info("Upload a file (or use the example) to start.")
        return
    try:
        time_column, columns = columns_of(content, name)
    except UserError as error:
        st.error(str(error))
        return
    left, right = st.columns(2)
    column = left.selectbox("Column to score", columns, key="column")
    consensus = right.slider(
        "Consensus: detectors that must agree",
        1,
        3,
        2,
        key="consensus",
        help="1 sensitive, 2 balanced (the default of `kpi-trust detect`), 3 strict",
    )
    result = scored(content, name, column, consensus)
    st.caption(
        f"`{name}`: time column `{time_column}`, {len(result)} rows; consensus "
        f"{scoring.CONSENSUS_LEVELS[consensus]}."
    )
    counts = scoring.flag_counts(result)
    for cell, (detector, count) in zip(st.columns(len(counts)), counts.items(), strict=True):
        cell.metric(detector, count)
    flags = scoring.flags_long(result)
    for detector in counts:  # one chart per detector, then the alarms, on one time axis
        st.altair_chart(charts.detector_flags(flags, detector), width="stretch")
    alarms = scoring.anomalies(result, column)
    st.subheader(f"Anomalies at consensus {consensus}: {len(alarms)}")
    ui.table(alarms)
    st.download_button(
        "Download the anomalies (CSV)",
        scoring.to_csv(alarms),
        file_name=f"{Path(name).stem}-{column}-anomalies-consensus{consensus}.csv",
        mime="text/csv",
        key="download",
        on_click="ignore",
    )


main()
