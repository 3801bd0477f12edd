{#- Every raw row of the game-event log (staging: quarantined rows included, before dedup and
    event-name normalisation) with 0/1 flags of the defects int_game_events_profiled_daily
    counts, its slice dimensions, its ingestion lag and two days: recorded_date (its event day)
    and signal_date (its attributed day: the event day, or the ingestion day when the event
    time is missing or implausible). One row per source_row_number. Incremental (DuckDB): a run
    flags only the rows staged since the last one (all of them again when staging staged every
    row again: pre-hook restart_dedup_when_restaged). -#}
{%- set slice_dimensions = var('quality_slice_dimensions')['game_events'] -%}
{%- set required_columns = [
    'event_id', 'user_id', 'session_id', 'event_name', 'event_at', 'platform', 'country',
    'acquisition_channel', 'install_date', 'ingested_at', 'batch_id',
] -%}
{%- set aliases = var('event_name_aliases') -%}
{%- set alias_targets = aliases.values() | unique | list -%}
{%- set timestamp_reasons = implausible_timestamp_reasons() -%}

with game_events as (

    select * from {{ ref('stg_game_telemetry__game_events') }}
    {{ staged_since_last_run() }}

),

flagged as (

    select
        source_row_number,
        event_id,
        {{ slice_dimensions | join(', ') }},
        quarantine_column,
        case
            {%- for column in required_columns %}
                when {{ column }} is null then 1
            {%- endfor %}
            else 0
        end as missing_required_row,
        case
            -- present but invalid; unknown names and impossible times have signals of their own
            when is_quarantined
                -- LT05 waived here and below: the reasons' list renders past 100 characters
                and quarantine_reason not in (
                    'unknown_event_name', '{{ timestamp_reasons | join("', '") }}' -- noqa: LT05
                )
                {%- for column in required_columns %}
                    and {{ column }} is not null
                {%- endfor %}
                then 1
            when install_date > event_date then 1
            else 0
        end as invalid_value_row,
        case when quarantine_reason = 'unknown_event_name' then 1 else 0 end
            as unknown_event_name_row,
        {%- for target in alias_targets %}
            case
                when event_name in (
                        {%- for alias, name in aliases.items() if name == target -%}
                            '{{ alias }}'{% if not loop.last %}, {% endif %}
                        {%- endfor -%}
                    ) then 1
                else 0
            end as {{ target }}_alias_row,
            case when event_name = '{{ target }}' then 1 else 0 end as {{ target }}_canonical_row,
        {%- endfor %}
        -- valid rows only: a quarantined row's bad category is counted as invalid already
        case
            when unknown_category_columns is not null and not is_quarantined then 1
            else 0
        end
            as unknown_category_row,
        case when event_name = 'purchase' then 1 else 0 end as purchase_row,
        case when event_name = 'purchase' and revenue_usd < 0 then 1 else 0 end
            as negative_revenue_row,
        case
            when quarantine_reason in ('{{ timestamp_reasons | join("', '") }}') then 1 else 0 -- noqa: LT05
        end as implausible_timestamp_row,
        case
            when ingested_at > {{ dbt.dateadd('hour', var('quality_late_hours'), 'event_at') }}
                then 1
            else 0
        end as late_arrival_row,
        -- LT05 waived: dbt.datediff renders this line past 100 characters; a double divisor:
        -- Spark types `/ 3600.0` as a decimal of 6 digits
        {{ dbt.datediff('event_at', 'ingested_at', 'second') }} / cast(3600 as {{ type_double() }}) -- noqa: LT05
            as ingestion_lag_hours,
        event_date as recorded_date,
        attributed_date as signal_date,
        log_first_ingested_at
    from game_events

)

select * from flagged
