"""The page's table sections: summary, verdicts, root causes, tests, GE results, quarantine,
accuracy. Each returns plain dicts and strings for the template (formatted here, so the
template only lays them out); a section whose table is missing returns None and is left out.
"""

from __future__ import annotations

import pandas as pd

from kpi_trust.report import svg
from kpi_trust.report.data import ReportData, as_number, as_text, report_days, totals
from kpi_trust.report.memo import MemoFacts, format_value


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
            report_days(data),
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
                "test": as_text(row.test_name),
                "model": as_text(row.tested_model),
                "column": as_text(row.tested_column),
                "severity": as_text(row.severity),
                "status": as_text(row.status),
                "failures": "" if as_number(row.failures) is None else f"{row.failures:,.0f}",
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
        report_days(data),
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
        "run_id": as_text(gx["run_id"].iloc[0]),
        "run_at": as_text(gx["run_at"].max()),
        "n_results": len(gx),
        "n_failed": int(gx["failed"].sum()),
        "summary": summary.to_dict("records"),
        "failed": [
            {
                "date": str(row.batch_date),
                "dataset": as_text(row.dataset),
                "expectation": as_text(row.expectation_type),
                "column": as_text(row.column_name),
                "unexpected": ""
                if as_number(row.unexpected_count) is None
                else f"{row.unexpected_count:,.0f} of {as_number(row.element_count) or 0:,.0f}",
                "observed": as_text(row.observed_value)[:120],
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
        report_days(data),
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
        share = as_number(row.explained_share)
        out.append(
            {
                "date": str(row.kpi_date),
                "kpi": row.kpi_name,
                "slice": "=".join(
                    (as_text(row.dimension_name) or "all", as_text(row.dimension_value) or "all")
                ),
                "dim": as_text(row.dimension_name) or "all",
                "rank": "" if as_number(row.rank) is None else f"{row.rank:.0f}",
                "cause": as_text(row.root_cause),
                "effect": as_text(row.effect),
                "share": "" if share is None else f"{share * 100:.0f} %",
                "score": "" if as_number(row.score) is None else f"{row.score:.2f}",
                "sentence": as_text(row.sentence),
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
            "verdict": as_text(row.verdict),
            "severity": as_text(row.severity),
            "value": format_value(row.value, units.get(row.kpi_name)),
            "expected": format_value(row.expected, units.get(row.kpi_name)),
            "reasons": as_text(row.reasons),
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
                "reason": as_text(row.top_reasons)[:400],
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
        number = as_number(value)
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
