"""The anomaly issue's targets on the default-size dataset of three seeds other than the default.

Marked slow (three full-size 90-day builds, ~3 min each on 2 cores): `make test-slow` runs it;
`make test` does not. Each seed is generated with the generator's defaults (as `make run`, only
the seed differs), built up to anomaly_metrics with the project's vars, and its 'consensus' row
(the level built, var anomaly_consensus) must meet the targets of docs/anomalies.md: business
incidents detected >= 0.9, verdicts right >= 0.9 of detected incidents, first alarm within one
day of the start >= 0.8 of detected incidents, <= 1 false alarm per total series per 30 clean
days. The numbers of every row are printed (run with -s).
"""

from __future__ import annotations

import duckdb
import pytest
from conftest import dbt_env, run_dbt

pytestmark = pytest.mark.slow

TARGETS = {
    "business_detected_share": 0.9,
    "verdicts_right_share": 0.9,
    "within_one_day_share": 0.8,
}


@pytest.mark.parametrize("seed", [101, 202, 303])
def test_targets_met_on_another_seed(seed: int, tmp_path) -> None:
    from kpi_trust.generator import GeneratorConfig, generate

    raw_dir = tmp_path / "raw"
    generate(GeneratorConfig(seed=seed), raw_dir)
    env = dbt_env(tmp_path, seed_dir=raw_dir, KPI_TRUST_GX_DATA_DOCS="0")
    run_dbt(
        ["build", "--select", "+anomaly_metrics", "+trust_metrics", "+rca_metrics"]
        + ["--indirect-selection", "cautious"],
        env,
    )
    with duckdb.connect(str(tmp_path / "kpi.duckdb"), read_only=True) as connection:
        metrics = connection.sql("select * from anomaly_metrics").df().set_index("detector")
        # the trust score's accuracy on the same build, printed for docs/trust.md (the trust
        # bar is asserted by test_trust_generalisation.py in `make test`)
        trust = connection.sql(
            "select score_kind, row_scope, n_positives, n_undecidable, precision, recall,"
            " sibling_low_rate, clean_not_high_rate, business_only_not_high_rate"
            " from trust_metrics where kpi_name = 'overall' and dataset = 'all'"
            " order by score_kind desc, row_scope desc"
        ).df()
        # root causes on the same build, printed for docs/root-cause.md
        rca = connection.sql("select * from rca_metrics").df()
    print(f"\nseed {seed}:\n{metrics.drop(columns='consensus_level').round(3).T.to_string()}")
    print(f"trust, seed {seed}:\n{trust.round(3).to_string(index=False)}")
    print(f"root causes, seed {seed}:\n{rca.round(3).to_string(index=False)}")
    built = metrics.loc["consensus"]
    assert built["n_business_incidents"] > 0
    missed = {k: built[k] for k, target in TARGETS.items() if not built[k] >= target}
    assert not missed, f"seed {seed}: below target: {missed}"
    assert built["false_alarms_per_30_days"] <= 1.0
