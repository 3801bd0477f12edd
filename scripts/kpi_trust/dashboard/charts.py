"""The dashboard's charts, in Altair (it ships with Streamlit; Vega renders in the page, offline).

Plain functions of data frames returning charts, no Streamlit: the pages draw them with
``st.altair_chart``. Colours match the HTML report and the API's HTML pages, so a verdict or a
trust level reads the same everywhere.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

VERDICT_COLORS = {
    "data_incident": "#d62728",
    "real_movement": "#1f77b4",
    "repaired_incident": "#9467bd",
    "uncertain": "#ff7f0e",
    "anomaly without verdict": "#7f7f7f",
}
TRUST_COLORS = {
    "high": "#2ca02c",
    "medium": "#f2c14e",
    "low": "#d62728",
    "insufficient_data": "#bbbbbb",
}
FLAG_COLOR = "#d62728"
BOTTOM = alt.Legend(orient="bottom")
COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)
LABELS = alt.Axis(labelLimit=260)


def _scale(colors: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(colors), range=list(colors.values()))


def kpi_chart(frame: pd.DataFrame, unit: str = "") -> alt.LayerChart:
    """One KPI slice over time: value, expected band, trust score overlaid, marks by verdict.

    The value, the detectors' expected value and band (adjusted basis), the flagged days
    coloured by verdict, and the trust score on its own right axis (0-100, dotted green).
    Tooltips carry the verdict's and the root cause's sentences.
    """
    data = frame.assign(
        mark=frame["verdict"].where(
            frame["verdict"].notna(),
            frame["is_anomaly"].fillna(False).map({True: "anomaly without verdict"}),
        )
    )
    base = alt.Chart(data).encode(x=alt.X("kpi_date:T", title=None))
    band = base.mark_area(opacity=0.35, color="#9ecae1").encode(
        y=alt.Y("lower:Q", title=unit or "value"), y2="upper:Q"
    )
    expected = base.mark_line(strokeDash=[4, 3], color="#5b84c4").encode(y="expected:Q")
    value = base.mark_line(color="#1d2433", point=alt.OverlayMarkDef(size=12)).encode(
        y="value:Q",
        tooltip=[
            alt.Tooltip("kpi_date:T", title="day"),
            alt.Tooltip("value:Q", format=",.4~g"),
            alt.Tooltip("expected:Q", format=",.4~g"),
            alt.Tooltip("trust_score:Q", format=".0f"),
            "trust_level:N",
        ],
    )
    marks = (
        base.transform_filter(alt.datum.mark != None)  # noqa: E711 (a Vega expression)
        .mark_circle(size=110, opacity=0.95)
        .encode(
            y="value:Q",
            color=alt.Color(
                "mark:N", scale=_scale(VERDICT_COLORS), title="flagged day", legend=BOTTOM
            ),
            tooltip=[
                alt.Tooltip("kpi_date:T", title="day"),
                alt.Tooltip("mark:N", title="verdict"),
                alt.Tooltip("verdict_sentence:N", title="why"),
                alt.Tooltip("root_cause_sentence:N", title="root cause"),
            ],
        )
    )
    trust = base.mark_line(color="#2ca02c", strokeDash=[2, 2], opacity=0.8).encode(
        y=alt.Y(
            "trust_score:Q",
            title="trust score",
            scale=alt.Scale(domain=[0, 100]),
            axis=alt.Axis(orient="right", titleColor="#2ca02c"),
        )
    )
    return (
        alt.layer(alt.layer(band, expected, value, marks), trust)
        .resolve_scale(y="independent")
        .properties(height=300)
    )


def trust_strip(frame: pd.DataFrame) -> alt.Chart:
    """The trust level per day as a strip of coloured cells, one day wide each.

    The strip is one band of a constant y field: Streamlit draws a chart without a y encoding
    (or with a fixed small height) with no height at all.
    """
    data = frame.assign(next_day=frame["kpi_date"] + pd.Timedelta(days=1), row="trust level")
    return (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X("kpi_date:T", title=None),
            x2="next_day:T",
            y=alt.Y("row:N", title=None),
            color=alt.Color(
                "trust_level:N", scale=_scale(TRUST_COLORS), title="trust level", legend=BOTTOM
            ),
            tooltip=[
                alt.Tooltip("kpi_date:T", title="day"),
                alt.Tooltip("trust_score:Q", format=".0f"),
                "trust_level:N",
                alt.Tooltip("top_reasons:N", title="reasons"),
            ],
        )
    )


def verdict_counts(frame: pd.DataFrame) -> alt.Chart:
    """Flagged KPI-day-slices per KPI, stacked by verdict."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("count():Q", title="flagged KPI-day-slices", axis=COUNT_AXIS),
            y=alt.Y("kpi_name:N", title=None, sort="-x", axis=LABELS),
            color=alt.Color("verdict:N", scale=_scale(VERDICT_COLORS), legend=BOTTOM),
            tooltip=["kpi_name:N", "verdict:N", "count():Q"],
        )
    )


