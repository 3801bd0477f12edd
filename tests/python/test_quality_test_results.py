"""dbt test results in the warehouse: every test result of every invocation
kept with history, failing rows per day with the right failure_date, and nothing reported for an
invocation that did not run the test (stale store_failures tables).

Builds the small generated dataset (conftest.SMALL_CONFIG) up to the result models - everything
the trust score reads, without the trust models themselves - four times over.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import dbt_env, generate_raw, run_dbt
from test_quality_signals import labelled_days

RESULT_MODELS = ["dbt_test_results", "dbt_test_failures_daily"]
# cautious: only the tests whose every parent is built (a relationships test to a trust seed
# would otherwise run on a table this selection does not build)
LINEAGE = [
    "--select", "+dbt_test_results", "+dbt_test_failures_daily", "--indirect-selection", "cautious"
]  # fmt: skip
NULL_TEST = "not_null_by_day_stg_api_gateway__api_calls_latency_ms__requested_at"


def invocation_id(env: dict[str, str]) -> str:
    run_results = json.loads((Path(env["DBT_TARGET_PATH"]) / "run_results.json").read_text())
    return run_results["metadata"]["invocation_id"]


def query(db_path: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(sql).df()


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """Four invocations on one warehouse:
    1. and 2. `dbt build` of the result models' lineage;
    3. the same, excluding the latency null test (its audit table, left by invocation 2, is
       now stale);
    4. `dbt run` of the result models alone (no test runs: every audit table is stale)."""
    work = tmp_path_factory.mktemp("test_results_history")
    raw_dir = generate_raw(work / "raw")
    env = dbt_env(work, seed_dir=raw_dir)
    db_path = work / "kpi.duckdb"
    ids = []
    for args in (
        ["build", *LINEAGE],
        ["build", *LINEAGE],
        ["build", *LINEAGE, "--exclude", NULL_TEST],
        ["run", "--select", *RESULT_MODELS],
    ):
        run_dbt(args, env)
        ids.append(invocation_id(env))
    manifest = json.loads((work / "target" / "manifest.json").read_text())
    return db_path, ids, manifest, raw_dir


def test_history_keeps_every_invocation(history):
    db_path, ids, _, _ = history
    results = query(db_path, "select * from dbt_test_results")
    per_invocation = results.groupby("invocation_id")["test_unique_id"].agg(set)
    assert set(per_invocation.index) == set(ids[:3])  # invocation 4 ran no test
    assert len(per_invocation[ids[0]]) > 50
    assert per_invocation[ids[0]] == per_invocation[ids[1]]
    assert per_invocation[ids[2]] == per_invocation[ids[1]] - {
        uid for uid in per_invocation[ids[1]] if f".{NULL_TEST}." in uid
    }
    started = results.groupby("invocation_id")["run_started_at"].nunique()
    assert (started == 1).all()
    assert results.groupby("invocation_id")["run_started_at"].first().nunique() == 3
    assert set(results["status"]) <= {"pass", "warn", "fail"}
    # warn_if '!= 0' on every test: status follows the failures count
    assert ((results["status"] == "pass") == (results["failures"] == 0)).all()


def test_failing_test_reports_its_days(history):
    """The latency null burst makes not_null_by_day warn, on exactly the labelled days."""
    db_path, ids, _, raw_dir = history
    incidents = pd.read_csv(raw_dir / "injected_incidents.csv", dtype=str)
    bursts = incidents[
        (incidents["dataset"] == "api_calls") & (incidents["incident_type"] == "null_burst")
    ]
    assert len(bursts) == 1
    days = set(labelled_days(bursts.iloc[0]))
    for invocation in ids[:2]:
        result = query(db_path, f"""
            select status, failures from dbt_test_results
            where invocation_id = '{invocation}' and test_name = '{NULL_TEST}'
        """)  # fmt: skip
        assert result.to_dict("records") == [{"status": "warn", "failures": result["failures"][0]}]
        daily = query(db_path, f"""
            select failure_date, failing_rows from dbt_test_failures_daily
            where invocation_id = '{invocation}' and test_name = '{NULL_TEST}'
        """)  # fmt: skip
        assert set(pd.to_datetime(daily["failure_date"]).dt.date) == days
        assert daily["failing_rows"].sum() == result["failures"][0] > 0
        nulls = query(db_path, """
            select count(*) as n from staging.stg_api_gateway__api_calls where latency_ms is null
        """)["n"][0]  # fmt: skip
        assert daily["failing_rows"].sum() == nulls


def test_stale_store_failures_are_not_reported(history):
    db_path, ids, _, _ = history
    # the audit table still holds invocation 2's failing rows ...
    relation = query(db_path, f"""
        select stored_failures_relation from dbt_test_results
        where invocation_id = '{ids[1]}' and test_name = '{NULL_TEST}'
    """)["stored_failures_relation"][0]  # fmt: skip
    stored = query(db_path, f"select distinct invocation_id from {relation}")
    assert stored["invocation_id"].tolist() == [ids[1]]
    # ... yet neither invocation 3 (test excluded) nor 4 (no tests) reports them
    for invocation in ids[2:]:
        for model in RESULT_MODELS:
            reported = query(db_path, f"""
                select count(*) as n from {model}
                where invocation_id = '{invocation}' and test_name = '{NULL_TEST}'
            """)["n"][0]  # fmt: skip
            assert reported == 0, (model, invocation)
    assert query(db_path, f"""
        select count(*) as n from dbt_test_failures_daily where invocation_id = '{ids[3]}'
    """)["n"][0] == 0  # fmt: skip


def _descendants(manifest: dict, roots: set[str]) -> set[str]:
    found, frontier = set(roots), list(roots)
    while frontier:
        for child in manifest["child_map"].get(frontier.pop(), []):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def test_every_test_upstream_of_the_trust_score_is_reported(history):
    """Each test either is reported or sits on a descendant of the results models, of the
    ground-truth labels (evaluation only, kept out of the trust score's lineage) or in the
    anomalies or root-cause layers (models/anomalies, models/root_cause: they read the marts and
    the trust score and are no evidence for it, so the trust score does not wait for them): a
    new branch of models ending outside their ancestors fails here (add its last node to
    macros/test_results/test_results_upstream_models.sql)."""
    db_path, ids, manifest, _ = history
    results_nodes = {f"model.kpi_trust.{model}" for model in RESULT_MODELS}
    anomalies = {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node["path"].startswith(("anomalies/", "root_cause/"))
    }
    descendants = (
        _descendants(manifest, results_nodes)
        | _descendants(manifest, {"seed.kpi_trust.injected_incidents"})
        | _descendants(manifest, anomalies)
    )
    tests = {
        uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"
    }
    on_descendants = {
        uid for uid, node in tests.items() if set(node["depends_on"]["nodes"]) & descendants
    }
    reported = set(query(db_path, f"""
        select test_unique_id from dbt_test_results where invocation_id = '{ids[1]}'
    """)["test_unique_id"])  # fmt: skip
    assert reported == set(tests) - on_descendants
    assert any(".trust_accuracy_gate" in uid for uid in on_descendants)


def _ancestors(manifest: dict, node: str) -> set[str]:
    found, frontier = set(), [node]
    while frontier:
        for parent in manifest["parent_map"].get(frontier.pop(), []):
            if parent not in found:
                found.add(parent)
                frontier.append(parent)
    return found


def test_result_models_run_after_what_the_trust_score_reads(history):
    """The results models descend from the models the trust score reads (through their one
    ordering node), so `dbt build` runs them after those models and their tests; the trust
    evidence reads them."""
    _, _, manifest, _ = history
    for model in RESULT_MODELS:
        ancestors = _ancestors(manifest, f"model.kpi_trust.{model}")
        assert {"model.kpi_trust.kpi_daily", "model.kpi_trust.quality_signals_daily"} <= ancestors
    evidence = manifest["parent_map"].get("model.kpi_trust.trust_evidence_dbt_tests", [])
    assert "model.kpi_trust.dbt_test_failures_daily" in evidence
