"""Build index.html: one self-contained page (styles, script, charts inline; no request).

The page is rendered from `templates/index.html.j2` with jinja2 (autoescaped); the charts are
inline SVG from `svg.py`. Sections whose tables are missing are left out and listed at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import platform
from html import escape
from importlib import metadata
from pathlib import Path

import jinja2
import pandas as pd

from kpi_trust.report import svg
from kpi_trust.report.data import ReportData, adjusted_basis, totals
from kpi_trust.report.memo import MemoFacts, format_value, lead_reason

TEMPLATES = Path(__file__).parent / "templates"
VERSIONED = (
    "kpi-trust",
    "dbt-core",
    "dbt-duckdb",
    "duckdb",
    "great_expectations",
    "pandas",
    "matplotlib",
    "jinja2",
    "weasyprint",
)
# Rows shown in the long tables before "show all" (the rest stay in the page, collapsed).
TABLE_ROWS = 40
# The summary's "not trusted" table is read first: shorter (worst rows first).
SUMMARY_ROWS = 12


def _num(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return float(value)


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _days(data: ReportData) -> list[dt.date]:
    return sorted(set(data.kpi["kpi_date"]))


def kpi_charts(data: ReportData) -> list[dict]:
    """One chart per KPI (its total): value, reported, band, flags with verdicts, forecast."""
    days = _days(data)
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
        value = [_num(rows["value"].get(day)) for day in days]
        reported = [_num(rows["value_reported"].get(day)) for day in days]
        trust_cells: list[tuple[float | None, str | None, str]] = [(None, None, "")] * len(days)
        if trust is not None:
            for row in trust[trust["kpi_name"] == name].itertuples():
                if row.kpi_date in index:
                    trust_cells[index[row.kpi_date]] = (
                        _num(row.trust_score),
                        _text(row.trust_level),
                        _text(row.top_reasons),
                    )
        band = None
        flags: list[tuple[int, str, str]] = []
        if anomalies is not None:
            chosen = anomalies[anomalies["kpi_name"] == name]
            chosen = chosen.drop_duplicates("kpi_date").set_index("kpi_date")
            band = [(_num(chosen["lower"].get(d)), _num(chosen["upper"].get(d))) for d in days]
            flagged = chosen[chosen["is_anomaly"].fillna(False).astype(bool)]
            verdict_of = {}
            if verdicts is not None:
                for row in verdicts[verdicts["kpi_name"] == name].itertuples():
                    verdict_of[row.kpi_date] = (_text(row.verdict), _text(row.reasons))
            for day in flagged.index:
                if day in index:
                    verdict, sentence = verdict_of.get(day, ("flagged", "anomaly, no verdict"))
                    flags.append((index[day], verdict, sentence))
        forecast = []
        if forecasts is not None:
            chosen = forecasts[forecasts["kpi_name"] == name].sort_values("forecast_date")
            forecast = [
                (row.forecast_date, float(row.expected), _num(row.lower), _num(row.upper))
                for row in chosen.itertuples()
                if _num(row.expected) is not None and row.forecast_date > days[-1]
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
                "dataset": _text(kpi.dataset),
                "definition": _text(getattr(kpi, "definition", "")),
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
    days = _days(data)
    names = list(data.kpis["kpi_name"])
    lookup = {
        (row.kpi_name, row.kpi_date): row for row in totals(data.trust).itertuples(index=False)
    }

    def cell(r: int, c: int):
        row = lookup.get((names[r], days[c]))
        if row is None:
            return None
        score = _num(row.trust_score)
        text = f"{days[c]} {names[r]}: trust {score:.0f} {row.trust_level}"
        if row.trust_level != "high" and _text(row.top_reasons):
            text += f" — {_text(row.top_reasons)[:300]}"
        return svg.trust_colour(score, row.trust_level), text

    # Rows carry data-row-kpi, not data-kpi: the overview stays whole when a KPI is filtered.
    return svg.heatmap(names, days, cell, lambda r: f'data-row-kpi="{escape(names[r])}"')


def slice_trust_json(data: ReportData) -> str:
    """Per KPI, per slice, the daily trust scores (and reasons of non-high days) as compact
    JSON: the page draws a slice heatmap on demand instead of shipping 40k SVG cells."""
    if data.trust is None:
        return "null"
    days = _days(data)
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
    days = _days(data)
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
        health = _num(row.health)
        where = (
            ""
            if row.slice_dimension == "all"
            else f" (worst slice {row.slice_dimension}={_text(row.slice_value)})"
        )
        text = f"{days[c]} {names[r]}: health {health:.2f}{where}"
        if health is not None and health < 1 and _text(row.detail):
            text += f" — {_text(row.detail)[:240]}"
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


def _per_day_bars(days, frame, date_column, count, describe, colour) -> str:
    counts = {day: 0.0 for day in days}
    texts = {day: "" for day in days}
    for day, rows in frame.groupby(date_column):
        if day in counts:
            counts[day] = float(count(rows))
            texts[day] = describe(rows)
    return svg.bars(
        days,
        [counts[d] for d in days],
        [f"{d}: {counts[d]:,.0f} {texts[d]}" for d in days],
        colour,
    )


def tests_section(data: ReportData) -> dict | None:
    """The latest build's dbt tests: status counts, failing tests, failing rows per day."""
    if data.tests is None or data.tests.empty:
        return None
    tests = data.tests
    failing = tests[tests["status"] != "pass"].sort_values(["status", "test_name"])
    bars = ""
    if data.test_failures is not None and not data.test_failures.empty:
        bars = _per_day_bars(
            _days(data),
            data.test_failures,
            "failure_date",
            lambda rows: rows["test_name"].nunique(),
            lambda rows: "failing test(s): " + ", ".join(sorted(set(rows["test_name"])))[:400],
            "#ff9f1c",
        )
    return {
        "invocation_id": tests["invocation_id"].iloc[0],
        "run_started_at": str(tests["run_started_at"].max()),
        "status_counts": tests["status"].value_counts().to_dict(),
        "failing": [
            {
                "test": _text(row.test_name),
                "model": _text(row.tested_model),
                "column": _text(row.tested_column),
                "severity": _text(row.severity),
                "status": _text(row.status),
                "failures": "" if _num(row.failures) is None else f"{row.failures:,.0f}",
            }
            for row in failing.itertuples()
        ],
        "bars": bars,
    }


