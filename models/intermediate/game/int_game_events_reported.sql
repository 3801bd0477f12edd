{#- The game log as a naive dashboard query sees it: every raw row whose event_at parses
    (duplicates, bots and quarantined-but-dated rows included), event names compared as written
    (so `in_app_purchase` is not a purchase), revenue as parsed. Dimensions use staging's
    normalised values so the rows line up with the adjusted marts. -#}
with game_events as (

    select * from {{ ref('stg_game_telemetry__game_events') }}
    where
        event_date is not null
        -- a naive query still cannot put a row on a day outside the log (year 2030, 1970);
        -- rows timed after their ingestion stay: a naive query counts them on that day
        and coalesce(quarantine_reason, '') not in ('before_log_period', 'after_reference_time')

),

final as (

    select
        source_row_number,
        event_id,
        user_id,
        session_id,
        event_name_raw as event_name,
        platform,
        country,
        acquisition_channel,
        revenue_usd,
        event_date
    from game_events

)

select * from final
