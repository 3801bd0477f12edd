{#- Exact continuous percentile (linear interpolation between closest ranks) of `column` at
    fraction `percentile` (0..1). The ordered-set spelling is identical on DuckDB, Spark 4 and
    Postgres 15; DuckDB's `quantile_cont` is the same function under its native name. -#}
{% macro percentile_cont(column, percentile) -%}
    {{ return(adapter.dispatch('percentile_cont', 'kpi_trust')(column, percentile)) }}
{%- endmacro %}

{% macro default__percentile_cont(column, percentile) -%}
    percentile_cont({{ percentile }}) within group (order by {{ column }})
{%- endmacro %}

{% macro duckdb__percentile_cont(column, percentile) -%}
    quantile_cont({{ column }}, {{ percentile }})
{%- endmacro %}

{% macro spark__percentile_cont(column, percentile) -%}
    percentile_cont({{ percentile }}) within group (order by {{ column }})
{%- endmacro %}