def gx_section(data: ReportData) -> dict | None:
    """Great Expectations results rendered by us (their Data Docs are blank offline)."""
    if data.gx is None or data.gx.empty:
        return None
    gx = data.gx.copy()
    gx["failed"] = ~gx["success"].fillna(False).astype(bool)
    gx["column_name"] = gx["column_name"].fillna("")
    summary = (
        gx.groupby(["dataset", "expectation_type", "column_name"], dropna=False)
        .agg(n_days=("batch_date", "nunique"), n_failed=("failed", "sum"))
        .reset_index()
        .sort_values(["n_failed", "dataset", "expectation_type"], ascending=[False, True, True])
    )
    failed = gx[gx["failed"]].sort_values(["batch_date", "dataset", "expectation_type"])
    bars = _per_day_bars(
        _days(data),
        failed,
        "batch_date",
        len,
        lambda rows: (
            "failed expectation(s): "
            + ", ".join(sorted(set(rows["expectation_type"] + " " + rows["column_name"])))[:400]
        ),
        "#d62728",
    )
    return {
        "run_id": _text(gx["run_id"].iloc[0]),
        "run_at": _text(gx["run_at"].max()),
        "n_results": len(gx),
        "n_failed": int(gx["failed"].sum()),
        "summary": summary.to_dict("records"),
        "failed": [
            {
                "date": str(row.batch_date),
                "dataset": _text(row.dataset),
                "expectation": _text(row.expectation_type),
                "column": _text(row.column_name),
                "unexpected": ""
                if _num(row.unexpected_count) is None
                else f"{row.unexpected_count:,.0f} of {_num(row.element_count) or 0:,.0f}",
                "observed": _text(row.observed_value)[:120],
            }
            for row in failed.itertuples()
        ],
        "bars": bars,
    }


def quarantine_section(data: ReportData) -> dict | None:
    """Quarantined raw rows: by dataset, reason and column, and per day."""
    if data.quarantine is None:
        return None
    rows = data.quarantine
    by_reason = (
        rows.assign(quarantine_column=rows["quarantine_column"].fillna(""))
        .groupby(["dataset", "quarantine_reason", "quarantine_column"])
        .size()
        .reset_index(name="n_rows")
        .sort_values("n_rows", ascending=False)
    )
    bars = _per_day_bars(
        _days(data),
        rows[rows["record_date"].notna()],
        "record_date",
        len,
        lambda day_rows: (
            "rows quarantined: "
            + ", ".join(
                f"{reason} {n}"
                for reason, n in day_rows["quarantine_reason"].value_counts().items()
            )
        ),
        "#9467bd",
    )
    return {
        "total": len(rows),
        "undated": int(rows["record_date"].isna().sum()),
        "by_reason": by_reason.to_dict("records"),
        "bars": bars,
    }


