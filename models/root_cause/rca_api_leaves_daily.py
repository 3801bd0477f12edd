"""The API leaf cube: every leaf-day of rca_api_leaf_measures_daily, and every leaf-day without
calls that had calls on one of the previous same weekdays, with each measure's expected value:
the median of the same weekday's values over the previous var('anomaly_season_periods') weeks
(at least var('anomaly_min_season_periods')), earlier days only. The anomaly detector's seasonal
baseline family, per leaf. kpi_root_causes reads it for the API KPIs' anomalous days.

Why a dbt Python model: the leaves are sparse (~1.4 calls per leaf-day on the default data), so
the median must count the days without calls as zeros; in SQL that meant every leaf on every day
(1.6 M rows) and a same-weekday self-join (27 s), in numpy it is ~1 s
(kpi_trust.rca.baseline.leaf_expectations).
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
    from kpi_trust.rca.baseline import leaf_expectations

    measures = dbt.ref("rca_api_leaf_measures_daily").df()
    return leaf_expectations(
        measures,
        "call_date",
        LEAVES,
        MEASURES,
        sparse_measures=PERCENTILES,
        weeks=int(dbt.config.get("anomaly_season_periods")),
        min_weeks=int(dbt.config.get("anomaly_min_season_periods")),
    )
