"""parse_utc_timestamp against an independent Python parser, for any time Hypothesis writes.

The macro is compiled once with `dbt compile --inline` and run in an in-memory DuckDB. Checked:
every documented spelling (space or `T`, no suffix / `Z` / `+00` / `+0000` / `+00:00`) with 0 to
9 fraction digits parses to the instant truncated to the microsecond (digits 7-9 dropped, never
rounded up into the next second, day or year); malformed fractions (a dot without digits, ten
digits, digits without a dot) and other offsets are null; and a Parquet TIMESTAMP_NS value read
as text (what staging does with that type) parses to its own instant truncated to microseconds.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from conftest import REPO, files_env, run_dbt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SUFFIXES = ["", "Z", "+00", "+0000", "+00:00"]
EDGES = [
    ("2026-03-01 12:00:00.1234567", dt.datetime(2026, 3, 1, 12, 0, 0, 123456)),
    ("2026-03-01T12:00:00.999999999Z", dt.datetime(2026, 3, 1, 12, 0, 0, 999999)),
    ("2026-12-31 23:59:59.9999999", dt.datetime(2026, 12, 31, 23, 59, 59, 999999)),
    ("2026-03-01 12:00:00.000000001+00:00", dt.datetime(2026, 3, 1, 12, 0, 0)),
    ("2026-03-01 12:00:00.5", dt.datetime(2026, 3, 1, 12, 0, 0, 500000)),
    ("2026-03-01 12:00:00", dt.datetime(2026, 3, 1, 12, 0, 0)),
    ("2026-03-01 12:00:00.1234567890", None),  # ten digits
    ("2026-03-01 12:00:00.", None),
    ("2026-03-01 12:00:00123", None),  # digits without a dot
    ("2026-03-01 12:00:00.123+02:00", None),
    ("2026-03-01 25:00:00.123456789", None),
    ("0999-03-01 12:00:00.123456789", None),
    ("9999-03-01 12:00:00.123456789", None),
]


@pytest.fixture(scope="module")
def compiled_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    work = tmp_path_factory.mktemp("parse_utc_timestamp")
    env = files_env(work, REPO / "tests" / "fixtures" / "raw_small")  # compiling reads headers
    inline = "select i, {{ parse_utc_timestamp('v') }} as parsed from strings order by i"
    result = run_dbt(["compile", "--inline", inline, "--quiet"], env)
    return result.result.results[0].node.compiled_code


def _parse(sql: str, values: list[str]) -> list[dt.datetime | None]:
    with duckdb.connect() as con:
        con.execute("create table strings (i integer, v varchar)")
        con.executemany("insert into strings values (?, ?)", list(enumerate(values)))
        return [parsed for _, parsed in con.sql(sql).fetchall()]


def _spell(instant: dt.datetime, digits: str, separator: str, suffix: str) -> str:
    fraction = f".{digits}" if digits else ""
    return f"{instant:%Y-%m-%d}{separator}{instant:%H:%M:%S}{fraction}{suffix}"


def _truncated(instant: dt.datetime, digits: str) -> dt.datetime:
    """The reference: the fraction's first six digits as microseconds, the rest dropped."""
    return instant.replace(microsecond=int((digits + "000000")[:6]) if digits else 0)


def test_edges(compiled_sql: str) -> None:
    values = [text for text, _ in EDGES]
    assert _parse(compiled_sql, values) == [expected for _, expected in EDGES]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.datetimes(dt.datetime(1000, 1, 1), dt.datetime(9998, 12, 31, 23, 59, 59)),
            st.text("0123456789", max_size=10),
            st.sampled_from([" ", "T"]),
            st.sampled_from(SUFFIXES),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_any_spelling(compiled_sql: str, cases: list) -> None:
    texts = [_spell(instant, digits, sep, suffix) for instant, digits, sep, suffix in cases]
    expected = [
        _truncated(instant, digits) if len(digits) <= 9 else None for instant, digits, _, _ in cases
    ]
    assert _parse(compiled_sql, texts) == expected, texts


def test_timestamp_ns_text_is_truncated(compiled_sql: str) -> None:
    """Parquet TIMESTAMP_NS goes through its text (native_raw_columns): DuckDB prints nine
    digits, and the parse keeps the microseconds the value holds, without rounding up."""
    ns_values = [
        "2026-03-01 12:00:00.123456789",
        "2026-03-01 23:59:59.999999999",
        "2026-03-01 12:00:00.000000500",
        "2026-03-01 12:00:00",
    ]
    with duckdb.connect() as con:
        texts = [
            row[0]
            for row in con.sql(
                "select cast(cast(v as timestamp_ns) as varchar) from "
                f"(select unnest({ns_values}) as v)"
            ).fetchall()
        ]
    assert _parse(compiled_sql, texts) == [
        dt.datetime(2026, 3, 1, 12, 0, 0, 123456),
        dt.datetime(2026, 3, 1, 23, 59, 59, 999999),
        dt.datetime(2026, 3, 1, 12, 0, 0),
        dt.datetime(2026, 3, 1, 12, 0, 0),
    ]