def root_cause_section(data: ReportData) -> list[dict] | None:
    """Root causes of the anomalies of the latest week, best-ranked first."""
    if data.root_causes is None:
        return None
    causes = data.root_causes[data.root_causes["kpi_date"] >= data.week_start].copy()
    causes["rank"] = pd.to_numeric(causes["rank"], errors="coerce")
    causes = causes.sort_values(["kpi_date", "kpi_name", "rank"], ascending=[False, True, True])
    out = []
    for row in causes.itertuples():
        share = _num(row.explained_share)
        out.append(
            {
                "date": str(row.kpi_date),
                "kpi": row.kpi_name,
                "slice": (
                    f"{_text(row.dimension_name) or 'all'}={_text(row.dimension_value) or 'all'}"
                ),
                "dim": _text(row.dimension_name) or "all",
                "rank": "" if _num(row.rank) is None else f"{row.rank:.0f}",
                "cause": _text(row.root_cause),
                "effect": _text(row.effect),
                "share": "" if share is None else f"{share * 100:.0f} %",
                "score": "" if _num(row.score) is None else f"{row.score:.2f}",
                "sentence": _text(row.sentence),
            }
        )
    return out


def verdict_rows(data: ReportData) -> list[dict] | None:
    """Every verdict (all slices), newest first: the table under the charts."""
    if data.verdicts is None:
        return None
    units = dict(zip(data.kpis["kpi_name"], data.kpis["unit"], strict=False))
    rows = data.verdicts.sort_values(["kpi_date", "kpi_name"], ascending=[False, True])
    return [
        {
            "date": str(row.kpi_date),
            "kpi": row.kpi_name,
            "dim": row.dimension_name,
            "slice": f"{row.dimension_name}={row.dimension_value}",
            "verdict": _text(row.verdict),
            "severity": _text(row.severity),
            "value": format_value(row.value, units.get(row.kpi_name)),
            "expected": format_value(row.expected, units.get(row.kpi_name)),
            "reasons": _text(row.reasons),
            "in_week": row.kpi_date >= data.week_start,
        }
        for row in rows.itertuples()
    ]


def summary(data: ReportData, facts: MemoFacts) -> dict:
    """The latest day and week: trusted KPIs, the not-trusted ones and why."""
    latest_rows = []
    not_trusted = []
    if data.trust is not None:
        week = totals(data.trust)
        week = week[week["kpi_date"] >= data.week_start]
        latest = week[week["kpi_date"] == data.latest_date].set_index("kpi_name")
        kpi_latest = totals(data.kpi)
        kpi_latest = kpi_latest[kpi_latest["kpi_date"] == data.latest_date]
        values = dict(zip(kpi_latest["kpi_name"], kpi_latest["value"], strict=False))
        units = dict(zip(data.kpis["kpi_name"], data.kpis["unit"], strict=False))
        for name in data.kpis["kpi_name"]:
            kpi_week = week[week["kpi_name"] == name]
            row = latest.loc[name] if name in latest.index else None
            latest_rows.append(
                {
                    "kpi": name,
                    "value": format_value(values.get(name), units.get(name)),
                    "score": "–" if row is None else f"{row['trust_score']:.0f}",
                    "level": "" if row is None else row["trust_level"],
                    "week_low": int((kpi_week["trust_level"] == "low").sum()),
                    "week_not_high": int((kpi_week["trust_level"] != "high").sum()),
                }
            )
        # Worst first: low, then medium, then too little data to judge (README's levels).
        order = {"low": 0, "medium": 1, "insufficient_data": 2}
        bad = week[week["trust_level"] != "high"]
        bad = bad.assign(_order=bad["trust_level"].map(order).fillna(3)).sort_values(
            ["_order", "kpi_date", "kpi_name"]
        )
        not_trusted = [
            {
                "date": str(row.kpi_date),
                "kpi": row.kpi_name,
                "level": row.trust_level,
                "score": f"{row.trust_score:.0f}",
                "reason": _text(row.top_reasons)[:400],
            }
            for row in bad.itertuples()
        ]
    levels_latest = {}
    for row in latest_rows:
        levels_latest[row["level"]] = levels_latest.get(row["level"], 0) + 1
    return {
        "latest_rows": latest_rows,
        "levels_latest": levels_latest,
        "not_trusted": not_trusted,
        "facts": facts,
    }


