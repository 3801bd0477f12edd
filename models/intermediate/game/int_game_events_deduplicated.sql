{#- One row per event_id among valid (non-quarantined) staged rows, the first-landed copy
    (earliest ingested_at, then earliest file row), with event names mapped through
    var('event_name_aliases') (schema drift: `in_app_purchase` is a `purchase`). Incremental on
    DuckDB: a run recomputes the ids with a copy staged since the last run
    (macros/loading/incremental_dedup.sql). -#}
{%- set aliases = var('event_name_aliases') -%}

with game_events as (

    select * from {{ ref('stg_game_telemetry__game_events') }}
    where not is_quarantined
        {{ copies_of_new_ids('event_id', ref('stg_game_telemetry__game_events')) }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by event_id
            order by ingested_at, source_row_number
        ) as copy_rank,
        count(*) over (partition by event_id) as copy_count
    from game_events

),

normalised as (

    select
        *,
        case
            {%- for alias, name in aliases.items() %}
                when event_name = '{{ alias }}' then '{{ name }}'
            {%- endfor %}
            else event_name
        end as canonical_event_name
    from ranked
    where copy_rank = 1

),

final as (

    select
        event_id,
        user_id,
        session_id,
        batch_id,
        canonical_event_name as event_name,
        event_name as event_name_logged,
        platform,
        country,
        acquisition_channel,
        source_row_number,
        level,
        revenue_usd,
        copy_count,
        canonical_event_name <> event_name as is_event_name_drift,
        install_date,
        event_date,
        event_at,
        ingested_at,
        log_first_ingested_at
    from normalised

)

select * from final
