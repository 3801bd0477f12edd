{#- Whether a file matching `path` exists, asked of the engine at run time (false while dbt
    parses). Used for the optional labels file in files mode. -#}
{% macro raw_file_exists(path) -%}
    {{ return(adapter.dispatch('raw_file_exists', 'kpi_trust')(path)) }}
{%- endmacro %}

{% macro default__raw_file_exists(path) -%}
    {{ return(false) }}
{%- endmacro %}

{% macro duckdb__raw_file_exists(path) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set result = run_query("select count(*) from glob('" ~ path ~ "')") -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}

{% macro spark__raw_file_exists(path) -%}
    {{ return(false) }}
{%- endmacro %}