def accuracy(data: ReportData) -> dict | None:
    """Measured accuracy against labelled incidents: only when the data has labels."""
    if not data.has_labels:
        return None
    metrics = data.trust_metrics
    overall = metrics[metrics["kpi_name"] == "overall"]
    if overall["dataset"].notna().any():  # one row per dataset and one over all of them
        overall = overall[overall["dataset"] == "all"]

    def share(value: object, digits: int = 3) -> str:
        number = _num(value)
        return "–" if number is None else f"{number:.{digits}f}"

    trust = [
        {
            "score_kind": row.score_kind,
            "row_scope": row.row_scope,
            "precision": share(row.precision),
            "recall": share(row.recall),
            "false_alarm_rate": share(row.false_alarm_rate),
            "n_positives": f"{row.n_positives:,.0f}",
        }
        for row in overall.sort_values(["score_kind", "row_scope"]).itertuples()
    ]
    detectors = []
    if data.anomaly_metrics is not None:
        detectors = [
            {
                "detector": row.detector,
                "n_incidents": f"{row.n_incidents:,.0f}",
                "detected": share(row.incidents_detected_share, 2),
                "verdicts_right": share(row.verdicts_right_share, 2),
                "false_alarms": share(row.false_alarms_per_30_days, 2),
            }
            for row in data.anomaly_metrics.itertuples()
        ]
    return {"trust": trust, "detectors": detectors}


def run_metadata(data: ReportData, started: dt.datetime) -> dict:
    """When, which data, which dbt invocation and which versions built this report."""
    warehouse = data.warehouse
    versions = {}
    for package in VERSIONED:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    versions["python"] = platform.python_version()
    counts = {}
    for table in ("kpi_daily", "kpi_trust_daily", "quality_signals_daily", "quarantined_rows"):
        if table in warehouse.columns:
            counts[table] = warehouse.scalar(f"select count(*) from main.{table}")
    return {
        "generated_at": started.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "warehouse": str(warehouse.path),
        "warehouse_mb": f"{warehouse.path.stat().st_size / 1e6:,.0f}",
        "first_date": str(min(data.kpi["kpi_date"])),
        "latest_date": str(data.latest_date),
        "datasets": ", ".join(sorted({_text(d) for d in data.kpis["dataset"]} - {""})),
        "n_kpis": len(data.kpis),
        "counts": counts,
        "labels": "yes (generated data: accuracy shown)" if data.has_labels else "no",
        "dbt_invocation": None
        if data.tests is None or data.tests.empty
        else {
            "id": data.tests["invocation_id"].iloc[0],
            "started": str(data.tests["run_started_at"].max()),
        },
        "versions": versions,
    }


def render(data: ReportData, facts: MemoFacts, started: dt.datetime, plots: list[str]) -> str:
    """The whole page as one HTML string."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    dimensions = sorted(set(data.kpi["dimension_name"]) - {"all"})
    context = {
        "css": (TEMPLATES / "report.css").read_text(encoding="utf-8"),
        "js": (TEMPLATES / "report.js").read_text(encoding="utf-8"),
        "week_start": data.week_start,
        "latest_date": data.latest_date,
        "kpis": list(data.kpis["kpi_name"]),
        "dimensions": dimensions,
        "summary": summary(data, facts),
        "trust_heatmap": trust_heatmap(data),
        "slice_json": slice_trust_json(data),
        "charts": kpi_charts(data),
        "has_anomalies": data.anomalies is not None,
        "has_forecasts": data.forecasts is not None,
        "verdicts": verdict_rows(data),
        "quality": quality_section(data),
        "root_causes": root_cause_section(data),
        "tests": tests_section(data),
        "gx": gx_section(data),
        "quarantine": quarantine_section(data),
        "accuracy": accuracy(data),
        "meta": run_metadata(data, started),
        "notes": data.warehouse.notes,
        "plots": plots,
        "table_rows": TABLE_ROWS,
        "summary_rows": SUMMARY_ROWS,
        "verdict_colours": svg.VERDICT_COLOURS,
        "level_colours": svg.LEVEL_COLOURS,
    }
    return environment.get_template("index.html.j2").render(**context)
