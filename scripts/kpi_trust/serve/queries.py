"""The SQL the read API and the dashboard share, so both show the same rows for the same filter.

Each builder returns text with ``?`` parameters (a where clause from :func:`where_clause`);
callers run it on a connection from ``warehouse.connect`` (read-only). The API pages the result,
the dashboard reads it whole. ``kpi_root_causes`` is read only through ``warehouse``.
"""

from __future__ import annotations

from datetime import date

from kpi_trust.serve.warehouse import root_cause_sql

KPI_CATALOGUE_SQL = "select * from kpi_definitions order by kpi_name"
KPI_ROW_ORDER = "order by kpi_date, kpi_name, dimension_name, dimension_value"
SERIES_ORDER = "order by kpi_name, dimension_name, dimension_value, kpi_date"
_NO_ROOT_CAUSES = (
    "select null::varchar as kpi_name, null::date as kpi_date, null::varchar as "
    "dimension_name, null::varchar as dimension_value, null::varchar as root_cause, "
    "null::double as root_cause_share, null::varchar as root_cause_sentence where false"
)


def where_clause(
    *,
    kpi: str | None = None,
    start: date | None = None,
    end: date | None = None,
    dimension_name: str | None = None,
    dimension_value: str | None = None,
    date_column: str = "kpi_date",
    kpi_column: str | None = "kpi_name",
    slice_columns: tuple[str, str] = ("dimension_name", "dimension_value"),
) -> tuple[str, list]:
    """A parameterised where clause for the filters every endpoint and page offers.

    ``None`` leaves a filter out. ``slice_columns`` names the slice's columns in tables that
    call them otherwise (``quality_signals_daily``: slice_dimension, slice_value).
    """
    clauses, params = ["true"], []
    for clause, value in (
        (f"{kpi_column} = ?", kpi if kpi_column else None),
        (f"{date_column} >= ?", start),
        (f"{date_column} <= ?", end),
        (f"{slice_columns[0]} = ?", dimension_name),
        (f"{slice_columns[1]} = ?", dimension_value),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    return " and ".join(clauses), params


def kpi_rows_sql(table: str, key: str, where: str) -> str:
    """A KPI-row table's rows (without its hash key) matching `where`, in KPI-row order."""
    return f"select * exclude ({key}) from {table} where {where} {KPI_ROW_ORDER}"


def kpi_series_sql(con, where: str = "true") -> str:
    """KPI rows with trust, the adjusted series' anomaly band, verdict and top root cause.

    One row per KPI, slice and day of ``kpi_trust_daily`` (``where`` filters them), ordered as
    series (KPI, slice, day). Anomaly columns come from the ``adjusted`` basis, the series the
    trust score vouches for; the root cause is the top one (``warehouse.root_cause_sql``).
    """
    roots = root_cause_sql(con) or _NO_ROOT_CAUSES
    return f"""
        with roots as ({roots}),
        anomalies as (
            select kpi_name, kpi_date, dimension_name, dimension_value, expected, lower, upper,
                score as anomaly_score, status as anomaly_status, is_anomaly, severity,
                detectors_agreeing
            from kpi_anomalies_daily where value_basis = 'adjusted'
        ),
        verdicts as (
            select kpi_name, kpi_date, dimension_name, dimension_value, verdict,
                reasons as verdict_sentence
            from kpi_verdicts_daily
        ),
        joined as (
            select trust.kpi_name, trust.dataset, trust.dimension_name, trust.dimension_value,
                trust.unit, trust.kpi_date, trust.value, trust.value_reported,
                trust.trust_score, trust.trust_level, trust.top_reasons,
                trust.reported_trust_score, trust.reported_trust_level,
                anomalies.expected, anomalies.lower, anomalies.upper, anomalies.anomaly_score,
                anomalies.anomaly_status, anomalies.is_anomaly, anomalies.severity,
                anomalies.detectors_agreeing, verdicts.verdict, verdicts.verdict_sentence,
                roots.root_cause, roots.root_cause_share, roots.root_cause_sentence
            from kpi_trust_daily as trust
            left join anomalies using (kpi_name, kpi_date, dimension_name, dimension_value)
            left join verdicts using (kpi_name, kpi_date, dimension_name, dimension_value)
            left join roots using (kpi_name, kpi_date, dimension_name, dimension_value)
        )
        select * from joined where {where} {SERIES_ORDER}
    """


def quality_signals_sql(where: str) -> str:
    """``quality_signals_daily`` rows matching `where` (slice columns: slice_dimension/value)."""
    return (
        "select * exclude (quality_signal_id) from quality_signals_daily where "
        f"{where} order by signal_date, dataset, signal_name, slice_dimension, slice_value"
    )


def dataset_trust_sql(where: str) -> str:
    """``dataset_trust_daily`` rows matching `where` (date column: trust_date)."""
    return (
        "select * exclude (dataset_trust_id) from dataset_trust_daily where "
        f"{where} order by trust_date, dataset"
    )
