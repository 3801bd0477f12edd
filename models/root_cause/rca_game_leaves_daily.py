"""The game leaf cube, per value_basis (adjusted, reported): every leaf-day of
rca_game_leaf_measures_daily, and every leaf-day without activity that had some in the history
window, with each measure's expected value, earlier days only (kpi_trust.rca.baseline: the
total's same-weekday median split over the leaves by their share). kpi_root_causes reads it for
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
    import pandas as pd
    from kpi_trust.rca.baseline import leaf_expectations

    frame = dbt.ref("rca_game_leaf_measures_daily").df()
    parts = []
    for basis, measures in frame.groupby("value_basis", sort=True):
        part = leaf_expectations(
            measures,
            "event_date",
            LEAVES,
            MEASURES,
            weeks=int(dbt.config.get("anomaly_season_periods")),
            min_weeks=int(dbt.config.get("anomaly_min_season_periods")),
        )
        parts.append(part.assign(value_basis=basis))
    return pd.concat(parts, ignore_index=True)
