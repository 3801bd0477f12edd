-- Are failures concentrated in a region? Per region: its share of all calls vs its share of all
-- non-success calls; a concentration ratio well above 1 means the region fails more than its
-- traffic explains. Computed from the facts so every call counts once.
with api_calls as (

    select * from {{ ref('fct_api_calls') }}

),

by_region as (

    select
        region,
        count(*) as calls,
        sum(case when status <> 'success' then 1 else 0 end) as failed_calls
    from api_calls
    group by region

),

final as (

    select
        region,
        calls,
        failed_calls,
        cast(calls as {{ type_double() }}) / sum(calls) over () as share_of_calls,
        cast(failed_calls as {{ type_double() }}) / sum(failed_calls) over () as share_of_failures,
        (cast(failed_calls as {{ type_double() }}) / sum(failed_calls) over ())
        / (cast(calls as {{ type_double() }}) / sum(calls) over ()) as concentration_ratio
    from by_region

)

select * from final
order by concentration_ratio desc
