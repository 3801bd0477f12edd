"""Great Expectations inside `dbt build`: right days fail, clean and business days pass, history.

One small labelled dataset (24 days, 3 warm-up days, every incident of the catalogue) is built
with `dbt run --select +gx_validation_results` in files mode, then the GE model runs once more
and its dbt tests run: `gx_validation_results` must then hold two runs, each under its dbt
invocation id, with a unique primary key over the whole history.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import dbt_env, generate_raw, run_dbt

GX_CONFIG = {"seed": 7, "days": 24, "warmup_days": 3, "api_calls_per_day": 400, "players": 3000}

# Data-quality incident -> the expectation (suite-relative key) that must fail on its days.
EXPECTED_FAILURES = {
    ("api_calls", "duplicate_ingestion"): "expect_column_values_to_be_unique.call_id",
    ("game_events", "duplicate_ingestion"): "expect_column_values_to_be_unique.event_id",
    ("api_calls", "null_burst"): "expect_column_values_to_not_be_null.latency_ms",
    ("game_events", "null_burst"): "expect_column_values_to_not_be_null.user_id",
    ("api_calls", "schema_drift.status_casing"): "expect_column_values_to_be_in_set.status",
    ("api_calls", "schema_drift.latency_unit"): (
        "expect_column_quantile_values_to_be_between.latency_ms"
    ),
    ("game_events", "schema_drift.event_rename"): "expect_column_values_to_be_in_set.event_name",
}


@dataclass(frozen=True)
class GxWarehouse:
    """The built warehouse, its labels by day, and the dbt invocation ids of the two runs."""

    db_path: Path
    gx_dir: Path
    labels: dict[tuple[str, dt.date], list[dict[str, str]]]
    invocation_ids: tuple[str, str]


def _labels_by_day(path: Path) -> dict[tuple[str, dt.date], list[dict[str, str]]]:
    """Incident labels keyed by (dataset, day) for every day their window touches."""
    by_day: dict[tuple[str, dt.date], list[dict[str, str]]] = defaultdict(list)
    with path.open(newline="") as handle:
        for label in csv.DictReader(handle):
            start = dt.datetime.fromisoformat(label["start_at"])
            end = dt.datetime.fromisoformat(label["end_at"])
            day = start.date()
            while dt.datetime.combine(day, dt.time()) < end:
                by_day[(label["dataset"], day)].append(label)
                day += dt.timedelta(days=1)
    return by_day


def _incident_key(label: dict[str, str]) -> tuple[str, str]:
    """(dataset, type[.variant]) of a label; the variant is read from its description."""
    kind = label["incident_type"]
    if kind == "schema_drift":
        description = label["description"]
        if "upper case" in description:
            kind += ".status_casing"
        elif "seconds" in description:
            kind += ".latency_unit"
        else:
            kind += ".event_rename"
    return label["dataset"], kind


@pytest.fixture(scope="module")
def gx_warehouse(tmp_path_factory: pytest.TempPathFactory) -> GxWarehouse:
    """Build staging + GE with dbt (files mode), then run the GE model a second time."""
    work = tmp_path_factory.mktemp("gx_warehouse")
    raw_dir = generate_raw(work / "raw", fmt="parquet", **GX_CONFIG)
    empty_seeds = work / "seeds"
    empty_seeds.mkdir()
    env = dbt_env(
        work,
        seed_dir=empty_seeds,
        KPI_TRUST_RAW_SOURCE="files",
        KPI_TRUST_RAW_DIR=str(raw_dir),
        KPI_TRUST_RAW_FORMAT="parquet",
        KPI_TRUST_GX_DIR=str(work / "gx"),
    )
    # `run`, not `build`: other layers' tests are not this module's business. The model's own
    # tests (primary key, not-null, accepted values) run after both runs, over the history.
    run_dbt(["run", "--select", "+gx_validation_results"], env)
    first = _invocation_id(work / "target")
    run_dbt(["run", "--select", "gx_validation_results"], env)
    second = _invocation_id(work / "target")
    run_dbt(["test", "--select", "gx_validation_results"], env)
    return GxWarehouse(
        db_path=work / "kpi.duckdb",
        gx_dir=work / "gx",
        labels=_labels_by_day(raw_dir / "injected_incidents.csv"),
        invocation_ids=(first, second),
    )


def _invocation_id(target: Path) -> str:
    """The invocation id dbt stamped on the last run's artifacts."""
    return json.loads((target / "run_results.json").read_text())["metadata"]["invocation_id"]


