"""The marts as one hand-written DuckDB SQL script, the baseline dbt is timed against.

Written the way an analyst would for these typed Parquet files: DuckDB-only syntax (`qualify`,
`quantile_cont`, `read_parquet`), no staging views, no tests, no contracts. It computes the same
tables as the dbt project (facts, API marts, game_kpis_daily, kpi_daily with reported values);
`bench_marts.py` checks kpi_daily against dbt's. The two shared blocks (API rollup, game KPIs)
are Python functions only so the adjusted and reported variants are not typed out twice.
"""

from __future__ import annotations

API_DIMENSIONS = ("api_name", "region", "document_type")
GAME_DIMENSIONS = ("platform", "country", "acquisition_channel")
API_KPIS = [  # kpi_name, value column, numerator, denominator
    ("api_calls", "calls", "calls", None),
    ("api_success_rate", "success_rate", "successes", "calls"),
    ("api_failure_rate", "failure_rate", "failures", "calls"),
    ("api_timeout_rate", "timeout_rate", "timeouts", "calls"),
    ("api_p50_latency_ms", "p50_latency_ms", None, None),
    ("api_p95_latency_ms", "p95_latency_ms", None, None),
    ("api_p99_latency_ms", "p99_latency_ms", None, None),
]
GAME_KPIS = [
    ("dau", "dau", "dau", None),
    ("new_users", "new_users", "new_users", None),
    ("sessions", "sessions", "sessions", None),
    ("purchasers", "purchasers", "purchasers", None),
    ("purchases", "purchases", "purchases", None),
    ("revenue_usd", "revenue_usd", "revenue_usd", None),
    ("conversion_rate", "conversion_rate", "purchasers", "dau"),
    ("arpdau", "arpdau", "revenue_usd", "dau"),
    ("arppu", "arppu", "revenue_usd", "purchasers"),
    ("d1_retention", "d1_retention", "d1_retained_users", "new_users"),
    ("levels_completed", "levels_completed", "levels_completed", None),
]


def api_rollup(source: str) -> str:
    parts = []
    for dim in ("all", *API_DIMENSIONS):
        value = "'all'" if dim == "all" else dim
        where = "" if dim == "all" else f"where {dim} is not null"
        parts.append(f"""
        select call_date, '{dim}' as dimension_name, {value} as dimension_value,
            count(*) as calls,
            count(*) filter (where status = 'success') as successes,
            count(*) filter (where status = 'failure') as failures,
            count(*) filter (where status = 'timeout') as timeouts,
            quantile_cont(latency_ms, 0.5) as p50_latency_ms,
            quantile_cont(latency_ms, 0.95) as p95_latency_ms,
            quantile_cont(latency_ms, 0.99) as p99_latency_ms
        from {source} {where}
        group by all""")
    union = "\n        union all".join(parts)
    return f"""
    select *, successes / calls as success_rate, failures / calls as failure_rate,
        timeouts / calls as timeout_rate
    from ({union}
    )"""


