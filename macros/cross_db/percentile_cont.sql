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

{#- percentile_cont_over: the same percentile as a window function over the named window
    `window_name`. The spellings differ: Spark refuses an ordered-set aggregate with a window
    frame, so there it is `percentile`, Spark's exact percentile with the same interpolation. -#}
{% macro percentile_cont_over(column, percentile, window_name) -%}
    {{ return(adapter.dispatch('percentile_cont_over', 'kpi_trust')(column, percentile, window_name)) }}
{%- endmacro %}

{% macro default__percentile_cont_over(column, percentile, window_name) -%}
    percentile_cont({{ percentile }}) within group (order by {{ column }}) over {{ window_name }}
{%- endmacro %}

{% macro duckdb__percentile_cont_over(column, percentile, window_name) -%}
    quantile_cont({{ column }}, {{ percentile }}) over {{ window_name }}
{%- endmacro %}

{% macro spark__percentile_cont_over(column, percentile, window_name) -%}
    percentile({{ column }}, {{ percentile }}) over {{ window_name }}
{%- endmacro %}
