"""The trust score generalises: the same weights and lineage meet the bar on unseen schedules.

Issue 5.4: three seeds other than the default 42 draw different incident schedules, slices and
magnitudes. Each is generated at the default volumes over DAYS days (see below), built with one
`dbt build` (seeds included) into its own DuckDB file, and scored by the warehouse's own
`trust_metrics`. The build's accuracy gate is disabled for these builds (vars set to 0) so a
miss shows up here as an assertion with the missed / false-alarm KPI-days listed, not as a
failed build. Nothing is tuned per seed: the project's committed configuration is used as is.
"""

from __future__ import annotations

import json
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
# (measured: see README "How to read the trust score").
DAYS = int(os.environ.get("KPI_TRUST_GENERALISATION_DAYS", "35"))


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def scored_warehouse(request, tmp_path_factory) -> Path:
    """Generate one seed's logs and build a warehouse from them; returns the DuckDB path."""
    seed = request.param
    work = tmp_path_factory.mktemp(f"trust_seed{seed}")
    seed_dir = work / "seeds"
    generate(GeneratorConfig(seed=seed, days=DAYS), seed_dir)
    env = dbt_env(
        work,
        seed_dir=seed_dir,
        KPI_TRUST_LABELS="auto",
        KPI_TRUST_GX_DIR=str(work / "gx"),
        KPI_TRUST_GX_DATA_DOCS="0",
    )
    gate_off = json.dumps({"trust_min_recall": 0, "trust_min_precision": 0})
    run_dbt(["build", "--vars", gate_off, "--quiet"], env)
    return Path(env["KPI_TRUST_DB"])


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).fetchall()


def test_trust_meets_the_bar_on_unseen_seeds(scored_warehouse: Path) -> None:
    (n_positives, n_negatives, recall, precision) = _query(
        scored_warehouse,
        "select n_positives, n_negatives, recall, precision from trust_metrics "
        "where kpi_name = 'overall' and dataset = 'all'",
    )[0]
    misses = _query(
        scored_warehouse,
        "select outcome, kpi_name, kpi_date, label_class, incident_ids, trust_score, top_reasons "
        "from trust_evaluation where is_evaluated and outcome in ('fn', 'fp') "
        "order by outcome, kpi_date, kpi_name",
    )
    listing = "\n".join(str(row) for row in misses)
    assert n_positives > 50, f"too few labelled positives to score ({n_positives})"
    assert n_negatives > 300, f"too few negatives to score ({n_negatives})"
    assert recall is not None and recall >= MIN_RECALL, f"recall {recall}:\n{listing}"
    assert precision is not None, f"nothing flagged:\n{listing}"
    assert precision >= MIN_PRECISION, f"precision {precision}:\n{listing}"


def test_every_low_trust_kpi_day_names_its_reasons(scored_warehouse: Path) -> None:
    unexplained = _query(
        scored_warehouse,
        "select count(*) from kpi_trust_daily where trust_level = 'low' and top_reasons is null",
    )[0][0]
    assert unexplained == 0


def test_business_and_clean_kpi_days_stay_high(scored_warehouse: Path) -> None:
    # The issue wants KPI-days without a data incident to stay >= 90. A few may dip to medium
    # (a material slice's statistical signal), none may be flagged low beyond the precision bar.
    rows = _query(
        scored_warehouse,
        "select label_class, count(*), sum(case when is_high then 0 else 1 end) "
        "from trust_evaluation where is_evaluated and not is_positive group by 1",
    )
    for label_class, n_days, not_high in rows:
        assert not_high / n_days <= 0.05, f"{label_class}: {not_high} of {n_days} below high"
