"""The trust score never reads the ground truth it is scored against.

The labels (seed `injected_incidents`) may feed only the evaluations (`trust_evaluation`,
`trust_metrics`, `anomaly_evaluation`, `rca_evaluation`, `rca_metrics`). If a model that
computes trust had the labels anywhere upstream in dbt's graph, a score of 1.0 could be the
labels talking; this test reads dbt's manifest and fails on any such path.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_dbt

LABELS = "seed.kpi_trust.injected_incidents"
TRUST_MODELS = (
    "trust_evidence_daily",
    "kpi_trust_evidence_daily",
    "kpi_trust_daily",
    "dataset_trust_daily",
    "quality_signals_daily",
    "dbt_test_results",
    "dbt_test_failures_daily",
    "gx_validation_results",
    "kpi_daily",
    # the anomaly detectors and verdicts are judged against the labels (anomaly_evaluation):
    # they must not read them either
    "kpi_anomalies_daily",
    "kpi_verdicts_daily",
    "kpi_forecasts_daily",
    # the root causes are judged against the labels too (rca_evaluation, rca_metrics)
    "rca_api_leaf_measures_daily",
    "rca_api_leaves_daily",
    "rca_game_leaf_measures_daily",
    "rca_game_leaves_daily",
    "kpi_root_causes",
)


def _ancestors(parent_map: dict[str, list[str]], node: str) -> set[str]:
    found: set[str] = set()
    frontier = [node]
    while frontier:
        for parent in parent_map.get(frontier.pop(), []):
            if parent not in found:
                found.add(parent)
                frontier.append(parent)
    return found


def test_labels_feed_only_the_evaluation(small_warehouse) -> None:
    run_dbt(["parse"], small_warehouse.env)
    manifest = json.loads(
        (Path(small_warehouse.env["DBT_TARGET_PATH"]) / "manifest.json").read_text()
    )
    parent_map = manifest["parent_map"]
    for model in TRUST_MODELS:
        node = f"model.kpi_trust.{model}"
        assert node in parent_map, f"{model} missing from the manifest"
        assert LABELS not in _ancestors(parent_map, node), f"{model} reads the ground-truth labels"
    # ... and the evaluation does read them (the test would be vacuous otherwise).
    assert LABELS in _ancestors(parent_map, "model.kpi_trust.trust_metrics")
    assert LABELS in _ancestors(parent_map, "model.kpi_trust.rca_metrics")
