"""Staging's text macros skip their regexes for values with clean ends (macro clean_text_ends):
for ANY string, the fast path gives exactly what the regex alone gives.

trim_whitespace_and_controls is checked against Python's strip of the same characters (RE2's
ASCII `\\s` and \\x00-\\x1f, \\x7f: every code point <= 32, and 127), only_whitespace_and_controls
against "nothing left after that strip", and category_value (no vocabulary, a vocabulary,
country codes) against its own branches fed the regex-trimmed text, which is what it computed
before the fast path. The macros are compiled once with `dbt compile --inline`; each Hypothesis
example is a list of strings run through the compiled SQL in an in-memory DuckDB.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from conftest import REPO, files_env, run_dbt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

STRIPPED = "".join(chr(code) for code in [*range(0, 33), 127])
REGEX_TRIM = r"regexp_replace(v, '^[\s\x00-\x1f\x7f]+|[\s\x00-\x1f\x7f]+$', '', 'g')"
# (dataset, column): no vocabulary, a vocabulary, the country-code pattern
CATEGORIES = [("api_calls", "api_name"), ("game_events", "platform"), ("game_events", "country")]

INLINE = (
    "select v, {{ trim_whitespace_and_controls('v') }} as trimmed, "
    "{{ only_whitespace_and_controls('v') }} as blank"
    + "".join(
        f", {{{{ category_value('{dataset}', '{column}') }}}} as {column}"
        f", {{{{ category_of_cleaned('{dataset}', '{column}', 'v_by_regex') }}}}"
        f" as {column}_by_regex"
        for dataset, column in CATEGORIES
    )
    + " from strings"
)


@pytest.fixture(scope="module")
def compiled_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    work = tmp_path_factory.mktemp("text_fast_paths")
    env = files_env(work, REPO / "tests" / "fixtures" / "raw_small")  # compiling reads headers
    result = run_dbt(["compile", "--inline", INLINE, "--quiet"], env)
    sql = result.result.results[0].node.compiled_code
    assert "unicode(" in sql, "the DuckDB fast path is not in the compiled SQL"
    return sql


def _run(sql: str, values: list[str | None]) -> list[dict]:
    frame = pd.DataFrame({"v": pd.Series(values, dtype="object")})
    for _, column in CATEGORIES:
        frame[f"{column}_text"] = frame["v"]
    with duckdb.connect() as con:
        con.register("strings_frame", frame)
        con.execute(
            f"create table strings as select *, {REGEX_TRIM} as v_by_regex from strings_frame"
        )
        result = con.sql(sql)
        names = result.columns
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _check(sql: str, values: list[str | None]) -> None:
    for row in _run(sql, values):
        v = row["v"]
        if v is None:
            assert row["trimmed"] is None and row["blank"] is None
            assert all(row[column] is None for _, column in CATEGORIES)
            continue
        assert row["trimmed"] == v.strip(STRIPPED), repr(v)
        assert row["blank"] == (v.strip(STRIPPED) == ""), repr(v)
        for _, column in CATEGORIES:
            assert row[column] == row[f"{column}_by_regex"], (column, repr(v), row)


EDGES = [
    None, "", " ", "\t", "ios", " ios", "ios\t", "\tios\r\n", "IOS", "Ios\x7f", "\x7fios",
    "\x1f", "\x01us\x02", "us", "US", " us ", "u s", "\xa0ios", "ios\xa0", "\x85", "é", "İos",
    "x" * 200, "x" * 201, " " + "x" * 200, "other", "OTHER", " web", "a\tb",
]  # fmt: skip


def test_edge_values(compiled_sql: str) -> None:
    _check(compiled_sql, EDGES)


_ALPHABET = st.characters(codec="utf-8", exclude_characters="\x00") | st.sampled_from(
    [chr(code) for code in [*range(1, 33), 127, 133, 160, 0x2028, 0x3000]]
)
_VALUES = st.one_of(
    st.none(),
    st.text(_ALPHABET, max_size=8),
    st.tuples(
        st.text(st.sampled_from(STRIPPED[1:] + "\xa0"), max_size=2),
        st.sampled_from(["ios", "IOS", "web", "us", "DE", "api_x", "other", "x" * 200]),
        st.text(st.sampled_from(STRIPPED[1:] + "\xa0"), max_size=2),
    ).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(_VALUES, min_size=1, max_size=30))
def test_any_strings(compiled_sql: str, values: list[str | None]) -> None:
    _check(compiled_sql, values)
