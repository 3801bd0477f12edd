"""The page's chart sections: every KPI's chart, the trust heatmaps, the quality heatmap.

Each function turns `ReportData` frames into inline SVG (`svg.py`) or the compact JSON the
page's script draws the per-slice heatmap from; `html.render` puts them into the template.
"""

from __future__ import annotations

import json
import math
from html import escape

from kpi_trust.report import svg
from kpi_trust.report.data import (
    ReportData,
    adjusted_basis,
    as_number,
    as_text,
    report_days,
    totals,
)
from kpi_trust.report.memo import format_value, lead_reason


def kpi_charts(data: ReportData) -> list[dict]:
    """One chart per KPI (its total): value, reported, band, flags with verdicts, forecast."""
    days = report_days(data)
    index = {day: i for i, day in enumerate(days)}
    series = totals(data.kpi)
    trust = totals(data.trust) if data.trust is not None else None
    anomalies = totals(adjusted_basis(data.anomalies)) if data.anomalies is not None else None
    verdicts = totals(data.verdicts) if data.verdicts is not None else None
    forecasts = totals(data.forecasts) if data.forecasts is not None else None
    charts = []
    for kpi in data.kpis.itertuples():
        name, unit = kpi.kpi_name, kpi.unit
        # One row per day (a table with an unexpected extra grain must not break the chart).
        rows = series[series["kpi_name"] == name].drop_duplicates("kpi_date").set_index("kpi_date")
        value = [as_number(rows["value"].get(day)) for day in days]
        reported = [as_number(rows["value_reported"].get(day)) for day in days]
        trust_cells: list[tuple[float | None, str | None, str]] = [(None, None, "")] * len(days)
        if trust is not None:
            for row in trust[trust["kpi_name"] == name].itertuples():
                if row.kpi_date in index:
                    trust_cells[index[row.kpi_date]] = (
                        as_number(row.trust_score),
                        as_text(row.trust_level),
                        as_text(row.top_reasons),
                    )
        band = None
        flags: list[tuple[int, str, str]] = []
        if anomalies is not None:
            chosen = anomalies[anomalies["kpi_name"] == name]
            chosen = chosen.drop_duplicates("kpi_date").set_index("kpi_date")
            band = [
                (as_number(chosen["lower"].get(d)), as_number(chosen["upper"].get(d))) for d in days
            ]
            flagged = chosen[chosen["is_anomaly"].fillna(False).astype(bool)]
            verdict_of = {}
            if verdicts is not None:
                for row in verdicts[verdicts["kpi_name"] == name].itertuples():
                    verdict_of[row.kpi_date] = (as_text(row.verdict), as_text(row.reasons))
            for day in flagged.index:
                if day in index:
                    verdict, sentence = verdict_of.get(day, ("flagged", "anomaly, no verdict"))
                    flags.append((index[day], verdict, sentence))
        forecast = []
        if forecasts is not None:
            chosen = forecasts[forecasts["kpi_name"] == name].sort_values("forecast_date")
            forecast = [
                (row.forecast_date, float(row.expected), as_number(row.lower), as_number(row.upper))
                for row in chosen.itertuples()
                if as_number(row.expected) is not None and row.forecast_date > days[-1]
            ]

        def label(number: float, unit: object = unit) -> str:
            return format_value(number, unit)

        tooltip = []
        for i, day in enumerate(days):
            score, level, _ = trust_cells[i]
            parts = [f"{day} {name}: {label(value[i]) if value[i] is not None else '–'}"]
            if reported[i] is not None and reported[i] != value[i]:
                parts.append(f"reported {label(reported[i])}")
            if band and band[i][0] is not None and band[i][1] is not None:
                parts.append(f"expected {label(band[i][0])} – {label(band[i][1])}")
            if score is not None:
                parts.append(f"trust {score:.0f} ({level})")
            tooltip.append("; ".join(parts))
        last_trust = trust_cells[-1]
        charts.append(
            {
                "kpi": name,
                "dataset": as_text(kpi.dataset),
                "definition": as_text(getattr(kpi, "definition", "")),
                "latest": label(value[-1]) if value[-1] is not None else "–",
                "level": last_trust[1] or "",
                "n_flags": len(flags),
                "svg": svg.kpi_chart(
                    days,
                    value,
                    reported,
                    tooltip,
                    trust_cells,
                    band,
                    flags,
                    forecast,
                    label,
                    chart_id=name,
                ),
            }
        )
    return charts


