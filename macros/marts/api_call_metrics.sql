{#- Aggregates of API calls for one group: counts by status and exact latency percentiles.
    Reads columns `status` and `latency_ms`; used by the API marts (adjusted, from
    fct_api_calls) and by kpi_daily's reported figures (naive rows), so both share one formula.
    The three percentiles share one aggregate state on DuckDB (macro percentile_cont_at). -#}
{% macro api_call_metrics() -%}
    cast(count(*) as {{ dbt.type_bigint() }}) as calls,
    cast(sum(case when status = 'success' then 1 else 0 end) as {{ dbt.type_bigint() }}) as successes,
    cast(sum(case when status = 'failure' then 1 else 0 end) as {{ dbt.type_bigint() }}) as failures,
    cast(sum(case when status = 'timeout' then 1 else 0 end) as {{ dbt.type_bigint() }}) as timeouts,
    {%- set percentiles = [0.5, 0.95, 0.99] %}
    {{ percentile_cont_at('latency_ms', percentiles, 0) }} as p50_latency_ms,
    {{ percentile_cont_at('latency_ms', percentiles, 1) }} as p95_latency_ms,
    {{ percentile_cont_at('latency_ms', percentiles, 2) }} as p99_latency_ms
{%- endmacro %}
