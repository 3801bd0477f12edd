{%- set dimensions = ['api_name', 'region', 'document_type'] -%}
{%- set start = incremental_lookback_start('call_date') if is_incremental() else none -%}
with rollup as (

    {{ api_daily_rollup(ref('fct_api_calls'), dimensions, start_date=start) }}  -- noqa: PRS

),

final as (

    select
        dimension_name,
        dimension_value,
        calls,
        successes,
        failures,
        timeouts,
        {{ api_call_rates() }},
        p50_latency_ms,
        p95_latency_ms,
        p99_latency_ms,
        call_date
    from rollup

)

select * from final