def game_kpis(source: str) -> str:
    slices = "\n        union all".join(
        f"""
        select event_date, '{dim}' as dimension_name, {"'all'" if dim == "all" else dim}
            as dimension_value, user_id, event_name, revenue_usd
        from {source} {"" if dim == "all" else f"where {dim} is not null"}"""
        for dim in ("all", *GAME_DIMENSIONS)
    )
    return f"""
    with sliced as ({slices}
    ),
    first_days as (select user_id, min(event_date) as first_date from {source} group by all),
    user_days as (select distinct user_id, event_date from {source}),
    last_day as (select max(event_date) as max_date from {source}),
    metrics as (
        select event_date, dimension_name, dimension_value,
            count(distinct user_id) as dau,
            count(*) filter (where event_name = 'session_start') as sessions,
            count(distinct user_id) filter (where event_name = 'purchase') as purchasers,
            count(*) filter (where event_name = 'purchase') as purchases,
            coalesce(sum(revenue_usd) filter (where event_name = 'purchase'), 0) as revenue_usd,
            count(*) filter (where event_name = 'level_complete') as levels_completed
        from sliced group by all
    ),
    cohort as (
        select distinct s.event_date, s.dimension_name, s.dimension_value, s.user_id
        from sliced as s
        join first_days as f on s.user_id = f.user_id and s.event_date = f.first_date
    ),
    cohort_metrics as (
        select c.event_date, c.dimension_name, c.dimension_value, count(*) as new_users,
            count(n.user_id) as retained
        from cohort as c
        left join user_days as n on n.user_id = c.user_id and n.event_date = c.event_date + 1
        group by all
    )
    select m.*, coalesce(c.new_users, 0) as new_users,
        case when m.event_date < l.max_date then coalesce(c.retained, 0) end as d1_retained_users,
        m.purchasers / m.dau as conversion_rate,
        m.revenue_usd / m.dau as arpdau,
        m.revenue_usd / nullif(m.purchasers, 0) as arppu,
        case when m.event_date < l.max_date then coalesce(c.retained, 0) / nullif(c.new_users, 0)
        end as d1_retention
    from metrics as m cross join last_day as l
    left join cohort_metrics as c using (event_date, dimension_name, dimension_value)"""


def kpi_long(dataset: str, kpis: list, adjusted: str, reported: str, date: str) -> str:
    parts = []
    for name, value, numerator, denominator in kpis:

        def col(side: str, column: str | None) -> str:
            return f"{side}.{column}" if column else "null"

        parts.append(f"""
        select '{name}' as kpi_name, '{dataset}' as dataset,
            coalesce(a.dimension_name, r.dimension_name) as dimension_name,
            coalesce(a.dimension_value, r.dimension_value) as dimension_value,
            a.{value}::double as value, r.{value}::double as value_reported,
            {col("a", numerator)}::double as numerator,
            {col("a", denominator)}::double as denominator,
            {col("r", numerator)}::double as numerator_reported,
            {col("r", denominator)}::double as denominator_reported,
            coalesce(a.{date}, r.{date}) as kpi_date
        from {adjusted} as a full join {reported} as r
            on a.{date} = r.{date} and a.dimension_name = r.dimension_name
            and a.dimension_value = r.dimension_value""")
    return "\n        union all".join(parts)


