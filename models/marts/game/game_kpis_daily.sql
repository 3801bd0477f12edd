{#- Adjusted game KPIs: deduplicated, drift-normalised, valid events of human user-days
    (bot days left out). Formulas: macros/marts/game_daily_kpis.sql. -#}
{%- set human_rows = '(select * from ' ~ ref('fct_game_events') ~ ' where not is_bot)' -%}
{%- set dimensions = ['platform', 'country', 'acquisition_channel'] -%}
{%- set start = incremental_lookback_start('event_date') if is_incremental() else none -%}
with kpis as (

    {{ game_daily_kpis(human_rows, dimensions, start_date=start) }}  -- noqa: PRS

),

final as (

    select
        dimension_name,
        dimension_value,
        dau,
        new_users,
        sessions,
        purchasers,
        purchases,
        revenue_usd,
        levels_completed,
        d1_retained_users,
        conversion_rate,
        arpdau,
        arppu,
        d1_retention,
        event_date
    from kpis

)

select * from final
