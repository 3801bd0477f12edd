"""Root causes of every anomalous KPI-day: the top-k slices (dimension=value conjunctions) that
explain each row of kpi_verdicts_daily, from the leaf cubes rca_api_leaves_daily and
rca_game_leaves_daily.

Why a dbt Python model: the search (kpi_trust.rca) is engine-independent Python shared with
`kpi-trust rca`; dbt-duckdb runs this function in dbt's process, so the causes are built in the
same `dbt build` as the verdicts they explain. Only the leaf-days of verdict days are read.
Incremental: a run keeps the stored causes of every verdict row whose verdict and leaf-day rows
are unchanged (inputs_fingerprint, kpi_trust.rca.carry) and searches the others; the table is
then rewritten whole (strategy replace_all), so causes of verdicts that are gone go with them.
Method, scores and parameters: docs/root-cause.md.
"""

import pandas as pd


def _days(relation, day_column, days):
    if not days:
        return None
    listed = ", ".join(f"date '{day}'" for day in sorted(days))
    return relation.filter(f"{day_column} in ({listed})").df()


def model(dbt, session):
    from kpi_trust.rca import carry
    from kpi_trust.rca.warehouse import DAY_COLUMN, root_causes

    top_k = int(dbt.config.get("rca_top_k"))
    cubes = {
        "api_calls": dbt.ref("rca_api_leaves_daily"),
        "game_events": dbt.ref("rca_game_leaves_daily"),
    }

    def fingerprints(dataset, days):
        cube_sql = cubes[dataset].sql_query()
        return session.sql(carry.fingerprint_sql(cube_sql, DAY_COLUMN[dataset], days, top_k)).df()

    verdicts = (
        dbt.ref("kpi_verdicts_daily")
        .select("kpi_name, dimension_name, dimension_value, verdict, kpi_date")
        .df()
    )
    verdicts = carry.with_fingerprints(verdicts, fingerprints)
    carried = None
    if dbt.is_incremental:
        carried, verdicts = carry.split_carried(
            session.sql(f"select * from {dbt.this}").df(), verdicts
        )
    leaves = {}
    for dataset, part in verdicts.groupby("dataset", sort=True):
        days = {day.isoformat() for day in part["_day"]}
        leaves[dataset] = _days(cubes[dataset], DAY_COLUMN[dataset], days)
    found = carry.attach_fingerprints(root_causes(verdicts, leaves, top_k), verdicts)
    if carried is not None and not carried.empty:
        found = pd.concat([carried[found.columns], found], ignore_index=True)
    # a DATE like the verdicts' (pandas reads DuckDB dates as datetimes)
    return found.assign(kpi_date=pd.to_datetime(found["kpi_date"]).dt.date)
