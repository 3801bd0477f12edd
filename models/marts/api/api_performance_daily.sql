with api_calls as (

    select * from {{ ref('fct_api_calls') }}
    {%- if is_incremental() %}
        where call_date >= {{ incremental_lookback_start('call_date') }}
    {%- endif %}

),

daily as (

    select
        call_date,
        api_name,
        api_version,
        region,
        client_type,
        document_type,
        {{ api_call_metrics() }}
    from api_calls
    group by call_date, api_name, api_version, region, client_type, document_type

),

final as (

    select
        api_name,
        api_version,
        region,
        client_type,
        document_type,
        calls,
        successes,
        failures,
        timeouts,
        {{ api_call_rates() }},
        p50_latency_ms,
        p95_latency_ms,
        p99_latency_ms,
        call_date
    from daily

)

select * from final
