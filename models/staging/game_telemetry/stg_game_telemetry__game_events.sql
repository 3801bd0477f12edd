{%- set missing = 'missing_required_value' -%}
{%- set natives = native_raw_columns('game_events') -%}
{%- set categories = ['platform', 'country', 'acquisition_channel'] -%}
{%- set known_names = var('known_event_names') + (var('event_name_aliases').keys() | list) -%}
{%- set checks = [
    {'when': 'source_line_problem is not null', 'column': 'source_line', 'reason': 'malformed_line'},
    {'when': 'event_id is null', 'column': 'event_id', 'reason': missing},
    {'when': 'user_id is null', 'column': 'user_id', 'reason': missing},
    {'when': 'session_id is null', 'column': 'session_id', 'reason': missing},
    {'when': 'event_name is null', 'column': 'event_name', 'reason': missing},
    {'when': "event_name not in ('" ~ (known_names | join("', '")) ~ "')", 'column': 'event_name', 'reason': 'unknown_event_name'},
    {'when': 'event_at_text is null', 'column': 'event_at', 'reason': missing},
    {'when': 'event_at is null', 'column': 'event_at', 'reason': 'unparseable_timestamp'},
    {'when': 'platform is null', 'column': 'platform', 'reason': missing},
    {'when': 'country is null', 'column': 'country', 'reason': missing},
    {'when': 'acquisition_channel is null', 'column': 'acquisition_channel', 'reason': missing},
    {'when': 'install_date_text is null', 'column': 'install_date', 'reason': missing},
    {'when': 'install_date is null', 'column': 'install_date', 'reason': 'unparseable_date'},
    {'when': 'level_text is not null and level is null', 'column': 'level', 'reason': 'unparseable_integer'},
    {'when': 'level < 0', 'column': 'level', 'reason': 'negative_value'},
    {'when': 'revenue_usd_text is not null and revenue_usd is null', 'column': 'revenue_usd', 'reason': 'unparseable_number'},
    {'when': 'revenue_usd < 0', 'column': 'revenue_usd', 'reason': 'negative_value'},
    {'when': 'ingested_at_text is null', 'column': 'ingested_at', 'reason': missing},
    {'when': 'ingested_at is null', 'column': 'ingested_at', 'reason': 'unparseable_timestamp'},
    {'when': 'batch_id is null', 'column': 'batch_id', 'reason': missing},
] + timestamp_plausibility_checks('event_at', 'ingested_at', 'log_first_ingested_at')
  + text_value_checks([
    'event_id', 'user_id', 'session_id', 'event_name', 'platform', 'country',
    'acquisition_channel', 'batch_id',
]) + [
    {'when': 'level > ' ~ var('max_level'), 'column': 'level', 'reason': 'out_of_range'},
    {'when': 'revenue_usd > ' ~ var('max_revenue_usd_per_purchase'), 'column': 'revenue_usd', 'reason': 'out_of_range'},
] -%}

-- read twice (log_times, trimmed): inlined, not stored (macro not_materialized)
with source as {{ not_materialized() }} (

    select * from {{ raw_relation('game_events', natives) }}

),

-- the whole log's two times, for its period start (the rest of each row is typed only when staged)
log_times as (

    {{ raw_log_times('source', 'event_at', natives) }}

),

log_start as (

    {{ log_period_start('log_times', 'event_at', 'ingested_at') }}

),

trimmed as (

    select
        source_row_number,
        source_line_problem,
        {{ raw_row_hash('game_events') }} as raw_row_hash,
        {{ trimmed_raw_columns('game_events', natives) }}
    from source
    {{ appended_raw_rows('game_events', 'log_start') }}  -- noqa: PRS

),

typed as (

    select
        *,
        {%- for column in ['event_id', 'user_id', 'session_id', 'batch_id'] %}
        -- LT02 waived: the macro renders a multi-line expression
        {{ trim_whitespace_and_controls(column ~ '_text') }} as {{ column }}, -- noqa: LT02
        {%- endfor %}
        lower({{ trim_whitespace_and_controls('event_name_text') }}) as event_name,
        {%- for column in categories %}
        {{ category_value('game_events', column) }} as {{ column }}, -- noqa: LT02
        {%- endfor %}
        -- `level` is the raw log's column name (docs/design.md section 1); RF04 waived
        {{ typed_raw_value('level', 'integer', natives) }} as level, -- noqa: RF04
        {{ typed_raw_value('revenue_usd', 'number', natives) }} as revenue_usd,
        {{ typed_raw_value('install_date', 'date', natives) }} as install_date,
        {{ typed_raw_value('event_at', 'timestamp', natives) }} as event_at,
        {{ typed_raw_value('ingested_at', 'timestamp', natives) }} as ingested_at
    from trimmed

),

flagged as (

    select
        typed.*,
        log_start.log_first_ingested_at,
        {{ quarantine_columns(checks) }}
    from typed
    cross join log_start

),

final as (

    select
        source_row_number,
        event_id,
        user_id,
        session_id,
        batch_id,
        event_name,
        event_name_text as event_name_raw,
        platform,
        country,
        acquisition_channel,
        {{ unknown_category_columns('game_events', categories) }} as unknown_category_columns,
        quarantine_reason,
        quarantine_column,
        {{ quarantine_value('game_events') }} as quarantine_value,
        level,
        -- a revenue beyond the bound is not carried typed (not even into the naive figures)
        case
            when abs(revenue_usd) <= {{ var('max_revenue_usd_per_purchase') }} then revenue_usd
        end as revenue_usd,
        quarantine_check_count,
        quarantine_reason is not null as is_quarantined,
        install_date,
        cast({{ dbt.date_trunc('day', 'event_at') }} as date) as event_date,
        -- the day a row's evidence belongs to: its event day, or the day it was ingested when
        -- the event time is missing or implausible (that day lost the row)
        case
            when event_at is null or quarantine_reason in (
                    '{{ implausible_timestamp_reasons() | join("', '") }}' -- noqa: LT05
                ) then cast({{ dbt.date_trunc('day', 'ingested_at') }} as date)
            else cast({{ dbt.date_trunc('day', 'event_at') }} as date)
        end as attributed_date,
        event_at,
        ingested_at,
        log_first_ingested_at,
        raw_row_hash
    from flagged

)

select * from final
