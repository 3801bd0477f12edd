with game_events as (

    select * from {{ ref('int_game_events_bot_flagged') }}
    {%- if is_incremental() %}
        where event_date >= {{ incremental_lookback_start('event_date') }}
    {%- endif %}

),

final as (

    select
        event_id,
        user_id,
        session_id,
        batch_id,
        event_name,
        event_name_logged,
        platform,
        country,
        acquisition_channel,
        source_row_number,
        level,
        revenue_usd,
        duplicate_row_count,
        user_day_session_starts,
        is_bot,
        is_event_name_drift,
        install_date,
        event_date,
        event_at,
        ingested_at
    from game_events

)

select * from final
