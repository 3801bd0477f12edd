"""The project's `relationships` test (macros/generic_tests/relationships.sql, overriding dbt's
default__test_relationships): child values with no parent value fail, once per child row, and
a parent value repeated millions of times (a fact table) counts as one.

The macro is rendered with plain Jinja (it uses no dbt context) and run on DuckDB: fast, and it
fails if the override stops finding orphans or starts reporting matched rows.
"""

from __future__ import annotations

import duckdb
import jinja2
from conftest import PROJECT

MACRO_FILE = PROJECT / "macros" / "generic_tests" / "relationships.sql"


def render(**arguments: str) -> str:
    template = jinja2.Environment().from_string(MACRO_FILE.read_text())
    return template.module.default__test_relationships(**arguments)


def failing_values(child: list[str | None], parent: list[str | None]) -> list[str]:
    con = duckdb.connect()
    for table, values in (("child", child), ("parent", parent)):
        con.execute(f"create table {table} as select unnest(?::varchar[]) as api_name", [values])
    sql = render(model="child", column_name="api_name", to="parent", field="api_name")
    return sorted(row[0] for row in con.sql(sql).fetchall())


def test_orphans_fail_once_per_child_row():
    parent = ["search"] * 1000 + ["upload"] * 500 + [None]
    child = ["search", "upload", "export", "export", None, "Search"]
    assert failing_values(child, parent) == ["Search", "export", "export"]


def test_every_child_value_with_a_parent_passes():
    parent = ["search", "search", "upload"]
    assert failing_values(["search", "upload", "upload", None], parent) == []


def test_an_empty_parent_fails_every_non_null_child_row():
    assert failing_values(["search", None], []) == ["search"]


def test_the_parent_is_made_distinct_before_the_join():
    # the reason for the override: Spark does not plan `left join ... is null` as an anti join
    sql = " ".join(render(model="c", column_name="x", to="p", field="y").split())
    assert "select distinct y as to_field from p" in sql
