"""Malformed input never crashes the build nor poisons a KPI.

A small clean dataset gets > 1,000 malformed rows appended to both raw CSV files (table-driven:
each case changes one field of a valid row) and is built ONCE in files mode up to kpi_daily and
the Great Expectations results (~40 s). Checked: every raw row is either staged valid or listed
in quarantined_rows (never both, never lost); every appended row is quarantined with the reason
its case expects; no inf/NaN and no day outside the log period in kpi_daily or the facts.
`hypothesis` is not in the project's venv, so there is no property-based variant.
"""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import files_env, generate_raw, run_dbt

DATASET = {"seed": 11, "days": 20, "api_calls_per_day": 200, "players": 300, "incidents": False}
TEMPLATES_PER_CASE = 15  # each case is applied to this many different valid rows

HUGE = "9" * 400
NON_FINITE = ["1e309", "1E400", HUGE, f"-{HUGE}", "inf", "-inf", "nan", "NaN", "Infinity"]
BAD_TIMES = [
    ("0000-01-01 00:00:00", "unparseable_timestamp"),
    ("9999-12-31 23:59:59", "unparseable_timestamp"),
    ("2030-01-01 00:00:00", "after_reference_time"),
    ("1900-01-01 00:00:00", "before_log_period"),
    ("1970-01-01 00:00:00", "before_log_period"),
    ("2026-13-01 00:00:00", "unparseable_timestamp"),
    ("2026-07-05 25:00:00", "unparseable_timestamp"),
    ("2026-07-05 10:00:00+02:00", "unparseable_timestamp"),
    ("yesterday", "unparseable_timestamp"),
    ("\t", "unparseable_timestamp"),
    ("", "missing_required_value"),
]
BLANKS = ["\t", "\r\n", "\x00", " \x01\x1f ", "\x7f", "\t \n"]

# (column, raw value, expected quarantine_reason): one field of a valid row replaced.
API_CASES: list[tuple[str, str, str | None]] = [
    *[("latency_ms", value, "unparseable_number") for value in NON_FINITE],
    ("latency_ms", "fast", "unparseable_number"),
    ("latency_ms", "\t", "unparseable_number"),
    ("latency_ms", "-5", "negative_value"),
    ("latency_ms", "-1e308", "negative_value"),
    ("latency_ms", "86400001", "out_of_range"),
    ("latency_ms", "1e300", "out_of_range"),
    ("latency_ms", "", "missing_required_value"),
    ("http_status", "99", "out_of_range"),
    ("http_status", "600", "out_of_range"),
    ("http_status", "-200", "out_of_range"),
    ("http_status", "0", "out_of_range"),
    ("http_status", HUGE, "unparseable_integer"),
    ("http_status", "2e2", "unparseable_integer"),
    ("http_status", "200.5", "unparseable_integer"),
    ("http_status", "", "missing_required_value"),
    ("status", "pending", "unknown_status"),
    ("status", "\t", "unknown_status"),
    ("status", "s" * 5000, "unknown_status"),
    *[("requested_at", value, reason) for value, reason in BAD_TIMES],
    ("ingested_at", "0000-01-01 00:00:00", "unparseable_timestamp"),
    ("ingested_at", "9999-12-31 23:59:59", "unparseable_timestamp"),
    ("ingested_at", "2030-01-01 00:00:00", "after_reference_time"),
    ("ingested_at", "1900-01-01 00:00:00", "event_after_ingestion"),
    # a stray island: both clocks in 1970 (15 rows, under 1 % of the log) cannot open the period
    ("requested_at+ingested_at", "1970-01-01 00:00:00", "before_log_period"),
    *[("call_id", value, "blank_after_cleaning") for value in BLANKS],
    ("call_id", "c" * 201, "value_too_long"),
    ("call_id", "c" * 100_000, "value_too_long"),
    ("call_id", "", "missing_required_value"),
    *[("region", value, "blank_after_cleaning") for value in BLANKS],
    ("region", "r" * 300, "value_too_long"),
    ("api_name", "", "missing_required_value"),
    ("api_version", "\x00\x00", "blank_after_cleaning"),
    ("client_type", "'unterminated", None),  # odd but legal: stays valid (CSV quote is ")
    ("document_type", "d" * 201, "value_too_long"),
    ("batch_id", "\x7f", "blank_after_cleaning"),
    ("error_reason", "e" * 500, "value_too_long"),
    ("error_reason", "\t\r\n", None),  # optional: blank is missing, which is allowed
]

