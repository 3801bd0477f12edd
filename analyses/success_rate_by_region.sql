-- Success rate by region over the whole period, from the daily counts (rates recomputed from
-- summed counts, never averaged), worst first.
with region_days as (

    select * from {{ ref('api_performance_rollup_daily') }}
    where dimension_name = 'region'

),

final as (

    select
        dimension_value as region,
        sum(calls) as calls,
        sum(successes) as successes,
        cast(sum(successes) as {{ type_double() }}) / sum(calls) as success_rate
    from region_days
    group by dimension_value

)

select * from final
order by success_rate
