"""The trust accuracy gate really fails the build when trust_metrics misses its thresholds.

Uses the shared small warehouse (labels present): with thresholds above any reachable recall
the gate test must fail; at 0 it must pass. `make run` builds the default dataset with the
real thresholds (0.95), where the gate is part of `dbt build`.
"""

from __future__ import annotations

import duckdb
import pytest
from conftest import run_dbt

GATE = ["test", "--select", "test_name:trust_accuracy_gate"]


def test_small_warehouse_has_scored_labels(small_warehouse) -> None:
    with duckdb.connect(str(small_warehouse.db_path), read_only=True) as con:
        (positives,) = con.execute(
            "select n_positives from trust_metrics where kpi_name = 'overall' and dataset = 'all'"
        ).fetchall()[0]
    assert positives > 0


def test_gate_fails_below_threshold(small_warehouse) -> None:
    env = {**small_warehouse.env, "KPI_TRUST_MIN_RECALL": "1.01"}
    with pytest.raises(RuntimeError, match="trust_accuracy_gate"):
        run_dbt(GATE, env)


def test_gate_passes_when_met(small_warehouse) -> None:
    env = {**small_warehouse.env, "KPI_TRUST_MIN_RECALL": "0", "KPI_TRUST_MIN_PRECISION": "0"}
    run_dbt(GATE, env)
