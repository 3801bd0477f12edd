"""Every table and column the report reads, in one place.

The anomaly, verdict and root-cause tables are young and their names may still change: the
report reads each table through this spec, so adapting to a renamed column is one edit here.
A table that is missing, or lacks a required column, leaves its section out of the report (with
a note saying why) instead of breaking the whole report; a missing optional column reads as NULL.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableSpec:
    """What the report needs from one warehouse table.

    `required` columns must exist (else the section that uses the table is left out);
    `optional` columns read as NULL when absent; `aliases` maps a canonical column name to
    other names it has had or may get, tried in order after the canonical one.
    """

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)


SLICE = ("kpi_name", "kpi_date", "dimension_name", "dimension_value")

TABLES: dict[str, TableSpec] = {
    "kpi_daily": TableSpec(
        required=(*SLICE, "value", "value_reported"),
        optional=("dataset", "unit"),
    ),
    "kpi_definitions": TableSpec(
        required=("kpi_name",),
        optional=("dataset", "unit", "definition", "formula"),
    ),
    "kpi_trust_daily": TableSpec(
        required=(*SLICE, "trust_score", "trust_level"),
        optional=(
            "dataset",
            "top_reasons",
            "reported_trust_score",
            "reported_trust_level",
            "min_detectable_loss",
        ),
    ),
    "kpi_anomalies_daily": TableSpec(
        required=(*SLICE, "expected", "lower", "upper", "is_anomaly"),
        optional=("value_basis", "score", "z", "severity", "status", "direction"),
        aliases={"value_basis": ("basis",), "is_anomaly": ("is_flagged", "flag")},
    ),
    "kpi_verdicts_daily": TableSpec(
        required=(*SLICE, "verdict"),
        optional=(
            "dataset",
            "reasons",
            "direction",
            "severity",
            "value",
            "expected",
            "value_reported",
            "expected_reported",
            "moved_basis",
            "moved_trust_level",
        ),
        aliases={"verdict": ("verdict_class",), "reasons": ("sentence", "verdict_sentence")},
    ),
    "kpi_forecasts_daily": TableSpec(
        required=("kpi_name", "dimension_name", "dimension_value", "forecast_date", "expected"),
        optional=("lower", "upper", "horizon_days"),
    ),
    "kpi_root_causes": TableSpec(
        required=("kpi_name", "kpi_date", "root_cause"),
        optional=(
            "dimension_name",
            "dimension_value",
            "rank",
            "score",
            "explained_share",
            "effect",
            "sentence",
        ),
        aliases={
            "root_cause": ("cause", "segment", "root_cause_segment"),
            "rank": ("root_cause_rank", "cause_rank"),
            "explained_share": ("share_explained", "contribution_share"),
            "dimension_name": ("anomaly_dimension_name",),
            "dimension_value": ("anomaly_dimension_value",),
        },
    ),
    "quality_signals_daily": TableSpec(
        required=("dataset", "signal_name", "signal_date", "health", "slice_dimension"),
        optional=("slice_value", "signal_category", "is_scored", "detail"),
    ),
    "dbt_test_results": TableSpec(
        required=("invocation_id", "test_name", "status", "run_started_at"),
        optional=("tested_model", "tested_column", "severity", "failures"),
    ),
    "dbt_test_failures_daily": TableSpec(
        required=("invocation_id", "test_name", "failure_date", "failing_rows"),
        optional=("tested_model", "tested_column", "severity"),
    ),
    "gx_validation_results": TableSpec(
        required=("run_id", "expectation_type", "success", "batch_date"),
        optional=(
            "dataset",
            "suite_name",
            "column_name",
            "kwargs",
            "observed_value",
            "unexpected_count",
            "element_count",
            "exception_message",
            "run_at",
        ),
    ),
    "quarantined_rows": TableSpec(
        required=("dataset", "quarantine_reason", "record_date"),
        optional=("quarantine_column",),
    ),
    # Measured accuracy against labelled incidents: only meaningful when the data has labels.
    "trust_metrics": TableSpec(
        required=("score_kind", "row_scope", "kpi_name", "n_positives", "precision", "recall"),
        optional=("dataset", "false_alarm_rate"),
    ),
    "anomaly_metrics": TableSpec(
        required=("detector", "n_incidents"),
        optional=(
            "incidents_detected_share",
            "verdicts_right_share",
            "false_alarms_per_30_days",
        ),
    ),
}

# Verdict values the memo and colours know; any other value is shown as it is, in grey.
VERDICTS = ("data_incident", "repaired_incident", "real_movement", "uncertain")
# Trust levels, best first (README: high >= 90, medium 70-90, low < 70).
TRUST_LEVELS = ("high", "medium", "insufficient_data", "low")
# The total row of every KPI in kpi_daily (docs/design.md).
TOTAL = ("all", "all")
# The memo's "week": the 7 days ending on the latest day of kpi_daily.
WEEK_DAYS = 7
