{#- One row per deduplicated valid game event with its user-day's bot flag: what the facts
    publish (fct_game_events) and what the event profiles and loss tests count (they read this
    model, not the mart, so intermediate models only read staging and intermediate). -#}
with game_events as (

    select * from {{ ref('int_game_events_deduplicated') }}

),

user_days as (

    select * from {{ ref('int_game_user_days_bot_flagged') }}

),

final as (

    select
        game_events.event_id,
        game_events.user_id,
        game_events.session_id,
        game_events.batch_id,
        game_events.event_name,
        game_events.event_name_logged,
        game_events.platform,
        game_events.country,
        game_events.acquisition_channel,
        game_events.source_row_number,
        game_events.level,
        game_events.revenue_usd,
        game_events.copy_count as duplicate_row_count,
        user_days.session_starts as user_day_session_starts,
        user_days.is_bot,
        game_events.is_event_name_drift,
        game_events.install_date,
        game_events.event_date,
        game_events.event_at,
        game_events.ingested_at
    from game_events
    inner join user_days
        on
            game_events.user_id = user_days.user_id
            and game_events.event_date = user_days.event_date

)

select * from final
