"""The trust score generalises: the same weights and lineage meet the bar on unseen schedules.

Issue 5.4: three seeds other than the default 42 draw different incident schedules, slices and
magnitudes. Each is generated over DAYS days at PLAYERS players (see below), built with one
`dbt build` (seeds included) into its own DuckDB file, and scored by the warehouse's own
`trust_metrics`, both scores, total and slice rows, against the bar of the build's gate (total
precision and recall >= 0.95, slices >= 0.9, healthy siblings low <= 2 %, clean and business
rows not high <= 2 %). The gate itself is off for these builds (conftest.dbt_env), so a miss
shows up here as an assertion with the missed / false-alarm rows listed, not as a failed build.
Nothing is tuned per seed: the project's committed configuration is used as is.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from conftest import dbt_env, run_dbt
from kpi_trust.generator import GeneratorConfig, generate

SEEDS = (101, 202, 303)
MIN_RECALL = 0.9
MIN_PRECISION = 0.9
# The smallest period that holds the whole catalogue (14 warm-up days, 17 incidents of 1-3 days
# with a clean day between, packed): ~1.4 min per seed on 2 cores, ~4 min for the three. The
# default 90-day schedule takes ~2.5 min per seed; run it with KPI_TRUST_GENERALISATION_DAYS=90
# (measured: see docs/trust.md, "Measured accuracy").
DAYS = int(os.environ.get("KPI_TRUST_GENERALISATION_DAYS", "35"))
# A third of the default players (the default until 2026-12-06: ~35 purchases a day), which keeps
# the three builds within `make test`'s budget and holds the score to its bar where events are
# scarce; KPI_TRUST_GENERALISATION_PLAYERS=81000 runs the default volume (docs/trust.md).
PLAYERS = int(os.environ.get("KPI_TRUST_GENERALISATION_PLAYERS", "27000"))


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def scored_warehouse(request, tmp_path_factory) -> Path:
    """Generate one seed's logs and build a warehouse from them; returns the DuckDB path."""
    seed = request.param
    work = tmp_path_factory.mktemp(f"trust_seed{seed}")
    seed_dir = work / "seeds"
    generate(GeneratorConfig(seed=seed, days=DAYS, players=PLAYERS), seed_dir)
    env = dbt_env(
        work,
        seed_dir=seed_dir,
        KPI_TRUST_LABELS="auto",
        KPI_TRUST_GX_DIR=str(work / "gx"),
        KPI_TRUST_GX_DATA_DOCS="0",
    )
    # dbt_env turns the build's gate off: a miss shows up below with the rows listed
    run_dbt(["build", "--quiet"], env)
    return Path(env["KPI_TRUST_DB"])


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).fetchall()


# The build's gate (trust_accuracy_gate), asserted here per seed with the misses listed.
BAR = {
    ("total", "recall"): ("min", 0.95),
    ("total", "precision"): ("min", 0.95),
    ("slice", "recall"): ("min", 0.9),
    ("slice", "precision"): ("min", 0.9),
    ("slice", "sibling_low_rate"): ("max", 0.02),
    ("total", "clean_not_high_rate"): ("max", 0.02),
    ("total", "business_only_not_high_rate"): ("max", 0.02),
    ("slice", "clean_not_high_rate"): ("max", 0.02),
    ("slice", "business_only_not_high_rate"): ("max", 0.02),
}


@pytest.mark.parametrize("score_kind", ["reported", "adjusted"])
def test_trust_meets_the_bar_on_unseen_seeds(scored_warehouse: Path, score_kind: str) -> None:
    metrics = {}
    for row_scope in ("total", "slice"):
        with duckdb.connect(str(scored_warehouse), read_only=True) as con:
            frame = con.execute(
                "select * from trust_metrics where kpi_name = 'overall' and dataset = 'all' "
                "and score_kind = ? and row_scope = ?",
                [score_kind, row_scope],
            ).df()
        metrics[row_scope] = frame.iloc[0].to_dict()
    assert metrics["total"]["n_positives"] > 50, metrics["total"]
    misses = _query(
        scored_warehouse,
        "select row_scope, outcome, kpi_name, kpi_date, dimension_name, dimension_value, "
        "label_class, incident_ids, trust_score, left(reasons, 160) from trust_evaluation "
        f"where is_evaluated and score_kind = '{score_kind}' "
        "and (outcome in ('fn', 'fp') or (label_class in ('clean', 'business_only', 'sibling') "
        "and not is_high)) order by row_scope, outcome, kpi_date, kpi_name limit 60",
    )
    listing = "\n".join(str(row) for row in misses)
    failures = []
    for (row_scope, metric), (bound, limit) in BAR.items():
        value = metrics[row_scope][metric]
        value = 0.0 if value is None or value != value else value
        if (bound == "min" and value < limit) or (bound == "max" and value > limit):
            failures.append(f"{score_kind} {row_scope} {metric} = {value:.3f} ({bound} {limit})")
    assert not failures, "; ".join(failures) + "\n" + listing


def test_every_low_trust_kpi_day_names_its_reasons(scored_warehouse: Path) -> None:
    unexplained = _query(
        scored_warehouse,
        "select count(*) from kpi_trust_daily where trust_level = 'low' and top_reasons is null",
    )[0][0]
    assert unexplained == 0
