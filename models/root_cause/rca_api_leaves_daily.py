"""The API leaf cube, per value_basis (adjusted, reported): every leaf-day of
rca_api_leaf_measures_daily, and every leaf-day without calls that had calls in the history
window, with each measure's expected value, earlier days only (kpi_trust.rca.baseline): the
anomaly detector's same-weekday median of the previous var('anomaly_season_periods') weeks (at
least var('anomaly_min_season_periods')) for each measure's total, split over the leaves by
their share of it in those weeks; a leaf's own same-weekday median for its latency percentiles.
kpi_root_causes reads it for the API KPIs' anomalous days.

Why a dbt Python model: the leaves are sparse (~1.4 calls per leaf-day on the default data) and
days without calls are zeros; in SQL that meant every leaf on every day (1.6 M rows) and a
same-weekday self-join (27 s); as a dense leaf x day array in numpy it takes about a second.
Incremental by day like the leaf measures it reads: a run recomputes the last
var('lookback_days') days from the weeks of measures before them (kpi_trust.rca.leaf_cubes).
"""

LEAVES = ["api_name", "api_version", "region", "client_type", "document_type"]
MEASURES = [
    "calls",
    "successes",
    "failures",
    "timeouts",
    "p50_latency_ms",
    "p95_latency_ms",
    "p99_latency_ms",
]
PERCENTILES = ("p50_latency_ms", "p95_latency_ms", "p99_latency_ms")


def model(dbt, session):
    from kpi_trust.rca.leaf_cubes import leaf_cube

    return leaf_cube(
        dbt,
        session,
        dbt.ref("rca_api_leaf_measures_daily"),
        "call_date",
        LEAVES,
        MEASURES,
        weeks=int(dbt.config.get("anomaly_season_periods")),
        min_weeks=int(dbt.config.get("anomaly_min_season_periods")),
        lookback_days=int(dbt.config.get("lookback_days")),
        sparse_measures=PERCENTILES,
    )
