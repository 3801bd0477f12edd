"""Great Expectations results for every day of both raw logs, run inside `dbt build`.

Why a dbt Python model: the trust score reads GE evidence from the SAME invocation that builds
the KPIs, so today's trust never reads an earlier run's results. dbt-duckdb runs this function in
dbt's process on dbt's own DuckDB connection; GE validates in SQL pushdown on a cursor of that
connection (kpi_trust.gx_validate), one query asset per day, and we return one row per
expectation per day. Incremental + append: every invocation adds its rows under its own run_id
(dbt's invocation_id), so the table keeps the history of all runs. An incremental run validates
only the days that changed since the latest run and the last var('lookback_days') days; it
carries the other days' rows under its own run_id (kpi_trust.gx_validate.Carry), so every run
still holds every day.

Data Docs for this run are written to $KPI_TRUST_GX_DIR (default ./gx, i.e. the repo root when
dbt runs there): gx/uncommitted/data_docs/local_site/index.html. KPI_TRUST_GX_DATA_DOCS=0 skips
them (benchmarks).
"""

import os
from pathlib import Path


def model(dbt, session):
    """Validate both staged raw logs per day; return this run's flattened results."""
    from kpi_trust import gx_validate
    from kpi_trust.gx_suites import API_CALLS, GAME_EVENTS

    staged = {
        API_CALLS.dataset: dbt.ref("stg_api_gateway__api_calls"),
        GAME_EVENTS.dataset: dbt.ref("stg_game_telemetry__game_events"),
    }
    sources = {
        dataset: gx_validate.raw_values_source(dataset, relation.sql_query())
        for dataset, relation in staged.items()
    }

    # GE gets a cursor of its own: it holds it open for the whole run and the sorted per-dataset
    # temp tables live on it, invisible to dbt's other connections.
    cursor = session.cursor()
    try:
        previous = gx_validate.latest_run_rows(cursor, str(dbt.this)) if dbt.is_incremental else []
        validation = gx_validate.validate_daily(
            cursor,
            sources,
            gx_validate.current_run(),
            previous=previous,
            lookback_days=int(dbt.config.get("lookback_days")),
        )
    finally:
        cursor.close()

    if os.environ.get("KPI_TRUST_GX_DATA_DOCS", "1") != "0":
        gx_dir = Path(os.environ.get("KPI_TRUST_GX_DIR", "gx"))
        gx_validate.build_data_docs(validation, gx_dir)

    return gx_validate.to_arrow(validation.rows)
