"""The Great Expectations <-> DuckDB shim (kpi_trust.gx_duckdb): it works, and it is still needed.

With the shim, every expectation type our suites use runs in SQL pushdown on DuckDB and gives
the right answer on a tiny table with known defects. Without it (fresh processes, because the
patches are process-wide), the upstream failures are asserted exactly, so the day Great
Expectations fixes DuckDB (upstream #10738 / #11579, PR #12084) these tests fail and say which
patch to delete.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest

# 10 rows with known defects: one null, one duplicate id, one value out of set/range/format.
TABLE_SQL = """
create table calls as
select * from (values
    ('c01', 'success', 'v2.1',  120.0, 'US', 'b1'),
    ('c02', 'success', 'v2.1',  130.0, 'US', 'b1'),
    ('c03', 'failure', 'v2.1',  140.0, 'DE', 'b1'),
    ('c04', 'success', 'v2',    150.0, 'DE', 'b1'),
    ('c05', 'timeout', 'v3.0.1', 160.0, 'FR', 'b1'),
    ('c06', 'success', 'v3.0.1', 170.0, 'FR', 'b2'),
    ('c07', 'SUCCESS', 'v3.0.1', 180.0, 'FR', 'b2'),
    ('c08', 'success', '3.0',   190.0, 'fr', 'b2'),
    ('c08', 'success', 'v3.0.1', -1.0,  'GB', 'b3'),
    ('c10', null,      'v3.0.1', 210.0, 'GB', 'b3')
) as t(call_id, status, api_version, latency_ms, country, batch_id)
"""

# Standalone script: run one metric, one regex and one LIKE expectation on DuckDB through GE's
# SQLAlchemy path and print what happened, optionally after applying some shim patches.
PROBE = textwrap.dedent(
    """
    import json, sys
    import duckdb, duckdb_engine
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from kpi_trust import gx_duckdb

    for patch in sys.argv[1:]:
        getattr(gx_duckdb, patch)()
    con = duckdb.connect()
    con.execute("create table t as select 'id_' || i as id from range(10) r(i)")
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_sql(
        name="probe",
        connection_string="duckdb:///:memory:",
        kwargs={"creator": lambda: duckdb_engine.ConnectionWrapper(con.cursor())},
    )
    batch = source.add_query_asset("q", query="select * from t").add_batch_definition_whole_table(
        "all"
    ).get_batch()
    out = {}
    for name, expectation in {
        "row_count": gxe.ExpectTableRowCountToBeBetween(min_value=1),
        "regex": gxe.ExpectColumnValuesToMatchRegex(column="id", regex="^id_"),
        "like": gxe.ExpectColumnValuesToMatchLikePattern(column="id", like_pattern="id%"),
    }.items():
        result = batch.validate(expectation)
        messages = [
            info.get("exception_message") or ""
            for info in (result.exception_info or {}).values()
            if isinstance(info, dict)
        ]
        message = result.exception_info.get("exception_message") if result.exception_info else None
        out[name] = {"success": result.success, "errors": [m for m in [*messages, message] if m]}
    print("PROBE" + json.dumps(out))
    """
)


def _probe(*patches: str) -> dict[str, Any]:
    """Run PROBE in a fresh interpreter with the given shim patches applied."""
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, *patches],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("PROBE")]
    assert lines, f"probe crashed:\n{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}"
    return json.loads(lines[-1].removeprefix("PROBE"))


@pytest.fixture(scope="module")
def batch() -> Iterator[Any]:
    """A GE batch over the tiny table, on DuckDB through SQLAlchemy, with the shim applied."""
    import duckdb_engine
    import great_expectations as gx
    from kpi_trust import gx_duckdb

    gx_duckdb.apply()
    connection = duckdb.connect()
    connection.execute(TABLE_SQL)
    cursor = connection.cursor()
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_sql(
        name="tiny",
        connection_string="duckdb:///:memory:",
        kwargs={"creator": lambda: duckdb_engine.ConnectionWrapper(cursor)},
    )
    asset = source.add_query_asset("calls", query="select * from calls")
    yield asset.add_batch_definition_whole_table("all").get_batch()
    source.get_execution_engine().close()
    connection.close()


def _validate(batch: Any, expectation: Any) -> dict[str, Any]:
    result = batch.validate(expectation, result_format="BASIC")
    raised = (result.exception_info or {}).get("raised_exception")
    assert not raised, f"{expectation.expectation_type} raised: {result.exception_info}"
    return {"success": result.success, **result.result}


def test_apply_is_idempotent_and_complete() -> None:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module
    from kpi_trust import gx_duckdb

    gx_duckdb.apply()
    gx_duckdb.apply()
    assert gx_duckdb.is_applied()
    assert list(engine_module._PERSISTED_CONNECTION_DIALECTS).count("duckdb") == 1


@pytest.mark.parametrize(
    ("make", "success", "unexpected"),
    [
        (lambda e: e.ExpectColumnValuesToNotBeNull(column="status"), False, 1),
        (lambda e: e.ExpectColumnValuesToNotBeNull(column="call_id"), True, 0),
        (
            lambda e: e.ExpectColumnValuesToBeInSet(
                column="status", value_set=["success", "failure", "timeout"]
            ),
            False,
            1,
        ),
        (
            lambda e: e.ExpectColumnValuesToBeBetween(
                column="latency_ms", min_value=0, max_value=1000
            ),
            False,
            1,
        ),
        (lambda e: e.ExpectColumnValuesToBeUnique(column="call_id"), False, 2),
        (lambda e: e.ExpectColumnValuesToBeUnique(column="country"), False, 9),
        (
            lambda e: e.ExpectCompoundColumnsToBeUnique(column_list=["call_id", "batch_id"]),
            True,
            0,
        ),
        (
            lambda e: e.ExpectColumnValuesToMatchRegex(
                column="api_version", regex=r"^v\d+(\.\d+)*$"
            ),
            False,
            1,
        ),
        (
            lambda e: e.ExpectColumnValuesToMatchRegex(column="country", regex="^[A-Z]{2}$"),
            False,
            1,
        ),
        # Search semantics, as in pandas/Spark: only c01 and c10 contain a "1" (a full-match
        # operator would reject all 10 ids).
        (lambda e: e.ExpectColumnValuesToMatchRegex(column="call_id", regex="1"), False, 8),
        (lambda e: e.ExpectColumnValuesToNotMatchRegex(column="call_id", regex=r"\s"), True, 0),
        (
            lambda e: e.ExpectColumnValuesToMatchLikePattern(column="call_id", like_pattern="c%"),
            True,
            0,
        ),
    ],
)
def test_column_map_expectations_run_in_pushdown(
    batch: Any, make: Any, success: bool, unexpected: int
) -> None:
    import great_expectations.expectations as gxe

    result = _validate(batch, make(gxe))
    assert result["success"] is success
    assert result["unexpected_count"] == unexpected


def test_table_and_aggregate_expectations_run_in_pushdown(batch: Any) -> None:
    import great_expectations.expectations as gxe

    assert (
        _validate(batch, gxe.ExpectTableRowCountToBeBetween(min_value=10, max_value=10))[
            "observed_value"
        ]
        == 10
    )
    assert not _validate(batch, gxe.ExpectTableRowCountToBeBetween(min_value=11))["success"]
    columns = _validate(
        batch, gxe.ExpectTableColumnsToMatchSet(column_set=["call_id", "status"], exact_match=False)
    )
    assert columns["success"]
    quantiles = _validate(
        batch,
        gxe.ExpectColumnQuantileValuesToBeBetween(
            column="latency_ms",
            quantile_ranges={"quantiles": [0.5], "value_ranges": [[100, 200]]},
        ),
    )
    assert quantiles["success"]
    assert [float(v) for v in quantiles["observed_value"]["values"]] == [150.0]
    mean = _validate(batch, gxe.ExpectColumnMeanToBeBetween(column="latency_ms", min_value=0))
    assert mean["observed_value"] == pytest.approx(144.9)
    rows = _validate(
        batch,
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select * from {batch} where status is null"
        ),
    )
    assert rows["observed_value"] == 1 and not rows["success"]


def test_without_the_shim_upstream_still_fails_on_duckdb() -> None:
    """If this fails, upstream changed: delete the shim patches that are no longer needed."""
    bare = _probe()
    for name in ("row_count", "regex", "like"):
        assert bare[name]["success"] is False, (
            f"{name} now works on DuckDB without the shim: Great Expectations fixed #11579 "
            "(persisted connection). Drop patch 1 of kpi_trust.gx_duckdb."
        )
        assert any("list index out of range" in e for e in bare[name]["errors"]), bare[name]

    persisted_only = _probe("_persist_connection")
    assert persisted_only["row_count"]["success"] is True, persisted_only
    assert any(
        "Regex is not supported for dialect duckdb" in e for e in persisted_only["regex"]["errors"]
    ), f"regex works without patch 3 now; re-check kpi_trust.gx_duckdb: {persisted_only}"
    assert any(
        "Like patterns are not supported for dialect duckdb" in e
        for e in persisted_only["like"]["errors"]
    ), f"LIKE works without patch 2 now; re-check kpi_trust.gx_duckdb: {persisted_only}"

    shimmed = _probe("apply")
    assert all(shimmed[name]["success"] for name in ("row_count", "regex", "like")), shimmed
