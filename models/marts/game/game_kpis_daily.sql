{#- Adjusted game KPIs: deduplicated, drift-normalised, valid events of human user-days
    (bot days left out). Formulas: macros/marts/game_daily_kpis.sql. -#}
with kpis as (

    {{ game_daily_kpis(
        '(select * from ' ~ ref('fct_game_events') ~ ' where not is_bot)',
        ['platform', 'country', 'acquisition_channel'],
        start_date=(incremental_lookback_start('event_date') if is_incremental() else none),
    ) }}

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
