"""The game leaf cube: every leaf-day of rca_game_leaf_measures_daily, and every leaf-day without
activity that had some on one of the previous same weekdays, with each measure's expected value:
the median of the same weekday's values over the previous var('anomaly_season_periods') weeks
(at least var('anomaly_min_season_periods')), earlier days only. kpi_root_causes reads it for
the game KPIs' anomalous days. A dbt Python model for the reason given in rca_api_leaves_daily.
"""

LEAVES = ["platform", "country", "acquisition_channel", "install_week"]
MEASURES = [
    "dau",
    "new_users",
    "d1_retained_users",
    "sessions",
    "purchasers",
    "purchases",
    "revenue_usd",
    "levels_completed",
]


def model(dbt, session):
    from kpi_trust.rca.baseline import leaf_expectations

    measures = dbt.ref("rca_game_leaf_measures_daily").df()
    return leaf_expectations(
        measures,
        "event_date",
        LEAVES,
        MEASURES,
        weeks=int(dbt.config.get("anomaly_season_periods")),
        min_weeks=int(dbt.config.get("anomaly_min_season_periods")),
    )