@pytest.fixture(scope="module")
def results(gx_warehouse: GxWarehouse) -> list[dict[str, object]]:
    """Every row of gx_validation_results."""
    with duckdb.connect(str(gx_warehouse.db_path), read_only=True) as connection:
        frame = connection.sql("select * from gx_validation_results").df()
    return frame.to_dict("records")


def _latest(results: list[dict[str, object]], gx_warehouse: GxWarehouse) -> list[dict[str, object]]:
    return [r for r in results if r["run_id"] == gx_warehouse.invocation_ids[1]]


def _failures_by_day(rows: list[dict[str, object]]) -> dict[tuple[str, dt.date], set[str]]:
    failures: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    for row in rows:
        if not row["success"]:
            key = str(row["expectation_key"]).split(".", 1)[1]
            failures[(str(row["dataset"]), _as_date(row["batch_date"]))].add(key)
    return failures


def _as_date(value: object) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value  # type: ignore[return-value]


def test_history_keeps_both_invocations(
    gx_warehouse: GxWarehouse, results: list[dict[str, object]]
) -> None:
    first, second = gx_warehouse.invocation_ids
    assert first != second
    per_run = defaultdict(int)
    for row in results:
        per_run[row["run_id"]] += 1
    assert set(per_run) == {first, second}, "each dbt invocation stores its own run_id"
    assert per_run[first] == per_run[second] > 0
    run_at = {row["run_id"]: row["run_at"] for row in results}
    assert run_at[first] < run_at[second]


def test_every_day_of_both_logs_is_validated(
    gx_warehouse: GxWarehouse, results: list[dict[str, object]]
) -> None:
    latest = _latest(results, gx_warehouse)
    days = {(r["dataset"], _as_date(r["batch_date"])) for r in latest}
    start = dt.date(2026, 7, 1)
    for dataset in ("api_calls", "game_events"):
        covered = {day for d, day in days if d == dataset}
        expected = {start + dt.timedelta(days=i) for i in range(GX_CONFIG["days"])}
        assert expected <= covered, f"{dataset}: days without GE results {expected - covered}"
    suites = {(r["suite_name"], r["expectation_key"]) for r in latest}
    for suite in ("api_calls_raw", "game_events_raw"):
        assert sum(1 for s, _ in suites if s == suite) >= 10, f"{suite}: fewer than 10"
    assert all(r["exception_message"] is None for r in latest), "an expectation raised"


def test_data_quality_incidents_fail_their_expectation_on_their_days(
    gx_warehouse: GxWarehouse, results: list[dict[str, object]]
) -> None:
    failures = _failures_by_day(_latest(results, gx_warehouse))
    checked = set()
    for (dataset, day), labels in gx_warehouse.labels.items():
        for label in labels:
            key = _incident_key(label)
            if key not in EXPECTED_FAILURES:
                continue
            expectation = EXPECTED_FAILURES[key]
            assert expectation in failures[(dataset, day)], (
                f"{label['incident_id']} {key} on {day}: expected {expectation} to fail, "
                f"failed: {sorted(failures[(dataset, day)])}"
            )
            checked.add(key)
    assert checked == set(EXPECTED_FAILURES), (
        f"incidents not in the dataset: {set(EXPECTED_FAILURES) - checked}"
    )


def test_clean_and_business_days_pass_every_expectation(
    gx_warehouse: GxWarehouse, results: list[dict[str, object]]
) -> None:
    failures = _failures_by_day(_latest(results, gx_warehouse))
    days = {(r["dataset"], _as_date(r["batch_date"])) for r in _latest(results, gx_warehouse)}
    business_days = 0
    for dataset, day in sorted(days):
        labels = gx_warehouse.labels.get((dataset, day), [])
        if any(label["category"] == "data_quality" for label in labels):
            continue
        business_days += bool(labels)
        assert not failures[(dataset, day)], (
            f"{dataset} {day} ({[label['incident_type'] for label in labels] or 'clean'}) "
            f"failed {sorted(failures[(dataset, day)])}"
        )
    assert business_days >= 4, "the dataset should hold business incidents"


