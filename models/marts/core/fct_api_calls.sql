with api_calls as (

    select * from {{ ref('int_api_calls_deduplicated') }}
    {%- if is_incremental() %}
        where call_date >= {{ incremental_lookback_start('call_date') }}
    {%- endif %}

),

latency_units as (

    select * from {{ ref('int_api_latency_units_detected') }}

),

final as (

    select
        api_calls.call_id,
        api_calls.batch_id,
        api_calls.api_name,
        api_calls.api_version,
        api_calls.region,
        api_calls.client_type,
        api_calls.document_type,
        api_calls.status,
        api_calls.status_raw,
        api_calls.error_reason,
        api_calls.source_row_number,
        api_calls.http_status,
        case
            when latency_units.is_latency_in_seconds then api_calls.latency_ms * 1000
            else api_calls.latency_ms
        end as latency_ms,
        api_calls.latency_ms as latency_ms_logged,
        api_calls.copy_count as duplicate_row_count,
        latency_units.is_latency_in_seconds as is_latency_unit_drift,
        api_calls.is_status_case_drift,
        api_calls.call_date,
        api_calls.requested_at,
        api_calls.ingested_at
    from api_calls
    inner join latency_units
        on
            api_calls.api_name = latency_units.api_name
            and api_calls.api_version = latency_units.api_version
            and api_calls.call_date = latency_units.call_date

)

select * from final