def script(raw_dir: str) -> str:
    """The whole script: creates fct_*, the API marts, game_kpis_daily and kpi_daily."""
    api_reported_rows = (
        "(select lower(trim(api_name)) as api_name, lower(trim(region)) as region, "
        "lower(trim(document_type)) as document_type, trim(status) as status, latency_ms, "
        f"requested_at::date as call_date from read_parquet('{raw_dir}/api_calls.parquet') "
        "where requested_at is not null)"
    )
    game_reported_rows = (
        "(select trim(user_id) as user_id, trim(event_name) as event_name, "
        "lower(trim(platform)) as platform, upper(trim(country)) as country, "
        "lower(trim(acquisition_channel)) as acquisition_channel, revenue_usd, "
        f"event_at::date as event_date from read_parquet('{raw_dir}/game_events.parquet') "
        "where event_at is not null)"
    )
    return f"""
create or replace table fct_api_calls as
with src as (
    select *, file_row_number
    from read_parquet('{raw_dir}/api_calls.parquet', file_row_number = true)
),
valid as (
    select trim(call_id) as call_id, trim(batch_id) as batch_id,
        lower(trim(api_name)) as api_name, lower(trim(api_version)) as api_version,
        lower(trim(region)) as region, lower(trim(client_type)) as client_type,
        lower(trim(document_type)) as document_type, lower(trim(status)) as status,
        trim(status) as status_raw, lower(nullif(trim(error_reason), '')) as error_reason,
        http_status, latency_ms, requested_at, ingested_at, requested_at::date as call_date,
        file_row_number
    from src
    where call_id is not null and requested_at is not null and api_name is not null
        and api_version is not null and region is not null and client_type is not null
        and document_type is not null and lower(trim(status)) in ('success', 'failure', 'timeout')
        and http_status is not null and latency_ms >= 0 and ingested_at is not null
        and batch_id is not null
),
dedup as (
    select *, count(*) over (partition by call_id) as duplicate_row_count from valid
    qualify row_number() over (partition by call_id order by ingested_at, file_row_number) = 1
),
version_days as (
    select api_name, api_version, call_date, median(latency_ms) as median_latency
    from dedup group by all
),
units as (
    select v.api_name, v.api_version, v.call_date,
        v.median_latency * 50 < quantile_cont(w.median_latency, 0.5) as is_seconds
    from version_days as v
    join version_days as w on v.api_name = w.api_name
        and w.call_date between v.call_date - 7 and v.call_date
    group by v.api_name, v.api_version, v.call_date, v.median_latency
)
select d.* exclude (latency_ms, file_row_number),
    case when u.is_seconds then d.latency_ms * 1000 else d.latency_ms end as latency_ms,
    d.latency_ms as latency_ms_logged, u.is_seconds as is_latency_unit_drift
from dedup as d join units as u using (api_name, api_version, call_date);

create or replace table api_performance_daily as
select call_date, api_name, api_version, region, client_type, document_type,
    count(*) as calls,
    count(*) filter (where status = 'success') as successes,
    count(*) filter (where status = 'failure') as failures,
    count(*) filter (where status = 'timeout') as timeouts,
    quantile_cont(latency_ms, 0.5) as p50_latency_ms,
    quantile_cont(latency_ms, 0.95) as p95_latency_ms,
    quantile_cont(latency_ms, 0.99) as p99_latency_ms
from fct_api_calls group by all;

create or replace table api_performance_rollup_daily as {api_rollup("fct_api_calls")};

create or replace table api_error_reasons_daily as
select call_date, api_name, coalesce(error_reason, 'unknown') as error_reason,
    count(*) as failed_calls, count(*) filter (where status = 'timeout') as timeouts,
    count(*) / sum(count(*)) over (partition by call_date, api_name) as failure_share
from fct_api_calls where status in ('failure', 'timeout')
group by call_date, api_name, coalesce(error_reason, 'unknown');

create or replace table fct_game_events as
with src as (
    select *, file_row_number
    from read_parquet('{raw_dir}/game_events.parquet', file_row_number = true)
),
valid as (
    select trim(event_id) as event_id, trim(user_id) as user_id, trim(session_id) as session_id,
        lower(trim(event_name)) as event_name_logged,
        case lower(trim(event_name)) when 'in_app_purchase' then 'purchase'
            else lower(trim(event_name)) end as event_name,
        lower(trim(platform)) as platform, upper(trim(country)) as country,
        lower(trim(acquisition_channel)) as acquisition_channel, level, revenue_usd,
        install_date, event_at, ingested_at, event_at::date as event_date, file_row_number
    from src
    where event_id is not null and user_id is not null and session_id is not null
        and lower(trim(event_name))
            in ('session_start', 'level_complete', 'purchase', 'in_app_purchase')
        and event_at is not null and platform is not null and country is not null
        and acquisition_channel is not null and install_date is not null
        and coalesce(level, 0) >= 0 and coalesce(revenue_usd, 0) >= 0
        and ingested_at is not null and batch_id is not null
),
dedup as (
    select *, count(*) over (partition by event_id) as duplicate_row_count from valid
    qualify row_number() over (partition by event_id order by ingested_at, file_row_number) = 1
)
select * exclude (file_row_number),
    count(*) filter (where event_name = 'session_start')
        over (partition by user_id, event_date) > 20 as is_bot
from dedup;

create or replace table game_kpis_daily as
{game_kpis("(select * from fct_game_events where not is_bot)")};

create or replace table kpi_daily as
with api_reported as (
    {api_rollup(api_reported_rows)}
),
game_reported as (
    {game_kpis(game_reported_rows)}
)
{kpi_long("api_calls", API_KPIS, "api_performance_rollup_daily", "api_reported", "call_date")}
union all
{kpi_long("game_events", GAME_KPIS, "game_kpis_daily", "game_reported", "event_date")};
"""
