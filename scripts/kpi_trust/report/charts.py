"""The PNG plots (matplotlib, Agg backend: no display, no network).

KPI vs trust overlay, quality heatmap, reported vs adjusted and the anomaly timeline, each one
PNG with a small multiple per KPI where it helps. They go to `reports/plots/`; the memo embeds
the anomaly timeline. The interactive charts of `index.html` are inline SVG (`svg.py`).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import pandas as pd  # noqa: E402

from kpi_trust.report.data import ReportData, adjusted_basis, totals  # noqa: E402

VERDICT_COLOURS = {
    "data_incident": "#d62728",
    "repaired_incident": "#9467bd",
    "real_movement": "#1f77b4",
    "uncertain": "#7f7f7f",
}
COLUMNS = 3


def _grid(n: int, title: str):
    rows = max(1, math.ceil(n / COLUMNS))
    figure, axes = plt.subplots(
        rows, COLUMNS, figsize=(COLUMNS * 4.2, rows * 2.2), sharex=True, squeeze=False
    )
    figure.suptitle(title, fontsize=11)
    for axis in axes.flat[n:]:
        axis.set_visible(False)
    return figure, list(axes.flat)


def _save(figure, path: Path) -> Path:
    # Fixed margins: tight_layout over 18 date axes costs seconds and the layout is fixed anyway.
    figure.subplots_adjust(left=0.05, right=0.95, bottom=0.06, top=0.93, hspace=0.45, wspace=0.3)
    for axis in figure.axes:
        axis.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
        axis.xaxis.set_major_locator(matplotlib.dates.MonthLocator())
        axis.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%b %d"))
    figure.savefig(path, dpi=80)
    plt.close(figure)
    return path


def kpi_trust_overlay(data: ReportData, path: Path) -> Path | None:
    """Each KPI's total (adjusted value) with its trust score on a second axis."""
    if data.trust is None:
        return None
    series = totals(data.kpi).merge(
        totals(data.trust)[["kpi_name", "kpi_date", "trust_score"]],
        on=["kpi_name", "kpi_date"],
        how="left",
    )
    names = list(data.kpis["kpi_name"])
    figure, axes = _grid(
        len(names), "KPI total (line) vs trust score (shaded height, full = 100; red: low, < 70)"
    )
    for axis, name in zip(axes, names, strict=False):
        rows = series[series["kpi_name"] == name].sort_values("kpi_date")
        dates = pd.to_datetime(rows["kpi_date"])
        # The trust score as the shaded height of the panel (full height = 100), in axes
        # coordinates: no second axis (18 twin axes cost seconds of tick layout).
        band = axis.get_xaxis_transform()
        score = rows["trust_score"].to_numpy(dtype=float) / 100
        axis.fill_between(
            dates, 0, score, step="mid", color="#2ca02c", alpha=0.2, lw=0, transform=band
        )
        low = score < 0.7
        axis.bar(dates[low], 1, width=1.0, color="#d62728", alpha=0.3, lw=0, transform=band)
        axis.plot(dates, rows["value"], color="#1f77b4", linewidth=1)
        axis.set_title(name, fontsize=8)
        axis.tick_params(labelsize=6)
    return _save(figure, path)


def reported_vs_adjusted(data: ReportData, path: Path) -> Path:
    """Each KPI's total: the naive reported value against the adjusted one."""
    series = totals(data.kpi)
    names = list(data.kpis["kpi_name"])
    figure, axes = _grid(len(names), "Reported (naive, dashed) vs adjusted (solid), totals")
    for axis, name in zip(axes, names, strict=False):
        rows = series[series["kpi_name"] == name].sort_values("kpi_date")
        dates = pd.to_datetime(rows["kpi_date"])
        axis.plot(dates, rows["value_reported"], color="#d62728", linestyle="--", linewidth=1)
        axis.plot(dates, rows["value"], color="#1f77b4", linewidth=1)
        axis.set_title(name, fontsize=8)
        axis.tick_params(labelsize=6)
    return _save(figure, path)


def quality_heatmap(data: ReportData, path: Path) -> Path | None:
    """Health (0 bad - 1 good) of every quality signal on each dataset's total, per day."""
    if data.signals is None or data.signals.empty:
        return None
    pivot = quality_matrix(data.signals)
    figure, axis = plt.subplots(figsize=(12, 0.22 * len(pivot) + 1.5))
    image = axis.imshow(
        pivot.to_numpy(dtype=float),
        aspect="auto",
        cmap="RdYlGn",
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    axis.set_yticks(range(len(pivot)), pivot.index, fontsize=6)
    step = max(1, len(pivot.columns) // 15)
    axis.set_xticks(
        range(0, len(pivot.columns), step),
        [str(day) for day in pivot.columns[::step]],
        fontsize=6,
        rotation=45,
    )
    axis.set_title("Quality signals: lowest health over slices per day (1 = healthy)", fontsize=10)
    figure.colorbar(image, ax=axis, fraction=0.02)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)
    return path


def quality_matrix(signals: pd.DataFrame) -> pd.DataFrame:
    """dataset/signal × day: the lowest health of the scored signal over every slice that day."""
    scored = signals[signals["is_scored"].fillna(True).astype(bool)]
    scored = scored.assign(signal=scored["dataset"] + " / " + scored["signal_name"])
    return scored.pivot_table(
        index="signal", columns="signal_date", values="health", aggfunc="min"
    ).sort_index()


def anomaly_timeline(data: ReportData, path: Path) -> Path | None:
    """Every flagged KPI-day (any slice): one row per KPI, coloured by its verdict."""
    if data.anomalies is None:
        return None
    names = list(data.kpis["kpi_name"])
    position = {name: index for index, name in enumerate(names)}
    figure, axis = plt.subplots(figsize=(12, 0.3 * len(names) + 1.5))
    if data.verdicts is not None and not data.verdicts.empty:
        flagged = data.verdicts
        for verdict, rows in flagged.groupby("verdict"):
            axis.scatter(
                pd.to_datetime(rows["kpi_date"]),
                rows["kpi_name"].map(position),
                s=[30 if d == "all" else 10 for d in rows["dimension_name"]],
                color=VERDICT_COLOURS.get(str(verdict), "#bbbbbb"),
                label=str(verdict),
                alpha=0.8,
            )
        axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        flagged = adjusted_basis(data.anomalies)
        flagged = flagged[flagged["is_anomaly"].fillna(False).astype(bool)]
        axis.scatter(pd.to_datetime(flagged["kpi_date"]), flagged["kpi_name"].map(position), s=10)
    axis.set_yticks(range(len(names)), names, fontsize=7)
    axis.set_xlim(pd.Timestamp(min(data.kpi["kpi_date"])), pd.Timestamp(data.latest_date))
    axis.set_title("Anomaly timeline: flagged KPI-days (large dot = total)", fontsize=10)
    axis.grid(axis="x", alpha=0.3)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)
    return path


PLOTS = {
    "kpi_trust_overlay.png": kpi_trust_overlay,
    "quality_heatmap.png": quality_heatmap,
    "reported_vs_adjusted.png": reported_vs_adjusted,
    "anomaly_timeline.png": anomaly_timeline,
}


def write_plots(data: ReportData, out_dir: Path) -> dict[str, Path]:
    """Draw every plot whose tables exist into out_dir; returns name -> path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, draw in PLOTS.items():
        path = draw(data, out_dir / name)
        if path is not None:
            written[name] = path
    return written