GAME_CASES: list[tuple[str, str, str | None]] = [
    *[("revenue_usd", value, "unparseable_number") for value in NON_FINITE],
    ("revenue_usd", "-1", "negative_value"),
    ("revenue_usd", "10000.01", "out_of_range"),
    ("revenue_usd", "1.7e308", "out_of_range"),
    ("level", "1000001", "out_of_range"),
    ("level", "-1", "negative_value"),
    ("level", HUGE, "unparseable_integer"),
    ("level", "3000000000", "unparseable_integer"),
    ("level", "1.5", "unparseable_integer"),
    *[("event_at", value, reason) for value, reason in BAD_TIMES],
    ("ingested_at", "0000-01-01 00:00:00", "unparseable_timestamp"),
    ("ingested_at", "9999-12-31 23:59:59", "unparseable_timestamp"),
    ("ingested_at", "1900-01-01 00:00:00", "event_after_ingestion"),
    ("install_date", "0000-01-01", "unparseable_date"),
    ("install_date", "9999-12-31", "unparseable_date"),
    ("event_name", "teleport", "unknown_event_name"),
    ("event_name", "\t", "unknown_event_name"),
    ("event_id", "", "missing_required_value"),
    *[("user_id", value, "blank_after_cleaning") for value in BLANKS],
    ("session_id", "s" * 1000, "value_too_long"),
    ("country", "\x00", "blank_after_cleaning"),
    ("platform", "p" * 201, "value_too_long"),
    ("acquisition_channel", "\r\n", "blank_after_cleaning"),
    # outside the vocabulary: kept (totals stay whole) as 'other', counted by a signal
    ("platform", "Switch", None),
    ("acquisition_channel", "tiktok", None),
    ("country", "USA", None),
    # whitespace and control characters at the ends are not part of a value
    ("platform", "IOS\t", None),
    ("country", "\tgb\r", None),
    ("user_id", "\x00u-trailing\t", None),
]
MAPPED = {  # raw value: staged value
    "Switch": "other", "tiktok": "other", "USA": "other", "IOS\t": "ios", "\tgb\r": "GB",
    "\x00u-trailing\t": "u-trailing",
}  # fmt: skip

DATASETS = {
    # dataset: (file, id column, event time column, staging model, fact, fact date column)
    "api_calls": ("api_calls.csv", "call_id", "requested_at",
                  "staging.stg_api_gateway__api_calls", "fct_api_calls", "call_date"),
    "game_events": ("game_events.csv", "event_id", "event_at",
                    "staging.stg_game_telemetry__game_events", "fct_game_events", "event_date"),
}  # fmt: skip


