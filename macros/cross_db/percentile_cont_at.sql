{#- The percentile at `position` (0-based) of the list `percentiles`, as percentile_cont. Call it
    once per position with the same list: on DuckDB every call is the same aggregate,
    `quantile_cont(x, [p1, p2, ...])`, which DuckDB binds once, so a group keeps one copy of its
    values for all the percentiles instead of one per percentile (three percentiles of 10 M
    latencies: ~80 MB of state instead of ~240 MB; percentile states cannot spill to disk).
    Same interpolation, same results. Elsewhere: one ordered-set percentile_cont per call. -#}
{% macro percentile_cont_at(column, percentiles, position) -%}
    {{ return(adapter.dispatch('percentile_cont_at', 'kpi_trust')(column, percentiles, position)) }}
{%- endmacro %}

{% macro default__percentile_cont_at(column, percentiles, position) -%}
    {{ kpi_trust.percentile_cont(column, percentiles[position]) }}
{%- endmacro %}

{% macro duckdb__percentile_cont_at(column, percentiles, position) -%}
    quantile_cont({{ column }}, [{{ percentiles | join(', ') }}])[{{ position + 1 }}]
{%- endmacro %}