def test_failing_rows_carry_evidence(
    gx_warehouse: GxWarehouse, results: list[dict[str, object]]
) -> None:
    latest = _latest(results, gx_warehouse)
    casing = [
        r
        for r in latest
        if r["expectation_key"] == "api_calls_raw.expect_column_values_to_be_in_set.status"
        and not r["success"]
    ]
    assert casing and all(r["unexpected_count"] > 0 for r in casing)
    sample = json.loads(str(casing[0]["unexpected_sample"]))
    assert sample and all(value == value.upper() for value in sample)
    unit = [
        r
        for r in latest
        if r["expectation_key"]
        == "api_calls_raw.expect_column_quantile_values_to_be_between.latency_ms"
        and not r["success"]
    ]
    assert unit and json.loads(str(unit[0]["observed_value"]))["values"][0] < 5
    required = [
        r
        for r in latest
        if r["expectation_type"] == "unexpected_rows_expectation" and not r["success"]
    ]
    assert required, "a null burst must fail the required-fields expectation"
    assert all(0 < r["unexpected_count"] < r["element_count"] for r in required)


def test_data_docs_are_built(gx_warehouse: GxWarehouse) -> None:
    index = gx_warehouse.gx_dir / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert index.is_file()
    pages = list((index.parent / "validations").rglob("*.html"))
    assert len(pages) >= 2 * GX_CONFIG["days"], "one page per suite per day of the latest run"


def test_an_incremental_run_validates_the_changed_days_and_equals_a_full_one(
    gx_warehouse: GxWarehouse,
) -> None:
    """The logs as they stood before their last ingestion day, validated in full; then the whole
    logs incrementally (that run's rows as the previous run, lookback 2 days): only the days that
    received rows or lie in the lookback are validated again, the others are carried, and the
    rows equal a full validation of the whole logs but for the run id (volume bounds re-judged:
    the median day moved)."""
    from kpi_trust import gx_validate

    con = duckdb.connect()
    con.execute(f"attach '{gx_warehouse.db_path}' as warehouse (read_only)")
    tables = {
        "api_calls": "warehouse.staging.stg_api_gateway__api_calls",
        "game_events": "warehouse.staging.stg_game_telemetry__game_events",
    }
    cut = con.execute(
        f"select cast(max(ingested_at) as date) from {tables['api_calls']} where not is_quarantined"
    ).fetchone()[0]

    def sources(landed_before: dt.date | None) -> dict[str, str]:
        where = (
            ""
            if landed_before is None
            else (f" where coalesce(ingested_at < date '{landed_before}', true)")
        )
        return {
            name: gx_validate.raw_values_source(name, f"select * from {table}{where}")
            for name, table in tables.items()
        }

    def run(run_id: str) -> gx_validate.RunInfo:
        return gx_validate.RunInfo(run_id, dt.datetime(2026, 12, 1, 0, len(run_id)))

    # a cursor per run, as in the dbt model: GE closes its connection at the end of a run
    yesterday = gx_validate.validate_daily(con.cursor(), sources(cut), run("y"))
    incremental = gx_validate.validate_daily(
        con.cursor(), sources(None), run("inc"), previous=yesterday.rows, lookback_days=2
    )
    full = gx_validate.validate_daily(con.cursor(), sources(None), run("full"))

    validated = {(d.spec.dataset, d.batch_date) for d in incremental.days}
    assert incremental.carried_rows, "days before the lookback with no new rows are carried"
    assert len(validated) < len(full.days) / 3, "only the changed and lookback days re-run"
    assert {(d.spec.dataset, d.batch_date) for d in full.days} - validated == {
        (row["dataset"], row["batch_date"]) for row in incremental.carried_rows
    }

    def comparable(rows: list[dict[str, object]]) -> list[tuple]:
        return sorted(
            (
                tuple((k, v) for k, v in sorted(row.items()) if k not in ("run_id", "run_at"))
                for row in rows
            ),
            key=repr,
        )

    assert comparable(incremental.rows) == comparable(full.rows)
    assert all(row["run_id"] == "inc" for row in incremental.rows)
    bounds = {
        row["kwargs"]
        for row in incremental.rows
        if row["expectation_type"] == gx_validate.ROW_COUNT_EXPECTATION
    }
    assert len(bounds) == 2, "one volume range per log, the whole logs' median day"
