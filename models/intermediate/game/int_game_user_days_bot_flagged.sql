{#- One row per (user_id, event_date): the user's session starts that UTC day and the bot rule.
    A user-day with more than var('bot_session_starts_per_day') session starts is a bot day
    (scripted traffic: real players do not start dozens of sessions a day). The flag is kept on
    the facts; adjusted KPIs leave bot days out, reported KPIs keep them. -#}
with game_events as (

    select * from {{ ref('int_game_events_deduplicated') }}

),

user_days as (

    select
        user_id,
        event_date,
        count(*) as events,
        cast(
            sum(case when event_name = 'session_start' then 1 else 0 end) as {{ dbt.type_bigint() }}
        ) as session_starts
    from game_events
    group by user_id, event_date

),

final as (

    select
        user_id,
        events,
        session_starts,
        session_starts > {{ var('bot_session_starts_per_day') }} as is_bot,
        event_date
    from user_days

)

select * from final