def trust_heatmap(data: ReportData) -> str:
    """KPI × day trust of each KPI's total (hover: score, level, reasons)."""
    if data.trust is None:
        return ""
    days = report_days(data)
    names = list(data.kpis["kpi_name"])
    lookup = {
        (row.kpi_name, row.kpi_date): row for row in totals(data.trust).itertuples(index=False)
    }

    def cell(r: int, c: int):
        row = lookup.get((names[r], days[c]))
        if row is None:
            return None
        score = as_number(row.trust_score)
        text = f"{days[c]} {names[r]}: trust {score:.0f} {row.trust_level}"
        if row.trust_level != "high" and as_text(row.top_reasons):
            text += f" — {as_text(row.top_reasons)[:300]}"
        return svg.trust_colour(score, row.trust_level), text

    # Rows carry data-row-kpi, not data-kpi: the overview stays whole when a KPI is filtered.
    return svg.heatmap(names, days, cell, lambda r: f'data-row-kpi="{escape(names[r])}"')


def slice_trust_json(data: ReportData) -> str:
    """Per KPI, per slice, the daily trust scores (and reasons of non-high days) as compact
    JSON: the page draws a slice heatmap on demand instead of shipping 40k SVG cells."""
    if data.trust is None:
        return "null"
    days = report_days(data)
    frame = data.trust[data.trust["dimension_name"] != "all"]
    frame = frame.drop_duplicates(["kpi_name", "dimension_name", "dimension_value", "kpi_date"])
    keys = ["kpi_name", "dimension_name", "dimension_value"]
    # Vectorised: a groupby with a Python loop per row took seconds on the default data.
    scores = frame.pivot(index=keys, columns="kpi_date", values="trust_score").reindex(columns=days)
    position = {day: i for i, day in enumerate(days)}
    not_high = frame[frame["trust_level"] != "high"]
    reason_text = not_high["trust_level"] + ": " + not_high["top_reasons"].map(lead_reason)
    reasons: dict[tuple, dict[int, str]] = {}
    for key, day, text in zip(
        zip(*(not_high[k] for k in keys), strict=True),
        not_high["kpi_date"],
        reason_text,
        strict=True,
    ):
        reasons.setdefault(key, {})[position[day]] = text
    payload: dict = {"days": [str(d) for d in days], "kpis": {}}
    for (name, dim, val), row in zip(scores.index, scores.to_numpy(), strict=True):
        payload["kpis"].setdefault(name, []).append(
            {
                "dim": dim,
                "value": val,
                "scores": [None if math.isnan(v) else round(v) for v in row],
                "reasons": reasons.get((name, dim, val), {}),
            }
        )
    # `</` cannot appear inside the inline <script> that holds this JSON.
    return json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")


def quality_section(data: ReportData) -> dict | None:
    """Quality-signal heatmap: dataset/signal × day, the lowest health over slices."""
    if data.signals is None or data.signals.empty:
        return None
    days = report_days(data)
    scored = data.signals[data.signals["is_scored"].fillna(True).astype(bool)]
    scored = scored.assign(signal=scored["dataset"] + " / " + scored["signal_name"])
    worst = scored.sort_values("health").drop_duplicates(["signal", "signal_date"])
    lookup = {(row.signal, row.signal_date): row for row in worst.itertuples(index=False)}
    names = sorted(set(worst["signal"]))
    datasets = {row.signal: row.dataset for row in worst.itertuples(index=False)}

    def cell(r: int, c: int):
        row = lookup.get((names[r], days[c]))
        if row is None:
            return None
        health = as_number(row.health)
        where = (
            ""
            if row.slice_dimension == "all"
            else f" (worst slice {row.slice_dimension}={as_text(row.slice_value)})"
        )
        text = f"{days[c]} {names[r]}: health {health:.2f}{where}"
        if health is not None and health < 1 and as_text(row.detail):
            text += f" — {as_text(row.detail)[:240]}"
        return svg.health_colour(health), text

    unhealthy = worst[(worst["health"] < 1) & (worst["signal_date"] >= data.week_start)]
    return {
        "svg": svg.heatmap(
            names,
            days,
            cell,
            lambda r: f'data-dataset="{escape(str(datasets[names[r]]))}"',
            label_width=260,
        ),
        "n_signals": len(names),
        "n_unhealthy_week": int(len(unhealthy)),
    }
