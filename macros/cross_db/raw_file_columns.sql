{#- Column names of the raw file at `path` (`format` 'csv' or 'parquet'), read from its header
    or schema without scanning the data. Used to check a user's file against the raw schema. -#}
{% macro raw_file_columns(path, format) -%}
    {{ return(adapter.dispatch('raw_file_columns', 'kpi_trust')(path, format)) }}
{%- endmacro %}

{% macro default__raw_file_columns(path, format) -%}
    {%- if format == 'parquet' -%}
        {%- set result = run_query("describe select * from read_parquet('" ~ path ~ "')") -%}
        {{ return(result.columns[0].values() | list) }}
    {%- endif -%}
    {#- CSV: the first line alone, split on the configured delimiter (names unquoted and
        trimmed). Sniffing would read data lines too, and one malformed line there makes the
        sniffer fail or guess another dialect. chr(30) (record separator) never splits it. -#}
    {%- set result = run_query(
        "select line from read_csv('" ~ path ~ "', header = false, auto_detect = false, "
        ~ "columns = {'line': 'varchar'}, delim = chr(30), quote = '', escape = '', "
        ~ "strict_mode = false, encoding = '" ~ var('csv_encoding') ~ "') limit 1"
    ) -%}
    {%- set lines = result.columns[0].values() | list -%}
    {%- if lines | length == 0 or lines[0] is none -%}
        {{ exceptions.raise_compiler_error(
            "Raw file " ~ path ~ " is empty: no header line (expected the raw schema's "
            ~ "column names on line 1; docs/raw-schemas.md)"
        ) }}
    {%- endif -%}
    {%- set quote = var('csv_quote') -%}
    {%- set names = [] -%}
    {%- for field in lines[0].replace('\ufeff', '').split(var('csv_delimiter')) -%}
        {%- set name = field.strip() -%}
        {%- if quote and name.startswith(quote) and name.endswith(quote) and name | length > 1 -%}
            {%- set name = name[1:-1].replace(quote ~ quote, quote).strip() -%}
        {%- endif -%}
        {%- if name | lower in names | map('lower') | list -%}
            {{ exceptions.raise_compiler_error(
                "Raw file " ~ path ~ " line 1: the header names column '" ~ name
                ~ "' twice; each column must appear once"
            ) }}
        {%- endif -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{% macro spark__raw_file_columns(path, format) -%}
    {%- set relation = 'parquet.`' ~ path ~ '`' if format == 'parquet' else spark_csv_view(path) -%}
    {%- set result = run_query("describe select * from " ~ relation) -%}
    {{ return(result.columns[0].values() | list) }}
{%- endmacro %}
