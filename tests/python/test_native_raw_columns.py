"""Typed Parquet columns are staged from the file's own values (macros/loading/
native_raw_columns.sql) instead of being cast to text and parsed back. The result must be the
text path's, value for value: the same logs are written twice, once typed (TIMESTAMP,
TIMESTAMP_MS, DATE, BIGINT, DOUBLE) and once with every column cast to text as DuckDB prints it
(what the text path reads), with values at every edge the parse macros draw (years 0999 and
9998, infinities, NaN, -0.0, the double range, integers beyond `integer`), and both stagings
must be identical in every column, quarantine reasons included."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import REPO, files_env, run_dbt

FIXTURE = REPO / "tests" / "fixtures" / "raw_small"
MODELS = {
    "api_calls": "stg_api_gateway__api_calls",
    "game_events": "stg_game_telemetry__game_events",
}
# a fixed reference time, so both builds judge "after the reference time" alike
VARS = "{reference_time: '2024-06-01 00:00:00'}"

API_TYPED = """
    select * replace (
        try_cast(requested_at as timestamp) as requested_at,
        try_cast(http_status as bigint) as http_status,
        try_cast(latency_ms as double) as latency_ms,
        try_cast(ingested_at as timestamp) as ingested_at
    )
    from {source}
"""
GAME_TYPED = """
    select * replace (
        cast(try_cast(event_at as timestamp) as timestamp_ms) as event_at,
        try_cast(install_date as date) as install_date,
        try_cast(level as bigint) as level,
        try_cast(revenue_usd as double) as revenue_usd,
        try_cast(ingested_at as timestamp) as ingested_at
    )
    from {source}
"""
# one valid row of each log, copied with one value changed per edge
API_EDGES = [
    "requested_at = timestamp '0999-12-31 23:59:59'",
    "requested_at = timestamp '1000-01-01 00:00:00'",
    "requested_at = timestamp '9998-12-31 23:59:59.999999'",
    "requested_at = timestamp '9999-01-01 00:00:00'",
    "requested_at = 'infinity'::timestamp",
    "ingested_at = '-infinity'::timestamp",
    "requested_at = timestamp '2024-03-01 08:00:00.000001'",
    "latency_ms = 'nan'::double",
    "latency_ms = 'inf'::double",
    "latency_ms = '-inf'::double",
    "latency_ms = -0.0",
    "latency_ms = 1.7976931348623157e308",
    "latency_ms = 5e-324",
    "latency_ms = 0.1 + 0.2",
    "latency_ms = -12.5",
    "http_status = 3000000000",
    "http_status = -2147483648",
    "http_status = 2147483647",
    "http_status = null",
]
GAME_EDGES = [
    "event_at = timestamp '0999-12-31 23:59:59.999'",
    "event_at = timestamp '2024-03-01 08:00:00.123'",
    "install_date = date '0999-12-31'",
    "install_date = date '9998-12-31'",
    "install_date = 'infinity'::date",
    "level = 1099511627776",
    "level = -1",
    "revenue_usd = 'nan'::double",
    "revenue_usd = 1e300",
    "revenue_usd = 4.99",
]


def _write_logs(raw: Path, as_text: bool) -> None:
    """Both logs as Parquet: typed, or every column as DuckDB's text of the typed value."""
    raw.mkdir(parents=True)
    with duckdb.connect() as con:
        for name, typed, edges, key in [
            ("api_calls", API_TYPED, API_EDGES, "call_id"),
            ("game_events", GAME_TYPED, GAME_EDGES, "event_id"),
        ]:
            # the text is stored first: a cast right over read_csv reaches its type detection
            con.execute(
                f"create table {name}_text as "
                f"from read_csv('{FIXTURE / name}.csv', all_varchar = true)"
            )
            con.execute(f"create table {name} as {typed.format(source=f'{name}_text')}")
            for number, edge in enumerate(edges):
                column, value = (part.strip() for part in edge.split("=", 1))
                con.execute(
                    f"insert into {name} select * replace ({value} as {column}, "
                    f"'edge{number}' as {key}) from (select * from {name} limit 1)"
                )
            select = f"select columns(*)::varchar from {name}" if as_text else f"from {name}"
            con.execute(f"copy ({select}) to '{raw / name}.parquet' (format parquet)")


def _stage(work: Path, as_text: bool) -> tuple[dict[str, pd.DataFrame], str]:
    raw = work / "raw"
    _write_logs(raw, as_text)
    env = files_env(work, raw, "parquet")
    run_dbt(["run", "-s", *MODELS.values(), "--vars", VARS], env)
    with duckdb.connect(str(work / "kpi.duckdb"), read_only=True) as con:
        staged = {
            name: con.sql(f"select * from staging.{model} order by source_row_number").df()
            for name, model in MODELS.items()
        }
    compiled = "".join(path.read_text() for path in (work / "target" / "run").rglob("stg_*.sql"))
    return staged, compiled


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory):
    typed = _stage(tmp_path_factory.mktemp("native_typed"), as_text=False)
    text = _stage(tmp_path_factory.mktemp("native_text"), as_text=True)
    return typed, text


def test_typed_columns_are_read_natively(both) -> None:
    (_, typed_sql), (_, text_sql) = both
    for column in ("requested_at", "http_status", "latency_ms", "event_at", "install_date",
                   "level", "revenue_usd", "ingested_at"):  # fmt: skip
        assert f"{column}__native" in typed_sql, column
        assert f"{column}__native" not in text_sql, column


@pytest.mark.parametrize("name", list(MODELS))
def test_native_staging_equals_the_text_path(both, name: str) -> None:
    (typed, _), (text, _) = both
    assert len(typed[name]) > len(API_EDGES if name == "api_calls" else GAME_EDGES)
    pd.testing.assert_frame_equal(typed[name], text[name])


def test_the_edges_are_judged(both) -> None:
    """The edges reach the checks they are at (so the comparison above covers them)."""
    (typed, _), _ = both
    api = typed["api_calls"].set_index("call_id")["quarantine_reason"]
    assert api["edge0"] == "unparseable_timestamp"  # year 0999
    assert api["edge3"] == "unparseable_timestamp"  # year 9999
    assert api["edge2"] == "after_reference_time"  # year 9998 parses
    assert api["edge7"] == "unparseable_number"  # NaN
    assert api["edge15"] == "unparseable_integer"  # beyond integer
    game = typed["game_events"].set_index("event_id")["quarantine_reason"]
    assert game["edge2"] == "unparseable_date"
    assert game["edge5"] == "unparseable_integer"
    assert game["edge7"] == "unparseable_number"
