{#- Column names of the raw file at `path` (`format` 'csv' or 'parquet'), read from its header
    or schema without scanning the data. Used to check a user's file against the raw schema. -#}
{% macro raw_file_columns(path, format) -%}
    {{ return(adapter.dispatch('raw_file_columns', 'kpi_trust')(path, format)) }}
{%- endmacro %}

{% macro default__raw_file_columns(path, format) -%}
    {%- set reader = 'read_parquet' if format == 'parquet' else 'read_csv' -%}
    {%- set options = '' if format == 'parquet' else ', ' ~ csv_dialect_options() -%}
    {%- set result = run_query(
        "describe select * from " ~ reader ~ "('" ~ path ~ "'" ~ options ~ ")"
    ) -%}
    {{ return(result.columns[0].values() | list) }}
{%- endmacro %}

{% macro spark__raw_file_columns(path, format) -%}
    {%- set result = run_query("describe select * from " ~ format ~ ".`" ~ path ~ "`") -%}
    {{ return(result.columns[0].values() | list) }}
{%- endmacro %}
