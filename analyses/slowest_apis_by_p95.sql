-- Which APIs are slowest? p95 latency per API over the last 7 days of data, each day's exact
-- p95 from api_performance_rollup_daily, summarised by the median of the daily values and the
-- worst day.
with api_days as (

    select * from {{ ref('api_performance_rollup_daily') }}
    where dimension_name = 'api_name'

),

recent as (

    select * from api_days
    where
        call_date > (
            select {{ dbt.dateadd('day', -7, 'max(all_api_days.call_date)') }}
            from api_days as all_api_days
        )

),

final as (

    select
        dimension_value as api_name,
        sum(calls) as calls,
        {{ percentile_cont('p95_latency_ms', 0.5) }} as median_daily_p95_latency_ms,
        max(p95_latency_ms) as worst_daily_p95_latency_ms
    from recent
    group by dimension_value

)

select * from final
order by median_daily_p95_latency_ms desc
