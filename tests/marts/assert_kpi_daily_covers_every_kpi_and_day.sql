{#- Every KPI of kpi_definitions has an 'all' row in kpi_daily for every day that has valid facts
    of its dataset. Fails with one row per missing (kpi_name, kpi_date). -#}
with kpi_definitions as (

    select
        kpi_name,
        dataset
    from {{ ref('kpi_definitions') }}

),

fact_days as (

    select distinct
        'api_calls' as dataset,
        call_date as kpi_date
    from {{ ref('fct_api_calls') }}
    union all
    select distinct
        'game_events' as dataset,
        event_date as kpi_date
    from {{ ref('fct_game_events') }}
    where not is_bot

),

expected as (

    select
        kpi_definitions.kpi_name,
        fact_days.kpi_date
    from kpi_definitions
    inner join fact_days
        on kpi_definitions.dataset = fact_days.dataset

),

present as (

    select
        kpi_name,
        kpi_date
    from {{ ref('kpi_daily') }}
    where dimension_name = 'all'

)

select expected.*
from expected
left join present
    on
        expected.kpi_name = present.kpi_name
        and expected.kpi_date = present.kpi_date
where present.kpi_name is null
