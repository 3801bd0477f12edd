with rollup as (

    {{ api_daily_rollup(
        ref('fct_api_calls'),
        ['api_name', 'region', 'document_type'],
        start_date=(incremental_lookback_start('call_date') if is_incremental() else none),
    ) }}

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
