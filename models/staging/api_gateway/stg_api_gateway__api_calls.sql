{%- set missing = 'missing_required_value' -%}
{%- set natives = native_raw_columns('api_calls') -%}
{%- set categories = ['api_name', 'api_version', 'region', 'client_type', 'document_type'] -%}
{%- set checks = [
    {'when': 'source_line_problem is not null', 'column': 'source_line', 'reason': 'malformed_line'},
    {'when': 'call_id is null', 'column': 'call_id', 'reason': missing},
    {'when': 'requested_at_text is null', 'column': 'requested_at', 'reason': missing},
    {'when': 'requested_at is null', 'column': 'requested_at', 'reason': 'unparseable_timestamp'},
    {'when': 'api_name is null', 'column': 'api_name', 'reason': missing},
    {'when': 'api_version is null', 'column': 'api_version', 'reason': missing},
    {'when': 'region is null', 'column': 'region', 'reason': missing},
    {'when': 'client_type is null', 'column': 'client_type', 'reason': missing},
    {'when': 'document_type is null', 'column': 'document_type', 'reason': missing},
    {'when': 'status is null', 'column': 'status', 'reason': missing},
    {'when': "status not in ('success', 'failure', 'timeout')", 'column': 'status', 'reason': 'unknown_status'},
    {'when': 'http_status_text is null', 'column': 'http_status', 'reason': missing},
    {'when': 'http_status is null', 'column': 'http_status', 'reason': 'unparseable_integer'},
    {'when': 'latency_ms_text is null', 'column': 'latency_ms', 'reason': missing},
    {'when': 'latency_ms is null', 'column': 'latency_ms', 'reason': 'unparseable_number'},
    {'when': 'latency_ms < 0', 'column': 'latency_ms', 'reason': 'negative_value'},
    {'when': 'ingested_at_text is null', 'column': 'ingested_at', 'reason': missing},
    {'when': 'ingested_at is null', 'column': 'ingested_at', 'reason': 'unparseable_timestamp'},
    {'when': 'batch_id is null', 'column': 'batch_id', 'reason': missing},
] + timestamp_plausibility_checks('requested_at', 'ingested_at', 'log_first_ingested_at')
  + text_value_checks([
    'call_id', 'api_name', 'api_version', 'region', 'client_type', 'document_type', 'status',
    'batch_id',
], optional=['error_reason']) + [
    {'when': 'http_status not between 100 and 599', 'column': 'http_status', 'reason': 'out_of_range'},
    {'when': 'latency_ms > ' ~ var('max_latency_ms'), 'column': 'latency_ms', 'reason': 'out_of_range'},
] -%}

-- read twice (log_times, trimmed): inlined, not stored (macro not_materialized)
with source as {{ not_materialized() }} (

    select * from {{ raw_relation('api_calls', natives) }}

),

-- the whole log's two times, for its period start (the rest of each row is typed only when staged)
log_times as (

    {{ raw_log_times('source', 'requested_at', natives) }}

),

log_start as (

    {{ log_period_start('log_times', 'requested_at', 'ingested_at') }}

),

trimmed as (

    select
        source_row_number,
        source_line_problem,
        {{ raw_row_hash('api_calls') }} as raw_row_hash,
        {{ trimmed_raw_columns('api_calls', natives) }}
    from source
    {{ appended_raw_rows('api_calls', 'log_start') }}  -- noqa: PRS

),

typed as (

    select
        *,
        {%- for column in ['call_id', 'batch_id'] %}
        -- LT02 waived: the macro renders a multi-line expression
        {{ trim_whitespace_and_controls(column ~ '_text') }} as {{ column }}, -- noqa: LT02
        {%- endfor %}
        {%- for column in categories %}
        {{ category_value('api_calls', column) }} as {{ column }}, -- noqa: LT02
        {%- endfor %}
        lower({{ trim_whitespace_and_controls('status_text') }}) as status,
        -- optional: a reason of only whitespace / control characters is no reason
        case
            when not ({{ only_whitespace_and_controls('error_reason_text') }})
                then lower(error_reason_text)
        end as error_reason,
        {{ typed_raw_value('http_status', 'integer', natives) }} as http_status,
        {{ typed_raw_value('latency_ms', 'number', natives) }} as latency_ms,
        {{ typed_raw_value('requested_at', 'timestamp', natives) }} as requested_at,
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
        call_id,
        batch_id,
        api_name,
        api_version,
        region,
        client_type,
        document_type,
        status,
        status_text as status_raw,
        {{ unknown_category_columns('api_calls', categories) }} as unknown_category_columns,
        error_reason,
        quarantine_reason,
        quarantine_column,
        {{ quarantine_value('api_calls') }} as quarantine_value,
        http_status,
        -- a latency beyond the bound is not carried typed (not even into the naive figures)
        case when abs(latency_ms) <= {{ var('max_latency_ms') }} then latency_ms end as latency_ms,
        latency_ms_text as latency_ms_raw,
        quarantine_check_count,
        quarantine_reason is not null as is_quarantined,
        cast({{ dbt.date_trunc('day', 'requested_at') }} as date) as call_date,
        -- the day a row's evidence belongs to: its call day, or the day it was ingested when
        -- the call time is missing or implausible (that day lost the row)
        case
            when requested_at is null or quarantine_reason in (
                    '{{ implausible_timestamp_reasons() | join("', '") }}' -- noqa: LT05
                ) then cast({{ dbt.date_trunc('day', 'ingested_at') }} as date)
            else cast({{ dbt.date_trunc('day', 'requested_at') }} as date)
        end as attributed_date,
        requested_at,
        ingested_at,
        log_first_ingested_at,
        raw_row_hash
    from flagged

)

select * from final
