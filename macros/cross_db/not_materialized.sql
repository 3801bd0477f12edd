{#- `with name as {{ not_materialized() }} (...)`: ask the engine to inline a CTE read twice
    instead of storing its rows. DuckDB stores (materializes) such a CTE whole; staging's raw
    `source` rows (every column, 10 M rows) are read once for the log's start and once for the
    rows it stages, and storing them spilled gigabytes under the memory limit, while the log's
    start needs only two of its columns. Empty on engines without the hint (Spark inlines anyway). -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'kpi_trust')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
