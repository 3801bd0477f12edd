{#- Aggregates of API calls for one group: counts by status and exact latency percentiles.
    Reads columns `status` and `latency_ms`; used by the API marts (adjusted, from
    fct_api_calls) and by kpi_daily's reported figures (naive rows), so both share one formula. -#}
{% macro api_call_metrics() -%}
    cast(count(*) as {{ dbt.type_bigint() }}) as calls,
    cast(sum(case when status = 'success' then 1 else 0 end) as {{ dbt.type_bigint() }}) as successes,
    cast(sum(case when status = 'failure' then 1 else 0 end) as {{ dbt.type_bigint() }}) as failures,
    cast(sum(case when status = 'timeout' then 1 else 0 end) as {{ dbt.type_bigint() }}) as timeouts,
    {{ percentile_cont('latency_ms', 0.5) }} as p50_latency_ms,
    {{ percentile_cont('latency_ms', 0.95) }} as p95_latency_ms,
    {{ percentile_cont('latency_ms', 0.99) }} as p99_latency_ms
{%- endmacro %}
