{#- A subquery reading the raw log file at `path` (`format` 'parquet', 'csv' or 'csv.gz') with every
    column in `columns` as text plus `source_row_number` (1-based data row of the file, the
    header not counted), so staging types the values itself and can name a bad row by position,
    and `source_line_problem`: why a CSV line does not fit the header (more or fewer fields than
    it has), null otherwise; staging quarantines such a line as malformed_line. -#}
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
            cast(null as varchar) as source_line_problem,
            file_row_number + 1 as source_row_number
        from read_parquet('{{ path }}', file_row_number = true)
    )
    {%- elif format in ('csv', 'csv.gz') -%}
    {%- set header = raw_file_columns(path, format) if execute else [] -%}
    {%- if header | length == 0 -%}
    (
        select
            {%- for column in columns %}
            {{ column }},
            {%- endfor %}
            cast(null as varchar) as source_line_problem,
            row_number() over () as source_row_number
        from read_csv('{{ path }}', {{ csv_dialect_options() }})
    )
    {%- else -%}
    {%- set quoted = [] -%}
    {%- for column in header -%}
        {%- do quoted.append('"' ~ column | replace('"', '""') ~ '"') -%}
    {%- endfor -%}
    (
        select
            {%- for column in columns %}
            {{ column }},
            {%- endfor %}
            source_line_problem,
            source_row_number
        from (
            select
                *,
                case
                    when {{ csv_overflow_column() }} is not null
                        then 'more fields than the header''s {{ header | length }}'
                    when {{ quoted[-1] }} is null
                        then 'fewer fields than the header''s {{ header | length }}'
                end as source_line_problem,
                row_number() over () as source_row_number
            from read_csv('{{ path }}', {{ csv_dialect_options(header) }})
        ) as parsed
        -- a malformed record holding a line break is a quote left open: it swallowed the
        -- lines after it, so quarantining it would lose them unseen. Stop, naming the row.
        where case
            when source_line_problem is not null and strpos(concat_ws('|',
                {{ quoted | join(', ') }}, {{ csv_overflow_column() }}), chr(10)) > 0
                then error('Raw file {{ path | replace("'", "''") }}: data row '
                    || source_row_number || ' opens a quoted field that is never closed '
                    || '(it runs on over the following lines: a quote left open, or a '
                    || 'file in another dialect - KPI_TRUST_CSV_QUOTE / _ESCAPE)')
            else true
        end
    )
    {%- endif -%}
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
            cast(null as string) as source_line_problem,
            row_number() over (order by monotonically_increasing_id()) as source_row_number
        from {{ format }}.`{{ path }}`
    )
{%- endmacro %}
