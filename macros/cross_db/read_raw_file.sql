{#- A subquery reading the raw log file at `path` (`format` 'parquet', 'csv' or 'csv.gz') with every
    column in `columns` as text plus `source_row_number` (1-based data row of the file, the
    header not counted), so staging types the values itself and can name a bad row by position,
    and `source_line_problem`: why a CSV line does not fit the header (more or fewer fields than
    it has), null otherwise; staging quarantines such a line as malformed_line. Each column of
    `natives` (native_raw_columns: typed Parquet columns, DuckDB only) is also read as it is,
    as `<column>__native`. -#}
{% macro read_raw_file(path, format, columns, natives = {}) -%}
    {{ return(adapter.dispatch('read_raw_file', 'kpi_trust')(path, format, columns, natives)) }}
{%- endmacro %}

{% macro default__read_raw_file(path, format, columns, natives = {}) -%}
    {{ exceptions.raise_compiler_error(
        "raw_source 'files' is implemented for duckdb and spark, not " ~ target.type
    ) }}
{%- endmacro %}

{% macro duckdb__read_raw_file(path, format, columns, natives = {}) -%}
    {%- if format == 'parquet' -%}
    (
        select
            {%- for column in columns %}
            cast({{ column }} as varchar) as {{ column }},
            {%- endfor %}
            {%- for column in natives %}
            {{ column }} as {{ column }}__native,
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

{#- Spark: Parquet through the `parquet.` path syntax, the row's position from the file
    metadata column `_metadata.row_index` (Spark 3.5+: the row's index in its file, as DuckDB's
    file_row_number; a row_number() over the scan order would send the whole log through one
    task, and staging's parsing with it); CSV (and .csv.gz) through a temporary view with the
    configured dialect and header (spark_csv_view): every column text, empty cells null as the
    seeds load them, numbered in scan order (table_row_number; a multi-line CSV file is read by
    one task anyway).
    A line with more or fewer fields than the header is kept in the view's corrupt-record
    column and named in source_line_problem as on DuckDB. row_number is `int` on Spark
    (`bigint` on DuckDB): cast, so source_row_number has one type on both. -#}
{% macro spark__read_raw_file(path, format, columns, natives = {}) -%}
    {%- if format not in ('parquet', 'csv', 'csv.gz') -%}
        {{ exceptions.raise_compiler_error("raw_format must be 'parquet', 'csv' or 'csv.gz', got '" ~ format ~ "'") }}
    {%- endif -%}
    {%- if format == 'parquet' -%}
    (
        select
            {%- for column in columns %}
            cast({{ column }} as string) as {{ column }},
            {%- endfor %}
            cast(null as string) as source_line_problem,
            cast(_metadata.row_index + 1 as {{ dbt.type_bigint() }}) as source_row_number
        from parquet.`{{ path }}`
    )
    {%- else -%}
    {%- set header = raw_file_columns(path, format) if execute else [] -%}
    {%- set view = spark_csv_view(path, header) if execute else 'csv.`' ~ path ~ '`' -%}
    {%- set last_column = '`' ~ (header[-1] if header else columns[-1]) | replace('`', '``') ~ '`' -%}
    (
        select
            {%- for column in columns %}
            {{ column }},
            {%- endfor %}
            case
                when {{ csv_corrupt_record_column() }} is null then cast(null as string)
                when {{ last_column }} is null
                    then 'fewer fields than the header''s {{ header | length }}'
                else 'more fields than the header''s {{ header | length }}'
            end as source_line_problem,
            {{ table_row_number() }} as source_row_number
        from {{ view }}
    )
    {%- endif -%}
{%- endmacro %}


{#- The name of the column where Spark's CSV reader keeps a line that does not fit the header. -#}
{% macro csv_corrupt_record_column() -%}
    {{ return('kpi_trust_corrupt_record') }}
{%- endmacro %}


{#- A Spark SQL string literal of `value` (backslash escapes, as Spark reads literals). -#}
{% macro spark_string_literal(value) -%}
    {{ return("'" ~ (value | string).replace('\\', '\\\\').replace("'", "\\'") ~ "'") }}
{%- endmacro %}


{#- Spark: a temporary view over the CSV file at `path` (run now; named from the path's hash) with
    the dialect of vars csv_delimiter, csv_quote, csv_escape and csv_encoding, the file's
    header line skipped, and multiLine parsing (a quoted field may hold a line break). With
    `header` (the file's column names) the view's columns are those names as text plus the
    corrupt-record column (PERMISSIVE mode: a line with another number of fields is kept there);
    without, the reader takes the names from the header line. Returns the view's name. Temporary
    views live in the one Spark session of a dbt-spark process (session method) or connection. -#}
{% macro spark_csv_view(path, header = none) -%}
    {%- set name = 'kpi_trust_raw_' ~ local_md5(path ~ '|' ~ (header is none)) -%}
    {%- set options = {
        'path': path, 'header': 'true', 'sep': var('csv_delimiter'), 'quote': var('csv_quote'),
        'escape': var('csv_escape'), 'encoding': var('csv_encoding'), 'multiLine': 'true',
        'mode': 'PERMISSIVE', 'inferSchema': 'false',
    } -%}
    {%- if header is not none -%}
        {%- do options.update({'columnNameOfCorruptRecord': csv_corrupt_record_column()}) -%}
    {%- endif -%}
    {%- set sql -%}
        create or replace temporary view {{ name }}
        {%- if header is not none %} (
            {%- for column in header %}
            `{{ column | replace('`', '``') }}` string,
            {%- endfor %}
            {{ csv_corrupt_record_column() }} string
        )
        {%- endif %}
        using csv options (
            {%- for key, value in options.items() %}
            {{ key }} {{ spark_string_literal(value) }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        )
    {%- endset -%}
    {%- do run_query(sql) -%}
    {{ return(name) }}
{%- endmacro %}
