"""Root causes of every anomalous KPI-day: the top-k slices (dimension=value conjunctions) that
explain each row of kpi_verdicts_daily, from the leaf cubes rca_api_leaves_daily and
rca_game_leaves_daily.

Why a dbt Python model: the search (kpi_trust.rca) is engine-independent Python shared with
`kpi-trust rca`; dbt-duckdb runs this function in dbt's process, so the causes are built in the
same `dbt build` as the verdicts they explain. Only the leaf-days of verdict days are read.
Method, scores and parameters: docs/root-cause.md.
"""

import pandas as pd


def _days(relation, day_column, days):
    if not days:
        return None
    listed = ", ".join(f"date '{day}'" for day in sorted(days))
    return relation.filter(f"{day_column} in ({listed})").df()


def model(dbt, session):
    from kpi_trust.rca.warehouse import KPI_MEASURES, root_causes

    top_k = int(dbt.config.get("rca_top_k"))
    verdicts = (
        dbt.ref("kpi_verdicts_daily")
        .select("kpi_name, dimension_name, dimension_value, verdict, kpi_date")
        .df()
    )
    wanted = {"api_calls": set(), "game_events": set()}
    for row in verdicts.itertuples(index=False):
        spec = KPI_MEASURES.get(row.kpi_name)
        if spec is not None:
            wanted[spec.dataset].add(pd.Timestamp(row.kpi_date).date().isoformat())
    leaves = {}
    api = _days(dbt.ref("rca_api_leaves_daily"), "call_date", wanted["api_calls"])
    if api is not None:
        leaves["api_calls"] = api
    game = _days(dbt.ref("rca_game_leaves_daily"), "event_date", wanted["game_events"])
    if game is not None:
        leaves["game_events"] = game
    return root_causes(verdicts, leaves, top_k)
