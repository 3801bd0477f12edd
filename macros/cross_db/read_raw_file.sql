{#- A subquery reading the raw log file at `path` (`format` 'parquet', 'csv' or 'csv.gz') with every
    column in `columns` as text plus `source_row_number` (1-based data row of the file, the
    header not counted), so staging types the values itself and can name a bad row by position. -#}
{% macro read_raw_file(path, format, columns) -%}
    {{ return(adapter.dispatch('read_raw_file', 'kpi_trust')(path, format, columns)) }}
{%- endmacro %}

{% macro default__read_raw_file(path, format, columns) -%}
    {{ exceptions.raise_compiler_error(
        "raw_source 'files' is implemented for duckdb and spark, not " ~ target.type
    ) }}
{%- endmacro %}

{% macro duckdb__read_raw_file(path, format, columns) -%}
    {%- if format == 'parquet' -%}
    (
        select
            {%- for column in columns %}
            cast({{ column }} as varchar) as {{ column }},
            {%- endfor %}
            file_row_number + 1 as source_row_number
        from read_parquet('{{ path }}', file_row_number = true)
    )
    {%- elif format in ('csv', 'csv.gz') -%}
    (
        select
            {%- for column in columns %}
            {{ column }},
            {%- endfor %}
            row_number() over () as source_row_number
        from read_csv('{{ path }}', {{ csv_dialect_options() }})
    )
    {%- else -%}
        {{ exceptions.raise_compiler_error("raw_format must be 'parquet', 'csv' or 'csv.gz', got '" ~ format ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__read_raw_file(path, format, columns) -%}
    {%- if format not in ('parquet', 'csv') -%}
        {{ exceptions.raise_compiler_error("raw_format must be 'parquet' or 'csv', got '" ~ format ~ "'") }}
    {%- endif -%}
    (
        select
            {%- for column in columns %}
            cast({{ column }} as string) as {{ column }},
            {%- endfor %}
            row_number() over (order by monotonically_increasing_id()) as source_row_number
        from {{ format }}.`{{ path }}`
    )
{%- endmacro %}