def verdict_timeline(frame: pd.DataFrame) -> alt.Chart:
    """Each flagged day as a dot on its KPI's row, coloured by verdict."""
    return (
        alt.Chart(frame)
        .mark_circle(size=60, opacity=0.8)
        .encode(
            x=alt.X("kpi_date:T", title=None),
            y=alt.Y("kpi_name:N", title=None, axis=LABELS),
            color=alt.Color("verdict:N", scale=_scale(VERDICT_COLORS), legend=BOTTOM),
            tooltip=[
                alt.Tooltip("kpi_date:T", title="day"),
                "kpi_name:N",
                "dimension_name:N",
                "dimension_value:N",
                "verdict:N",
                alt.Tooltip("reasons:N", title="why"),
            ],
        )
    )


def cause_shares(frame: pd.DataFrame) -> alt.Chart:
    """The ranked causes of one KPI-day-slice: the share of the move each explains."""
    return (
        alt.Chart(frame)
        .mark_bar(color="#5b84c4")
        .encode(
            x=alt.X(
                "root_cause_share:Q", title="share of the move explained", axis=alt.Axis(format="%")
            ),
            y=alt.Y("root_cause:N", title=None, sort=alt.SortField("cause_rank"), axis=LABELS),
            tooltip=[
                "cause_rank:Q",
                "root_cause:N",
                alt.Tooltip("root_cause_sentence:N", title="why"),
            ],
        )
    )


def cause_frequency(frame: pd.DataFrame) -> alt.Chart:
    """How often each cause is the top one, over the days and slices shown."""
    return (
        alt.Chart(frame)
        .mark_bar(color="#5b84c4")
        .encode(
            x=alt.X("count():Q", title="flagged days where it is the top cause", axis=COUNT_AXIS),
            y=alt.Y("root_cause:N", title=None, sort="-x", axis=LABELS),
            tooltip=["root_cause:N", "count():Q"],
        )
    )


def health_heatmap(frame: pd.DataFrame) -> alt.Chart:
    """Worst health per quality signal and day (over slices): 1 healthy, 0 failed outright."""
    worst = (
        frame.assign(day=pd.to_datetime(frame["signal_date"]).dt.strftime("%Y-%m-%d"))
        .groupby(["signal_name", "day"], as_index=False)["health"]
        .min()
    )
    return (
        alt.Chart(worst)
        .mark_rect()
        .encode(
            x=alt.X("day:O", title=None, axis=alt.Axis(labelAngle=-60, labelOverlap=True)),
            y=alt.Y("signal_name:N", title=None, axis=LABELS),
            color=alt.Color(
                "health:Q",
                scale=alt.Scale(domain=[0, 1], range=["#d62728", "#f2c14e", "#e8f5e9"]),
                title="worst health",
            ),
            tooltip=["signal_name:N", "day:O", alt.Tooltip("health:Q", format=".2f")],
        )
    )


def trust_over_time(frame: pd.DataFrame) -> alt.Chart:
    """A dataset's daily trust score (dataset_trust_daily), points coloured by level."""
    base = alt.Chart(frame).encode(x=alt.X("trust_date:T", title=None))
    line = base.mark_line(color="#888888").encode(
        y=alt.Y("dataset_trust_score:Q", title="dataset trust", scale=alt.Scale(domain=[0, 100]))
    )
    dots = base.mark_circle(size=50).encode(
        y="dataset_trust_score:Q",
        color=alt.Color("trust_level:N", scale=_scale(TRUST_COLORS), legend=BOTTOM),
        tooltip=[
            alt.Tooltip("trust_date:T", title="day"),
            "dataset_trust_score:Q",
            "top_reasons:N",
        ],
    )
    return alt.layer(line, dots).properties(height=200)


def detector_flags(frame: pd.DataFrame, detector: str) -> alt.LayerChart:
    """The uploaded series as one detector sees it: the band, the value, its flags in red.

    `frame`: ``scoring.flags_long`` (one row per timestamp and detector); the page draws one
    of these per detector, stacked on the same time axis, so the detectors read side by side.
    """
    rows = frame[frame["detector"] == detector]
    base = alt.Chart(rows).encode(x=alt.X("timestamp:T", title=None))
    band = base.mark_area(opacity=0.3, color="#9ecae1").encode(
        y=alt.Y("lower:Q", title=detector, scale=alt.Scale(zero=False)), y2="upper:Q"
    )
    line = base.mark_line(color="#1d2433", strokeWidth=1.2).encode(y="value:Q")
    flags = (
        base.transform_filter(alt.datum.flagged)
        .mark_circle(size=70, color=FLAG_COLOR)
        .encode(
            y="value:Q",
            tooltip=[
                alt.Tooltip("timestamp:T", title="time"),
                alt.Tooltip("value:Q", format=",.4~g"),
                alt.Tooltip("expected:Q", format=",.4~g"),
            ],
        )
    )
    return alt.layer(band, line, flags).properties(height=120)
