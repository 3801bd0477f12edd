"""Build index.html: one self-contained page (styles, script, charts inline; no request).

The page is rendered from `templates/index.html.j2` with jinja2 (autoescaped) from the
sections of `sections_charts.py` (inline SVG from `svg.py`) and `sections_tables.py`. Sections
whose tables are missing are left out and listed at the end.
"""

from __future__ import annotations

import datetime as dt
import platform
from importlib import metadata
from pathlib import Path

import jinja2

from kpi_trust.report import sections_charts as charts
from kpi_trust.report import sections_tables as tables
from kpi_trust.report import svg
from kpi_trust.report.data import ReportData, as_text
from kpi_trust.report.memo import MemoFacts

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
        "datasets": ", ".join(sorted({as_text(d) for d in data.kpis["dataset"]} - {""})),
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
        "summary": tables.summary(data, facts),
        "trust_heatmap": charts.trust_heatmap(data),
        "slice_json": charts.slice_trust_json(data),
        "charts": charts.kpi_charts(data),
        "has_anomalies": data.anomalies is not None,
        "has_forecasts": data.forecasts is not None,
        "verdicts": tables.verdict_rows(data),
        "quality": charts.quality_section(data),
        "root_causes": tables.root_cause_section(data),
        "tests": tables.tests_section(data),
        "gx": tables.gx_section(data),
        "quarantine": tables.quarantine_section(data),
        "accuracy": tables.accuracy(data),
        "meta": run_metadata(data, started),
        "notes": data.warehouse.notes,
        "plots": plots,
        "table_rows": TABLE_ROWS,
        "summary_rows": SUMMARY_ROWS,
        "verdict_colours": svg.VERDICT_COLOURS,
        "level_colours": svg.LEVEL_COLOURS,
    }
    return environment.get_template("index.html.j2").render(**context)
