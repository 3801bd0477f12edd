"""quality_signals_daily: each injected data-quality incident moves the signal meant
to catch it on its labelled days; clean days and business-incident days keep every non-volume
signal healthy; every row carries its slice, scope, thresholds and a health read from them.

One generated dataset at the default daily scale (60 days: every incident type of the
catalogue gets scheduled) is built up to quality_signals_daily in files mode (~20 s).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import dbt_env, generate_raw, run_dbt
from kpi_trust.generator import GeneratorConfig

# The default API scale and a third of the default players (~35 purchases a day: where the
# count tests have the least power, and within `make test`'s time), 60 days so every incident
# type gets scheduled.
DATASET = {
    "seed": 11,
    "days": 60,
    "api_calls_per_day": GeneratorConfig.api_calls_per_day,
    "players": 27_000,
}
HEALTHY = 0.9
BROKEN = 0.5
# A count test can only see a loss that is large against the count's own noise: a fraction m
# lost from an expected count E moves the test by about m * sqrt(E) standard deviations. A
# labelled day is held to "broken" only where that is past the fail threshold (z -4.75) with
# 95 % power (+1.65); below it the loss is inside the noise (trust reports insufficient_data).
DETECTABLE_Z = 4.75 + 1.65


@pytest.fixture(scope="module")
def quality_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """(warehouse file, labelled incidents) of the dataset built up to quality_signals_daily."""
    work = tmp_path_factory.mktemp("quality_signals")
    raw_dir = generate_raw(work / "raw", **DATASET)
    empty_seeds = work / "seeds"
    empty_seeds.mkdir()
    env = dbt_env(
        work,
        seed_dir=empty_seeds,
        KPI_TRUST_RAW_SOURCE="files",
        KPI_TRUST_RAW_DIR=str(raw_dir),
        KPI_TRUST_RAW_FORMAT="csv",
    )
    run_dbt(
        ["build", "--select", "+quality_signals_daily", "quality_thresholds",
         "--exclude", "test_type:data"],
        env,
    )  # fmt: skip
    incidents = pd.read_csv(raw_dir / "injected_incidents.csv", dtype=str)
    return work / "kpi.duckdb", incidents


@pytest.fixture(scope="module")
def signals(quality_warehouse: tuple[Path, pd.DataFrame]) -> pd.DataFrame:
    db_path, _ = quality_warehouse
    with duckdb.connect(str(db_path), read_only=True) as con:
        frame = con.sql("select * from quality_signals_daily").df()
    frame["signal_date"] = pd.to_datetime(frame["signal_date"]).dt.date
    return frame


def labelled_days(incident: pd.Series) -> list[date]:
    """UTC days the half-open window [start_at, end_at) touches."""
    start = pd.Timestamp(incident["start_at"])
    last = pd.Timestamp(incident["end_at"]) - pd.Timedelta(microseconds=1)
    days = (last.normalize() - start.normalize()).days
    return [start.date() + timedelta(days=offset) for offset in range(days + 1)]


def incident_kind(incident: pd.Series) -> str:
    """Catalogue variant of a label, read from its lineage (affected_kpis)."""
    if incident["incident_type"] == "quarantine_heavy_day":
        return f"quarantine_heavy_day.{incident['dataset']}"
    if incident["incident_type"] != "schema_drift":
        return incident["incident_type"]
    if incident["dataset"] == "game_events":
        return "schema_drift.event_rename"
    if "api_p50_latency_ms" in incident["affected_kpis"].split("|"):
        return "schema_drift.latency_unit"
    return "schema_drift.status_casing"


# The signal meant to catch each data-quality incident kind.
INTENDED_SIGNAL = {
    "tracking_outage": "purchase_rate_vs_rest",
    "schema_drift.event_rename": "event_name_alias_rate",
    "schema_drift.status_casing": "noncanonical_status_rate",
    "schema_drift.latency_unit": "latency_unit_drift_rate",
    "bot_spike": "bot_user_share",
    "timestamp_shift": "implausible_timestamp_rate",
    "duplicate_ingestion": "duplicate_id_rate",
    "null_burst": "required_field_null_rate",
    "late_batch": "late_arrival_rate",
    "pipeline_stall": "hourly_coverage",
    "partial_event_loss": "purchase_rate_vs_rest",
    "batch_clock_skew": "implausible_timestamp_rate",
    "implausible_timestamp": "implausible_timestamp_rate",
    "quarantine_heavy_day.api_calls": "invalid_value_rate",
    "quarantine_heavy_day.game_events": "unknown_event_name_rate",
}
# Kinds the 60-day dataset may not have room for (scheduled last in the catalogue).
OPTIONAL_KINDS = {
    "pipeline_stall", "partial_event_loss", "batch_clock_skew", "implausible_timestamp",
    "quarantine_heavy_day.api_calls", "quarantine_heavy_day.game_events",
}  # fmt: skip
# Rows a clock bug pushes past midnight are quarantined (event after ingestion) and counted on
# the day they were ingested: the label's extra hours on the next day carry no evidence.
SHIFTING_KINDS = {"timestamp_shift", "batch_clock_skew"}


def incident_days(incidents: pd.DataFrame, category: str | None = None) -> set[tuple[str, date]]:
    rows = incidents if category is None else incidents[incidents["category"] == category]
    return {(row["dataset"], day) for _, row in rows.iterrows() for day in labelled_days(row)}


def test_dataset_schedules_every_incident_kind(quality_warehouse):
    _, incidents = quality_warehouse
    kinds = set(incidents.apply(incident_kind, axis=1))
    assert set(INTENDED_SIGNAL) - OPTIONAL_KINDS <= kinds
    assert {"latency_regression", "failure_spike", "conversion_drop", "campaign_spike"} <= kinds


@pytest.mark.parametrize("kind", sorted(INTENDED_SIGNAL))
def test_data_quality_incident_moves_its_signal(kind, quality_warehouse, signals):
    _, incidents = quality_warehouse
    chosen = incidents[
        (incidents["category"] == "data_quality") & (incidents.apply(incident_kind, axis=1) == kind)
    ]
    if chosen.empty and kind in OPTIONAL_KINDS:
        pytest.skip(f"{kind} not scheduled in this dataset")
    assert len(chosen) > 0
    for _, incident in chosen.iterrows():
        signal_name = INTENDED_SIGNAL[kind]
        if kind == "tracking_outage" and incident["slice_dimension"] == "all":
            signal_name = "purchase_rate_drop"  # no other slice to compare with
        days = labelled_days(incident)
        if kind in SHIFTING_KINDS and pd.Timestamp(incident["end_at"]).hour:
            days = days[:-1]
        for day in days:
            rows = signals[
                (signals["dataset"] == incident["dataset"])
                & (signals["signal_date"] == day)
                & (signals["signal_name"] == signal_name)
                & (signals["slice_dimension"] == incident["slice_dimension"])
                & (signals["slice_value"] == incident["slice_value"])
            ]
            assert len(rows) > 0, (incident["incident_id"], day, signal_name)
            worst = rows.sort_values("health").iloc[0]
            if worst["baseline_method"] == "count_test" and kind != "pipeline_stall":
                loss = float(incident["magnitude"])
                if loss * worst["expected_count"] ** 0.5 < DETECTABLE_Z:
                    continue  # inside the count's noise: not a miss
            assert worst["health"] < BROKEN, (incident["incident_id"], day, worst["detail"])


def unhealthy(signals: pd.DataFrame, days: set[tuple[str, date]]) -> pd.DataFrame:
    on_days = signals.apply(lambda row: (row["dataset"], row["signal_date"]) in days, axis=1)
    return signals[
        on_days & (signals["signal_category"] != "volume") & (signals["health"] < HEALTHY)
    ][["dataset", "signal_date", "slice_value", "signal_name", "health", "detail"]]


def test_count_tests_false_alarm_rate_on_clean_days(quality_warehouse, signals):
    """The count tests are calibrated statistics: on days no incident touches, the share of
    tests past their warn threshold (one-sided 1e-3 under the model) stays small. Measured on
    this dataset: see docs/trust.md "False alarms"."""
    _, incidents = quality_warehouse
    touched = incident_days(incidents)
    tests = signals[(signals["baseline_method"] == "count_test") & signals["measure"].notna()]
    clean = tests[~tests.apply(lambda row: (row["dataset"], row["signal_date"]) in touched, axis=1)]
    assert len(clean) > 2_000
    warned = clean[clean["health"] < 1]
    failed = clean[clean["health"] == 0]
    assert len(warned) / len(clean) <= 0.01, warned[["signal_date", "slice_value", "detail"]]
    assert len(failed) / len(clean) <= 0.002, failed[["signal_date", "slice_value", "detail"]]


def test_clean_days_keep_every_non_volume_signal_healthy(quality_warehouse, signals):
    _, incidents = quality_warehouse
    touched = incident_days(incidents)
    clean = {
        (row["dataset"], row["signal_date"])
        for _, row in signals[["dataset", "signal_date"]].drop_duplicates().iterrows()
    } - touched
    assert len(clean) > 40
    bad = unhealthy(signals, clean)
    assert bad.empty, bad.to_string()


def test_business_incident_days_keep_every_non_volume_signal_healthy(quality_warehouse, signals):
    _, incidents = quality_warehouse
    business_only = incident_days(incidents, "business") - incident_days(incidents, "data_quality")
    assert len(business_only) >= 8
    bad = unhealthy(signals, business_only)
    assert bad.empty, bad.to_string()


def test_volume_notices_duplicate_replays(quality_warehouse, signals):
    """Volume is the one signal allowed to move on business days; it still sees a replay."""
    _, incidents = quality_warehouse
    replays = incidents[incidents["incident_type"] == "duplicate_ingestion"]
    for _, incident in replays.iterrows():
        rows = signals[
            (signals["dataset"] == incident["dataset"])
            & (signals["signal_name"] == "row_count_robust_z")
            & (signals["slice_dimension"] == "all")
            & signals["signal_date"].isin(labelled_days(incident))
        ]
        assert (rows["measure"] > 0).all(), rows[["signal_date", "detail"]].to_string()


# dbt vars quality_material_loss_warn / _fail: the materiality scale of a count test's loss.
MATERIAL_LOSS = (0.005, 0.05)


def expected_health(row: pd.Series) -> float:
    warn, fail = row["threshold_warn"], row["threshold_fail"]
    measure = abs(row["measure"]) if row["direction"] == "abs_higher_is_worse" else row["measure"]
    if row["direction"] == "lower_is_worse":
        health = min(1.0, max(0.0, (measure - fail) / (warn - fail)))
    else:
        health = min(1.0, max(0.0, (fail - measure) / (fail - warn)))
    if row["baseline_method"] == "count_test":
        warn, fail = MATERIAL_LOSS
        loss = 0.0 if pd.isna(row["loss_share"]) else row["loss_share"]
        health = max(health, min(1.0, max(0.0, (fail - loss) / (fail - warn))))
    return health


def test_health_reads_the_measure_through_the_thresholds(signals):
    scored = signals[signals["is_scored"]]
    assert len(scored) > 1_000
    assert scored["health"].between(0, 1).all()
    expected = scored.apply(expected_health, axis=1)
    pd.testing.assert_series_equal(
        scored["health"], expected, check_names=False, check_exact=False, atol=1e-9
    )
    unscored = signals[~signals["is_scored"]]
    assert unscored["health"].isna().all() and unscored["measure"].isna().all()
    assert unscored["detail"].str.startswith("not scored").all()


def test_every_row_says_what_it_concerns(signals, quality_warehouse):
    db_path, _ = quality_warehouse
    for column in ["dataset", "slice_dimension", "slice_value", "signal_name", "scope",
                   "signal_category", "detail", "threshold_warn", "threshold_fail"]:  # fmt: skip
        assert signals[column].notna().all(), column
    assert set(signals["slice_dimension"]) == {
        "all", "api_name", "region", "document_type", "client_type",
        "platform", "country", "acquisition_channel",
    }  # fmt: skip
    with duckdb.connect(str(db_path), read_only=True) as con:
        seeded = set(con.sql("select signal_name from raw.quality_thresholds").df()["signal_name"])
    assert set(signals["signal_name"]) == seeded
    by_scope = signals.groupby("signal_name")["scope"].agg(set).to_dict()
    assert by_scope["event_name_alias_rate"] == {"event_name=purchase"}
    assert by_scope["purchase_rate_drop"] == {"event_name=purchase"}
    assert by_scope["hourly_coverage"] == {"rows"}
    assert by_scope["noncanonical_status_rate"] == {"status"}
    assert by_scope["latency_unit_drift_rate"] == {"latency_ms"}
    assert by_scope["bot_user_share"] == {"user_id"}
    assert by_scope["duplicate_id_rate"] == {"call_id", "event_id"}