def _append_cases(path: Path, dataset: str, cases: list) -> tuple[list[str | None], date, date]:
    """Append each case to TEMPLATES_PER_CASE valid rows of `path`; expected reasons in order.

    Also returns the clean log's first and last event day (the log period).
    """
    _, id_column, time_column, *_ = DATASETS[dataset]
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    days = sorted({row[time_column][:10] for row in rows})
    step = max(1, len(rows) // TEMPLATES_PER_CASE)
    templates = rows[::step][:TEMPLATES_PER_CASE]
    assert len(templates) == TEMPLATES_PER_CASE
    expected = []
    with path.open("a", newline="") as handle:
        # csv's default \r\n line ends after the generator's \n ones: mixed line endings too
        writer = csv.DictWriter(handle, fieldnames=fields)
        for case_number, (column, value, reason) in enumerate(cases):
            for template_number, template in enumerate(templates):
                row = {**template, id_column: f"fuzz-{case_number}-{template_number}"}
                for field in column.split("+"):
                    row[field] = value
                writer.writerow(row)
                expected.append(reason)
        # lines that do not fit the header: one field too many, one too few
        for template_number, template in enumerate(templates):
            values = [template[field] for field in fields]
            values[fields.index(id_column)] = f"fuzz-line-{template_number}"
            for line in ([*values, "surplus"], values[:-1]):
                writer.writer.writerow(line)  # type: ignore[attr-defined]
                expected.append("malformed_line")
    return expected, date.fromisoformat(days[0]), date.fromisoformat(days[-1])


@pytest.fixture(scope="module")
def fuzz_build(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The fuzzed raw files built once (files mode) up to kpi_daily and gx_validation_results."""
    work = tmp_path_factory.mktemp("fuzz_inputs")
    raw_dir = generate_raw(work / "raw", **DATASET)
    clean_rows, expected, period = {}, {}, {}
    for dataset, cases in (("api_calls", API_CASES), ("game_events", GAME_CASES)):
        path = raw_dir / DATASETS[dataset][0]
        with path.open(newline="") as handle:
            clean_rows[dataset] = sum(1 for _ in csv.DictReader(handle))
        expected[dataset], *period[dataset] = _append_cases(path, dataset, cases)
    env = files_env(work, raw_dir)
    run_dbt(
        ["build", "--select", "+kpi_daily", "+gx_validation_results", "quarantined_rows",
         "+int_game_events_profiled_daily",
         "--exclude", "test_type:data"],
        env,
    )  # fmt: skip
    first = min(start for start, _ in period.values())
    last = max(end for _, end in period.values())
    return {
        "db": work / "kpi.duckdb",
        "clean_rows": clean_rows,
        "expected": expected,
        "period": (first, last),
    }


def _query(db: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).df()


def test_enough_malformed_rows(fuzz_build: dict) -> None:
    assert sum(len(expected) for expected in fuzz_build["expected"].values()) >= 1000


def test_unknown_categories_are_kept_as_other(fuzz_build: dict) -> None:
    clean = fuzz_build["clean_rows"]["game_events"]
    staged = _query(
        fuzz_build["db"],
        "select source_row_number, platform, country, acquisition_channel, user_id, "
        "unknown_category_columns, is_quarantined "
        f"from staging.stg_game_telemetry__game_events where source_row_number > {clean}",
    ).set_index("source_row_number")
    checked = 0
    for number, (column, value, _reason) in enumerate(GAME_CASES):
        if value not in MAPPED:
            continue
        first = clean + 1 + number * TEMPLATES_PER_CASE
        rows = staged.loc[range(first, first + TEMPLATES_PER_CASE)]
        assert not rows["is_quarantined"].any(), (column, value)
        assert rows[column].eq(MAPPED[value]).all(), (column, value, rows[column].tolist())
        expected_flag = column if MAPPED[value] == "other" else None
        assert (rows["unknown_category_columns"].fillna("") == (expected_flag or "")).all()
        checked += 1
    assert checked == len(MAPPED)


def test_kpi_slices_hold_only_known_categories(fuzz_build: dict) -> None:
    """No slice of kpi_daily is made of a stray value ('Switch', 'ios\\t', 100 kB strings)."""
    values = _query(
        fuzz_build["db"],
        "select dimension_name, dimension_value from kpi_daily "
        "where dimension_name in ('platform', 'acquisition_channel', 'country') group by all",
    )
    vocabulary = {
        "platform": {"ios", "android", "web", "other"},
        "acquisition_channel": {"organic", "paid_social", "paid_search", "influencer",
                                "cross_promo", "other"},
    }  # fmt: skip
    for dimension, value in values.itertuples(index=False):
        if dimension == "country":
            assert value == "other" or (len(value) == 2 and value.isupper()), value
        else:
            assert value in vocabulary[dimension], (dimension, value)
    assert "other" in set(values["dimension_value"])


def test_unknown_category_rate_is_measured(fuzz_build: dict) -> None:
    rates = _query(
        fuzz_build["db"],
        "select sum(numerator) as n from intermediate.int_game_events_profiled_daily "
        "where signal_name = 'unknown_category_rate' and slice_dimension = 'all'",
    )
    assert rates["n"].iloc[0] == 3 * TEMPLATES_PER_CASE  # Switch, tiktok, USA


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_raw_row_staged_valid_or_quarantined(fuzz_build: dict, dataset: str) -> None:
    _, _, _, model, _, _ = DATASETS[dataset]
    raw_rows = fuzz_build["clean_rows"][dataset] + len(fuzz_build["expected"][dataset])
    valid = _query(
        fuzz_build["db"], f"select source_row_number from {model} where not is_quarantined"
    )
    quarantined = _query(
        fuzz_build["db"],
        f"select source_row_number from quarantined_rows where dataset = '{dataset}'",
    )
    valid_rows = set(valid["source_row_number"])
    quarantined_rows = set(quarantined["source_row_number"])
    assert len(quarantined_rows) == len(quarantined)  # one entry per row
    assert not valid_rows & quarantined_rows
    assert valid_rows | quarantined_rows == set(range(1, raw_rows + 1))


@pytest.mark.parametrize("dataset", DATASETS)
def test_clean_rows_pass_the_bounds(fuzz_build: dict, dataset: str) -> None:
    """The bounds reject nothing of a clean log (no incidents generated)."""
    clean = fuzz_build["clean_rows"][dataset]
    quarantined = _query(
        fuzz_build["db"],
        f"select quarantine_reason, count(*) as n from quarantined_rows "
        f"where dataset = '{dataset}' and source_row_number <= {clean} group by 1",
    )
    assert quarantined.empty, quarantined


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_malformed_row_has_its_reason(fuzz_build: dict, dataset: str) -> None:
    _, _, _, model, _, _ = DATASETS[dataset]
    clean = fuzz_build["clean_rows"][dataset]
    cases = API_CASES if dataset == "api_calls" else GAME_CASES
    staged = _query(
        fuzz_build["db"],
        f"select source_row_number, quarantine_reason from {model} "
        f"where source_row_number > {clean} order by 1",
    )
    expected = fuzz_build["expected"][dataset]
    assert len(staged) == len(expected)
    wrong = [
        (cases[index // TEMPLATES_PER_CASE][:2], want, got)
        for index, (want, got) in enumerate(zip(expected, staged["quarantine_reason"], strict=True))
        if (None if pd.isna(got) else got) != want
    ]
    assert not wrong, [(column, value[:40], want, got) for (column, value), want, got in wrong[:10]]


def _assert_finite_and_in_period(frame: pd.DataFrame, date_column: str, period) -> None:
    numeric = frame.select_dtypes("number")
    values = numeric.to_numpy(dtype=float, na_value=0.0)
    bad = ~pd.DataFrame(values, columns=numeric.columns).map(math.isfinite)
    assert not bad.any().any(), list(numeric.columns[bad.any()])
    days = pd.to_datetime(frame[date_column]).dt.date
    assert days.between(*period).all(), sorted(set(days[~days.between(*period)]))


def test_kpi_daily_finite_and_in_period(fuzz_build: dict) -> None:
    kpis = _query(fuzz_build["db"], "select * from kpi_daily")
    assert len(kpis) > 0
    _assert_finite_and_in_period(kpis, "kpi_date", fuzz_build["period"])


@pytest.mark.parametrize("dataset", DATASETS)
def test_facts_finite_and_in_period(fuzz_build: dict, dataset: str) -> None:
    _, _, _, _, fact, date_column = DATASETS[dataset]
    facts = _query(fuzz_build["db"], f"select * from {fact}")
    assert len(facts) > 0
    clean = fuzz_build["clean_rows"][dataset]
    legal = {
        clean + 1 + i for i, reason in enumerate(fuzz_build["expected"][dataset]) if reason is None
    }
    appended = set(facts.loc[facts["source_row_number"] > clean, "source_row_number"])
    assert appended <= legal  # only the appended rows meant to be valid reach the facts
    _assert_finite_and_in_period(facts, date_column, fuzz_build["period"])
    for column in facts.select_dtypes(
        ["object", "str"]
    ):  # no id or category that is blank in effect
        cleaned = (
            facts[column].dropna().astype(str).str.replace(r"[ \x00-\x1f\x7f]", "", regex=True)
        )
        assert not cleaned.eq("").any(), column


def test_great_expectations_ran(fuzz_build: dict) -> None:
    """Year 0000 / 9999-12-31 rows reach Great Expectations untyped: it validates, not crashes."""
    results = _query(fuzz_build["db"], "select count(*) as n from gx_validation_results")
    assert results["n"].iloc[0] > 0
