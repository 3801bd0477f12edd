"""The game leaf cube, per value_basis (adjusted, reported): every leaf-day of
rca_game_leaf_measures_daily, and every leaf-day without activity that had some in the history
window, with each measure's expected value, earlier days only (kpi_trust.rca.baseline: the
total's same-weekday median split over the leaves by their share). kpi_root_causes reads it for
the game KPIs' anomalous days. A dbt Python model for the reason given in rca_api_leaves_daily,
incremental by day as it is (kpi_trust.rca.leaf_cubes).
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
    from kpi_trust.rca.leaf_cubes import leaf_cube

    return leaf_cube(
        dbt,
        session,
        dbt.ref("rca_game_leaf_measures_daily"),
        "event_date",
        LEAVES,
        MEASURES,
        weeks=int(dbt.config.get("anomaly_season_periods")),
        min_weeks=int(dbt.config.get("anomaly_min_season_periods")),
        lookback_days=int(dbt.config.get("lookback_days")),
    )
