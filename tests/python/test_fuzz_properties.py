"""Property-based fuzzing of staging: for ANY rows Hypothesis writes into the raw CSV
files, staging keeps every row (valid or quarantined with a reason, never both, never lost), and
no valid row carries a value that could poison a KPI: numbers are finite and within their bounds,
times lie in the log's period, ids and categories are non-blank, categories are in their
vocabulary or 'other'.

dbt compiles the two staging models once, in files mode against the small fixture (the header
is all that compilation reads); each Hypothesis example then rewrites the raw file and runs the
compiled SQL in an in-memory DuckDB, ~30 ms per example, so hundreds of examples take seconds.
The table-driven suite (test_fuzz_inputs.py) builds the whole pipeline once on > 1,000 rows.
"""

from __future__ import annotations

import csv
import math
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import REPO, files_env, run_dbt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIXTURE = REPO / "tests" / "fixtures" / "raw_small"
MODELS = {
    "api_calls": "stg_api_gateway__api_calls",
    "game_events": "stg_game_telemetry__game_events",
}
REFERENCE_TIME = "2024-03-10 00:00:00"  # the fixture's logs run from 2024-03-01
CONTROL = "".join(chr(code) for code in [*range(0, 32), 127])

# Values a field can take besides a valid one: edge numbers, edge times, blanks, junk.
SPECIAL = [
    "", " ", "\t", "\r\n", "\x00", "\x7f", "1e309", "-1e309", "1E400", "9" * 400, "inf", "nan",
    "-0", "0", "-1", "1.5", "2e2", "99", "600", "0000-01-01 00:00:00", "9999-12-31 23:59:59",
    "1900-01-01 00:00:00", "1970-01-01 00:00:00", "2030-01-01 00:00:00", "2024-02-30 00:00:00",
    "2024-03-05T10:00:00Z", "2024-03-05 10:00:00+02:00", "'", '"', "x" * 300, "OTHER", "IOS",
    "Switch", "usa", "\tus ", "null", "NULL",
]  # fmt: skip


def _text() -> st.SearchStrategy[str]:
    alphabet = st.characters(codec="utf-8", exclude_characters="\x00") | st.sampled_from(CONTROL)
    return st.text(alphabet, max_size=12)


def _junk() -> st.SearchStrategy[str]:
    numbers = st.floats(allow_nan=True, allow_infinity=True).map(repr)
    integers = st.integers(-(10**12), 10**12).map(str)
    return st.one_of(st.sampled_from(SPECIAL), _text(), numbers, integers)


def _rows(template_rows: list[dict]) -> st.SearchStrategy[list[dict]]:
    """Valid rows of the fixture with one to three fields replaced by junk (so both valid and
    quarantined rows occur in every example)."""

    def mutate(template: dict) -> st.SearchStrategy[dict]:
        columns = st.sets(st.sampled_from(sorted(template)), max_size=3)
        changes = columns.flatmap(lambda keys: st.fixed_dictionaries({k: _junk() for k in keys}))
        return changes.map(lambda changed: {**template, **changed})

    return st.lists(st.sampled_from(template_rows).flatmap(mutate), min_size=1, max_size=40)


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The staging models' SQL compiled in files mode, and the raw dir it reads."""
    work = tmp_path_factory.mktemp("fuzz_properties")
    raw = work / "raw"
    shutil.copytree(FIXTURE, raw)
    env = files_env(work, raw)
    run_dbt(
        ["compile", "-s", *MODELS.values(), "--vars", f"reference_time: '{REFERENCE_TIME}'"], env
    )
    sql = {}
    for dataset, model in MODELS.items():
        path = next((work / "target" / "compiled").rglob(f"{model}.sql"))
        sql[dataset] = path.read_text()
    return {"raw": raw, "sql": sql, "templates": {d: _read(FIXTURE / f"{d}.csv") for d in MODELS}}


def _stage(compiled: dict, dataset: str, rows: list[dict]) -> pd.DataFrame:
    fields, _ = compiled["templates"][dataset]
    with (compiled["raw"] / f"{dataset}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    with duckdb.connect() as con:
        con.sql("set TimeZone = 'UTC'")
        return con.sql(compiled["sql"][dataset]).df()


def _blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (re.sub(rf"[\s{re.escape(CONTROL)}]", "", str(value)) == "")
    )


def _assert_staging_properties(
    staged: pd.DataFrame, written: int, ids: list[str], times: tuple[str, str]
) -> None:
    # every row kept, once, in file order; valid xor quarantined-with-a-reason
    assert list(staged["source_row_number"]) == list(range(1, written + 1))
    assert (staged["is_quarantined"] == staged["quarantine_reason"].notna()).all()
    assert staged.loc[staged["is_quarantined"], "quarantine_column"].notna().all()
    valid = staged[~staged["is_quarantined"]]
    for column in ids:
        assert not valid[column].map(_blank).any(), column
        assert (valid[column].str.len() <= 200).all(), column
    for column in valid.select_dtypes("number"):
        values = valid[column].dropna().astype(float)
        assert values.map(math.isfinite).all(), column
    # times: not after the build's reference time (+ tolerance), not before the log's first
    # ingestion minus timestamp_max_lag_days, and never ingested before the event happened
    event, ingested = times
    latest = pd.Timestamp(REFERENCE_TIME) + pd.Timedelta(minutes=60)
    earliest = valid[ingested].min() - pd.Timedelta(days=30)
    for column in times:
        assert valid[column].notna().all(), column
        assert valid[column].between(earliest, latest).all(), (column, valid[column].tolist())
    assert (valid[ingested] >= valid[event] - pd.Timedelta(minutes=60)).all()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_api_rows_stage_safely(compiled: dict, data: st.DataObject) -> None:
    _, templates = compiled["templates"]["api_calls"]
    rows = data.draw(_rows(templates))
    staged = _stage(compiled, "api_calls", rows)
    ids = ["call_id", "batch_id", "api_name", "api_version", "region", "client_type",
           "document_type", "status"]  # fmt: skip
    _assert_staging_properties(staged, len(rows), ids, ("requested_at", "ingested_at"))
    valid = staged[~staged["is_quarantined"]]
    assert valid["status"].isin(["success", "failure", "timeout"]).all()
    assert valid["http_status"].between(100, 599).all()
    assert valid["latency_ms"].between(0, 86_400_000).all()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_game_rows_stage_safely(compiled: dict, data: st.DataObject) -> None:
    _, templates = compiled["templates"]["game_events"]
    rows = data.draw(_rows(templates))
    staged = _stage(compiled, "game_events", rows)
    ids = ["event_id", "user_id", "session_id", "batch_id", "event_name", "platform", "country",
           "acquisition_channel"]  # fmt: skip
    _assert_staging_properties(staged, len(rows), ids, ("event_at", "ingested_at"))
    valid = staged[~staged["is_quarantined"]]
    assert valid["platform"].isin(["ios", "android", "web", "other"]).all()
    assert (
        valid["acquisition_channel"]
        .isin(["organic", "paid_social", "paid_search", "influencer", "cross_promo", "other"])
        .all()
    )
    assert valid["country"].str.fullmatch(r"[A-Z]{2}|other").all()
    assert valid["revenue_usd"].dropna().between(0, 10_000).all()
    assert valid["level"].dropna().between(0, 1_000_000).all()
    # a row reported as mapped holds 'other' in each column it names
    for _, row in valid[valid["unknown_category_columns"].notna()].iterrows():
        for column in row["unknown_category_columns"].split(", "):
            assert row[column] == "other", (column, row[column])
